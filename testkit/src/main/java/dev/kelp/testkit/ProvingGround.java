package dev.kelp.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the proving ground's real services are, as the scripts under
 * {@code scripts/proving-ground} started them. {@code scripts/test} exports their
 * coordinates; an integration test that runs without them fails with a message that
 * says how to start them, rather than skipping and passing green.
 */
public final class ProvingGround {

    private ProvingGround() {
    }

    /** The value of a proving-ground variable, or a failure that tells how to get it. */
    public static String require(String name) {
        return lookup(name).orElseThrow(() -> new IllegalStateException(
            name + " is not set: the proving ground is not running. Start it with\n"
                + "  eval \"$(scripts/proving-ground/up.sh)\"\n"
                + "or run the whole suite with scripts/test (see docs/development.md)."));
    }

    static Optional<String> lookup(String name) {
        return lookup(name, System.getenv());
    }

    static Optional<String> lookup(String name, Map<String, String> env) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    /** A service of the proving ground, controlled through its own script. */
    public static Service service(String name) {
        return new Service(name, repoRoot().resolve("scripts/proving-ground/" + name + ".sh"));
    }

    public static Path repoRoot() {
        String root = System.getProperty("kelp.repo.root");
        Path dir = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        // Walk up to the directory that holds the proving-ground scripts, so a test run from a
        // module directory (IDE, mvn -pl) finds them too.
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("scripts/proving-ground"))) {
                return p;
            }
        }
        throw new IllegalStateException("no scripts/proving-ground above " + dir);
    }

    /** Reads {@code export NAME=value} lines as the scripts print them (values need no unquoting). */
    static Map<String, String> parseExports(String lines) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines.split("\n")) {
            if (line.startsWith("export ")) {
                String[] kv = line.substring("export ".length()).split("=", 2);
                if (kv.length == 2) {
                    env.put(kv[0], kv[1]);
                }
            }
        }
        return env;
    }

    /** Start, stop, kill -9 and health-check one service; each call waits for its script. */
    public record Service(String name, Path script) {

        public void start() {
            run("start", Duration.ofMinutes(3));
        }

        public void stop() {
            run("stop", Duration.ofMinutes(1));
        }

        /** SIGKILL, no warning: what a crash or an OOM kill looks like to a client. */
        public void kill() {
            run("kill", Duration.ofSeconds(30));
        }

        /**
         * The coordinates of the instance this script controls with this JVM's environment
         * (its {@code env} subcommand), so a test that kills a service talks to the very
         * instance it kills, whatever KELP_RUN and port variables are exported.
         */
        public Map<String, String> env() {
            try {
                Process p = new ProcessBuilder("bash", script.toString(), "env").redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException(name + " env failed");
                }
                return parseExports(out);
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + script + " env", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + name + " env", e);
            }
        }

        public boolean healthy() {
            try {
                run("health", Duration.ofSeconds(30));
                return true;
            } catch (IllegalStateException e) {
                return false;
            }
        }

        private void run(String command, Duration timeout) {
            try {
                Process p = new ProcessBuilder("bash", script.toString(), command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(name + " " + command + " took longer than " + timeout);
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(name + " " + command + " exited " + p.exitValue());
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + script + " " + command, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + name + " " + command, e);
            }
        }
    }
}

package dev.kelp.operator.chart;

import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code helm} binary the proving ground built, run with a throwaway home so no
 * repository, plugin or cache of the machine's user changes what it does, and with the
 * proving ground's kubeconfig for the commands that reach the API server.
 */
public final class Helm {

    private final Path binary;
    private final Path home;

    private Helm(Path binary, Path home) {
        this.binary = binary;
        this.home = home;
    }

    public static Helm fromProvingGround() {
        try {
            return new Helm(Path.of(ProvingGround.require("KELP_KUBE_BIN"), "helm"), Files.createTempDirectory("kelp-helm-home"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a helm command printed (stdout and stderr together, as a person sees them) and its exit code. */
    public record Result(String command, int exitCode, String output) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return command + " exited " + exitCode + ":\n" + output;
        }
    }

    public Result run(List<String> args) {
        var command = new ArrayList<String>();
        command.add(binary.toString());
        command.addAll(args);
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("KUBECONFIG", ProvingGround.require("KUBECONFIG"));
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("helm did not finish in 2 minutes: " + command);
            }
            return new Result("helm " + String.join(" ", args), process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Result run(String... args) {
        return run(List.of(args));
    }
}

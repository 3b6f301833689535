package dev.kelp.agent.blob.remote;

import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SeaweedFS instance that {@code scripts/proving-ground/seaweedfs.sh} controls with this
 * JVM's environment: with KELP_RUN and the port variables exported, a private one that a test
 * may kill. Its coordinates come from the script itself ({@code env}), so they always match
 * what {@link ProvingGround#service} starts and kills.
 */
final class OwnSeaweedFs {

    final ProvingGround.Service service = ProvingGround.service("seaweedfs");
    final String endpoint;
    final String accessKey;
    final String secretKey;

    OwnSeaweedFs() {
        Map<String, String> env = service.env();
        this.endpoint = env.get("KELP_S3_ENDPOINT");
        this.accessKey = env.get("KELP_S3_ACCESS_KEY");
        this.secretKey = env.get("KELP_S3_SECRET_KEY");
    }

    /**
     * True when this is not the instance the other ITs use (KELP_S3_ENDPOINT): then a test may
     * stop it when done. Otherwise (CI runs one proving ground) it must be left running.
     */
    boolean isPrivate() {
        return !endpoint.equals(System.getenv("KELP_S3_ENDPOINT"));
    }

    /** The weed process id, read from the pid file the script writes under KELP_RUN. */
    long pid() throws IOException {
        String run = System.getenv().getOrDefault("KELP_RUN",
            System.getenv().getOrDefault("TMPDIR", "/tmp") + "/kelp-proving-ground");
        return Long.parseLong(Files.readString(Path.of(run, "seaweedfs", "weed.pid")).trim());
    }

    /** Sends a signal (STOP, CONT) to the weed process: a hung server, then a thawed one. */
    void signal(String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }
}

package dev.kelp.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The command-line tools the chart and walkthrough tests will drive are real binaries built
 * by the proving ground, and kubectl reaches the proving ground's API server with the
 * kubeconfig it exports.
 */
class KubeToolsIT {

    @Test
    void helmIsTheBuiltVersion3() throws Exception {
        assertThat(run("helm", "version", "--short")).startsWith("v3.");
    }

    @Test
    void kubectlTalksToTheProvingGroundApiServer() throws Exception {
        assertThat(run("kubectl", "version", "--client")).contains("Client Version: v1.");
        assertThat(run("kubectl", "get", "--raw", "/readyz")).isEqualTo("ok");
        assertThat(run("kubectl", "auth", "can-i", "create", "customresourcedefinitions.apiextensions.k8s.io", "--all-namespaces")).endsWith("yes");
    }

    private static String run(String tool, String... args) throws Exception {
        Path bin = Path.of(ProvingGround.require("KELP_KUBE_BIN"), tool);
        var command = new java.util.ArrayList<String>();
        command.add(bin.toString());
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(tool + " " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }
}

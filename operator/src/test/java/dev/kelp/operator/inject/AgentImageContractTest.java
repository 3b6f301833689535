package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The injected sidecar starts the agent image exactly as the image is built: no engine runs
 * on the development machine to try it, so the two are held together here.
 */
class AgentImageContractTest {

    private static final Pattern ENTRYPOINT = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]\\s*$");
    private static final Pattern COPY = Pattern.compile("(?m)^COPY .*?(\\S+) (\\S+)\\s*$");
    private static final Pattern USER = Pattern.compile("(?m)^USER (\\d+):(\\d+)\\s*$");

    @Test
    void sidecarCommandIsTheAgentImageEntrypoint() throws Exception {
        String dockerfile = Files.readString(ProvingGround.repoRoot().resolve("agent/Dockerfile"));

        var entrypoint = ENTRYPOINT.matcher(dockerfile);
        assertThat(entrypoint.find()).as("agent/Dockerfile has an exec-form ENTRYPOINT").isTrue();
        List<String> command = Arrays.stream(entrypoint.group(1).split(","))
            .map(String::strip).map(s -> s.substring(1, s.length() - 1)).toList();
        assertThat(command).isEqualTo(AgentSidecar.COMMAND);

        var copy = COPY.matcher(dockerfile);
        assertThat(copy.find()).isTrue();
        assertThat(copy.group(2)).isEqualTo(InjectionContract.AGENT_JAR);
        assertThat(ProvingGround.repoRoot().resolve("agent/pom.xml")).content()
            .as("the jar the image copies is the one package builds").contains("<finalName>kelp-agent</finalName>");
        assertThat(copy.group(1)).isEqualTo("agent/target/kelp-agent.jar");

        var user = USER.matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(Long.parseLong(user.group(1))).isEqualTo(AgentDefaults.withImage("any").runAsUser());
    }
}

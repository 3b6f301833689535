package dev.kelp.agent.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.FreePorts;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run whose target cannot be reached at all, so that not even its manifest can be written,
 * is still a Failed run with the reason, and is reported: the BackupSchedule's status must not
 * go on showing last night's success as if tonight's had not been due. On the agent's
 * embedded default (H2 for the lease), the target a port nothing listens on.
 */
class UnreachableTargetTest {

    @Test
    void aRunThatCannotReachItsTargetFailsWithTheReasonAndIsReported() throws Exception {
        Path dir = Files.createTempDirectory("kelp-backup-unreachable");
        int closed = FreePorts.take();
        var schedule = Map.of("name", "nightly", "schedule", "0 3 * * *",
            "target", Map.of("bucket", "backups", "endpoint", "http://127.0.0.1:" + closed, "access-key", "a", "secret-key", "b"));
        try (var context = ApplicationContext.run(Map.of("kelp.fallback.dir", dir.toString(), "kelp.backups.schedules", List.of(schedule)))) {
            var config = context.getBean(BackupSchedules.class).require("nightly");

            var run = context.getBean(BackupRunner.class).runIfLeaseFree(config);

            assertThat(run).hasValueSatisfying(m -> {
                assertThat(m.phase()).isEqualTo(BackupManifest.FAILED);
                assertThat(m.message()).contains("could not be reached");
                assertThat(m.finishedAt()).isNotNull();
            });
            assertThat(context.getBean(BackupRuns.class).reportable()).extracting(BackupManifest::id).containsExactly(run.get().id());
            assertThat(context.getBean(BackupRunner.class).runIfLeaseFree(config)).as("the lease was given back").isPresent();
        }
    }
}

package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.Constraints;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared patterns, checked here in Java for quick feedback; CelValidationIT checks that
 * the API server applies them (Go RE2 agrees with java.util.regex on these constructs).
 */
class ConstraintsTest {

    private static final Pattern CRON = Pattern.compile(Constraints.CRON);
    private static final Pattern DURATION = Pattern.compile(Constraints.DURATION);
    private static final Pattern BUCKET = Pattern.compile(Constraints.BUCKET);

    @ParameterizedTest
    @ValueSource(strings = {"0 3 * * *", "*/15 * * * *", "0 0 1 * *", "30 2 * * 0", "0 9-17/2 * * MON-FRI",
        "5,35 0,12 1,15 jan,jul sun", "59 23 31 12 7", "0 0 29 FEB *", "00 03 01 01 *"})
    void cronAcceptsFiveFieldExpressions(String schedule) {
        assertThat(CRON.matcher(schedule).matches()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"every night at 3", "0 0 3 * * *", "0 3 * *", "60 * * * *", "0 24 * * *", "0 0 32 * *",
        "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "@daily", "0 3 * * * ", " 0 3 * * *", "0 3 ? * *", "0 3 L * *"})
    void cronRejectsWhatIsNotAFiveFieldExpression(String schedule) {
        assertThat(CRON.matcher(schedule).matches()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"720h", "1h30m", "90s", "250ms", "1.5h", "0s"})
    void durationAcceptsGoDurations(String duration) {
        assertThat(DURATION.matcher(duration).matches()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"30d", "720", "h", "", "-1h", "1 h", "1w", "P30D"})
    void durationRejectsDaysBareNumbersAndIsoPeriods(String duration) {
        assertThat(DURATION.matcher(duration).matches()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Templates", "ab", "-templates", "templates-", "tem_plates", "a-bucket-name-that-is-sixty-four-characters-long-which-s3-refuse"})
    void bucketRejectsNamesS3Refuses(String bucket) {
        assertThat(BUCKET.matcher(bucket).matches()).isFalse();
    }

    @Test
    void chunkSizesAreThePowersOfTwoTheAgentsChunkerTakes() {
        // The agent's BlockDedupConfig: a power of two, at least 64 bytes, at most 64MiB.
        String powers = IntStream.rangeClosed(6, 26).mapToObj(shift -> String.valueOf(1L << shift))
            .collect(Collectors.joining(", ", "[", "]"));

        assertThat(Constraints.CHUNK_SIZES).isEqualTo(powers);
    }
}

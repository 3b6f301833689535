package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3RangeTest {

    @Test
    void singleRangesAsS3ReadsThem() {
        assertThat(S3Range.parse("bytes=0-9", 100)).isEqualTo(new S3Range(0, 10));
        assertThat(S3Range.parse("bytes=90-", 100)).isEqualTo(new S3Range(90, 10));
        assertThat(S3Range.parse("bytes=90-500", 100)).isEqualTo(new S3Range(90, 10));
        assertThat(S3Range.parse("bytes=-10", 100)).isEqualTo(new S3Range(90, 10));
        assertThat(S3Range.parse("bytes=-500", 100)).isEqualTo(new S3Range(0, 100));
        assertThat(S3Range.parse("bytes=0-9", 100).contentRange(100)).isEqualTo("bytes 0-9/100");
    }

    @Test
    void malformedOrMultipleRangesMeanTheWholeObject() {
        assertThat(S3Range.parse(null, 100)).isNull();
        assertThat(S3Range.parse("bytes=5-1", 100)).isNull();
        assertThat(S3Range.parse("bytes=0-1,5-6", 100)).isNull();
        assertThat(S3Range.parse("items=0-1", 100)).isNull();
    }

    @Test
    void aRangeStartingAtOrPastTheEndIsInvalidRange() {
        for (String header : new String[] {"bytes=100-", "bytes=100-200", "bytes=-0", "bytes=99999999999999999999-"}) {
            assertThatThrownBy(() -> S3Range.parse(header, 100)).as(header)
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.status()).isEqualTo(416);
                    assertThat(e.code()).isEqualTo("InvalidRange");
                });
        }
        assertThatThrownBy(() -> S3Range.parse("bytes=0-", 0)).isInstanceOf(S3Exception.class);
    }
}

package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

    @Test
    void resolvesFirstLastOpenEndedAndSuffixRanges() {
        assertThat(ByteRange.parse("bytes=0-9", 100)).contains(new ByteRange(0, 10, 100));
        assertThat(ByteRange.parse("bytes=90-", 100)).contains(new ByteRange(90, 10, 100));
        assertThat(ByteRange.parse("bytes=-5", 100)).contains(new ByteRange(95, 5, 100));
        assertThat(ByteRange.parse("bytes=-500", 100)).contains(new ByteRange(0, 100, 100));
        assertThat(ByteRange.parse("bytes=50-5000", 100)).contains(new ByteRange(50, 50, 100));
        assertThat(ByteRange.parse("bytes=0-9", 100).orElseThrow().contentRange()).isEqualTo("bytes 0-9/100");
    }

    @Test
    void absentMalformedReversedAndMultiRangesServeTheWholeObject() {
        assertThat(ByteRange.parse(null, 100)).isEmpty();
        assertThat(ByteRange.parse("items=0-1", 100)).isEmpty();
        assertThat(ByteRange.parse("bytes=9-0", 100)).isEmpty();
        assertThat(ByteRange.parse("bytes=0-1,5-6", 100)).isEmpty();
        assertThat(ByteRange.parse("bytes=99999999999999999999-", 100)).isEmpty();
    }

    @Test
    void aRangePastTheEndIsNotSatisfiable() {
        assertThatThrownBy(() -> ByteRange.parse("bytes=100-", 100)).isInstanceOf(RangeNotSatisfiableException.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=-0", 100)).isInstanceOf(RangeNotSatisfiableException.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=0-", 0)).isInstanceOf(RangeNotSatisfiableException.class);
    }
}

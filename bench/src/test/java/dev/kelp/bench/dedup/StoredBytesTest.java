package dev.kelp.bench.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoredBytesTest {

    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);
    private static final String X = "1".repeat(64);
    private static final String Y = "2".repeat(64);

    @Test
    void aManifestIsParsedAsTheAgentWritesIt() {
        var m = StoredBytes.parse("kelp-chunked-blob 1\n" + A + " 30\n" + X + " 10\n" + Y + " 20\n", A, 200);
        assertThat(m.size()).isEqualTo(30);
        assertThat(m.chunks()).containsExactly(X, Y);
        assertThat(m.lengths()).containsExactly(10, 20);
        assertThatThrownBy(() -> StoredBytes.parse("kelp-chunked-blob 1\n" + B + " 30\n", A, 50)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void whatASetTakesCountsEachOfItsChunksOnceAndItsWholeBlobs() {
        var m1 = new StoredBytes.Manifest(30, List.of(X, Y), List.of(10, 20), 200);
        var m2 = new StoredBytes.Manifest(40, List.of(X, Y, Y), List.of(10, 20, 20), 250);
        var stored = new StoredBytes(3, 75, 75, 3, 75, 2, 30, 4, 1, 5, 2, 450, 2, 30, 0, 70, 0,
            Map.of(C, 5L), Map.of(A, m1, B, m2), Map.of(X, 10L, Y, 20L));
        assertThat(stored.storedFor(Set.of(A, B))).isEqualTo(200 + 250 + 30);
        assertThat(stored.storedFor(Set.of(A, C))).isEqualTo(200 + 30 + 5);
        assertThat(stored.chunkedAmong(Set.of(A, B, C))).isEqualTo(2);
        assertThat(stored.storedBytes()).isEqualTo(5 + 450 + 30);
        assertThat(stored.agree()).isTrue();
        assertThat(stored.repeatedWithinBlobs()).isEqualTo(20);
    }
}

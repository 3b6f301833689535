package dev.kelp.agent.blob.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.chunks.ChunkManifest.Entry;
import dev.kelp.agent.object.ContentHash;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkManifestTest {

    private static final ContentHash BLOB = ContentHash.ofBytes("the blob".getBytes(StandardCharsets.UTF_8));
    private static final ContentHash OTHER = ContentHash.ofBytes("another blob".getBytes(StandardCharsets.UTF_8));
    private static final ContentHash A = ContentHash.ofBytes("a".getBytes(StandardCharsets.UTF_8));
    private static final ContentHash B = ContentHash.ofBytes("b".getBytes(StandardCharsets.UTF_8));

    private final ChunkManifest manifest = new ChunkManifest(BLOB, 3_000_012, List.of(new Entry(A, 1_000_000), new Entry(B, 12),
        new Entry(A, 1_000_000), new Entry(B, 1_000_000)));

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void refused(String manifest, String... message) {
        assertThatThrownBy(() -> ChunkManifest.decode(text(manifest), BLOB))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContainingAll(message);
    }

    @Test
    void aManifestReadsBackAsItWasWritten() {
        assertThat(ChunkManifest.decode(manifest.encode(), BLOB)).isEqualTo(manifest);
        var empty = new ChunkManifest(BLOB, 0, List.of());
        assertThat(ChunkManifest.decode(empty.encode(), BLOB)).isEqualTo(empty);
    }

    @Test
    void theTextNamesTheBlobAndItsSizeThenAChunkALine() {
        assertThat(new String(manifest.encode(), StandardCharsets.US_ASCII)).isEqualTo("""
            kelp-chunked-blob 1
            %s 3000012
            %s 1000000
            %s 12
            %s 1000000
            %s 1000000
            """.formatted(BLOB.hex(), A.hex(), B.hex(), A.hex(), B.hex()));
    }

    @Test
    void refusesWhatIsNotAManifest() {
        refused("", "not a chunk manifest", BLOB.hex());
        refused("kelp-chunked-blob 2\n" + BLOB.hex() + " 0\n", "not a chunk manifest", BLOB.hex());
        refused("kelp-chunked-blob 1\n", "not a chunk manifest");
        refused("some other object\nwith lines\n", "not a chunk manifest");
    }

    @Test
    void refusesTheManifestOfAnotherBlob() {
        byte[] other = new ChunkManifest(OTHER, 1, List.of(new Entry(A, 1))).encode();
        assertThatThrownBy(() -> ChunkManifest.decode(other, BLOB))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContainingAll(BLOB.hex(), "names another blob");
    }

    @Test
    void refusesAMalformedHeaderOrChunkLine() {
        String head = "kelp-chunked-blob 1\n" + BLOB.hex() + " 2\n";
        refused("kelp-chunked-blob 1\n" + BLOB.hex() + "\n", "line 2", "malformed", BLOB.hex());
        refused("kelp-chunked-blob 1\n" + BLOB.hex() + " 2 3\n", "line 2", "malformed");
        refused("kelp-chunked-blob 1\n" + BLOB.hex() + " two\n", "line 2", "malformed");
        refused(head + A.hex() + " 1 x\n" + B.hex() + " 1\n", "line 3", "malformed", BLOB.hex());
        refused(head + A.hex() + " 1\n\n" + B.hex() + " 1\n", "line 4", "malformed");
        refused(head + A.hex() + "\n", "line 3", "malformed");
        refused(head + A.hex() + " one\n", "line 3", "malformed");
        refused(head + A.hex() + " 99999999999\n", "line 3", "malformed");
        refused(head + "not-a-hash 2\n", "line 3", "malformed");
        refused(head + A.hex().toUpperCase() + " 2\n", "line 3", "malformed");
    }

    @Test
    void refusesChunksThatDoNotAddUpToTheSize() {
        String head = "kelp-chunked-blob 1\n" + BLOB.hex() + " 10\n";
        refused(head + A.hex() + " 4\n" + B.hex() + " 5\n", BLOB.hex(), "9 bytes, not 10");
        refused(head + A.hex() + " 4\n" + B.hex() + " 7\n", BLOB.hex(), "11 bytes, not 10");
        refused(head, "0 bytes, not 10");
        refused(head + A.hex() + " 10\n" + B.hex() + " 0\n", BLOB.hex(), "empty");
        refused(head + A.hex() + " 11\n" + B.hex() + " -1\n", BLOB.hex(), "empty");
        assertThatThrownBy(() -> new ChunkManifest(BLOB, 5, List.of(new Entry(A, 4))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 bytes, not 5");
    }
}

package dev.kelp.bench.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TarSnapshotsTest {

    private static final Map<String, byte[]> CONTENTS = Map.of("a", "hello\n".getBytes(StandardCharsets.UTF_8), "b", new byte[1024]);

    @Test
    void aTarIsUstarHeadersAndBlocksPaddedToAWholeRecord() {
        String longPath = "agent/src/main/resources/META-INF/services/" + "x".repeat(70) + "/io.micronaut.core.convert.TypeConverterRegistrar";
        byte[] tar = TarSnapshots.tar(List.of(new GitSnapshots.Entry("README.md", "100644", "a"), new GitSnapshots.Entry(longPath, "100755", "b")),
            CONTENTS, Map.of("README.md", 1_700_000_000L));
        assertThat(tar.length % (20 * 512)).isZero();
        byte[] first = Arrays.copyOfRange(tar, 0, 512);
        assertThat(field(first, 0, 100)).isEqualTo("README.md");
        assertThat(field(first, 100, 8)).isEqualTo("0000644");
        assertThat(Long.parseLong(field(first, 124, 12), 8)).isEqualTo(6);
        assertThat(Long.parseLong(field(first, 136, 12), 8)).isEqualTo(1_700_000_000L);
        assertThat(field(first, 257, 6)).isEqualTo("ustar");
        assertThat(Long.parseLong(field(first, 148, 8).trim(), 8)).isEqualTo(checksum(first));
        assertThat(new String(tar, 512, 6, StandardCharsets.UTF_8)).isEqualTo("hello\n");
        // A path over 100 bytes is split at a slash into prefix and name.
        byte[] second = Arrays.copyOfRange(tar, 1024, 1536);
        assertThat(field(second, 345, 155) + "/" + field(second, 0, 100)).isEqualTo(longPath);
        assertThat(field(second, 100, 8)).isEqualTo("0000755");
    }

    @Test
    void anUnchangedFileKeepsItsHeaderAndAChangedOneChangesOnlyItsOwn() {
        var files = List.of(new GitSnapshots.Entry("a.txt", "100644", "a"), new GitSnapshots.Entry("b.bin", "100644", "b"));
        byte[] before = TarSnapshots.tar(files, CONTENTS, Map.of("a.txt", 100L, "b.bin", 100L));
        byte[] after = TarSnapshots.tar(files, CONTENTS, Map.of("a.txt", 100L, "b.bin", 200L));
        assertThat(Arrays.copyOfRange(after, 0, 1024)).isEqualTo(Arrays.copyOfRange(before, 0, 1024));
        assertThat(Arrays.copyOfRange(after, 1024, 1536)).isNotEqualTo(Arrays.copyOfRange(before, 1024, 1536));
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long checksum(byte[] header) {
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
        }
        return sum;
    }
}

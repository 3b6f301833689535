package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.object.KelpException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResumingReadTest {

    private static final byte[] BLOB = new Random(7).ints(10_000, 0, 256).collect(
        java.io.ByteArrayOutputStream::new, java.io.ByteArrayOutputStream::write, (a, b) -> a.write(b.toByteArray(), 0, b.size())).toByteArray();

    /** What the read asked SeaweedFS for after each cut: position, end, ETag. */
    private final List<String> reopened = new ArrayList<>();

    /** The blob from {@code from} to {@code end}, cut after {@code cutAfter} bytes (or whole when negative). */
    private static InputStream served(long from, long end, int cutAfter) {
        var bytes = new ByteArrayInputStream(Arrays.copyOfRange(BLOB, (int) from, (int) end));
        return new InputStream() {
            int given;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (cutAfter >= 0 && given >= cutAfter) {
                    throw new IOException("Premature end of Content-Length delimited message body");
                }
                int n = bytes.read(b, off, cutAfter < 0 ? len : Math.min(len, cutAfter - given));
                given += Math.max(n, 0);
                return n;
            }
        };
    }

    private ResumingRead read(long start, long end, int firstCut, int laterCut) {
        return new ResumingRead(served(start, end, firstCut), "\"etag\"", start, end, "blob b", (from, to, etag) -> {
            reopened.add(from + "-" + to + " " + etag);
            return served(from, to, laterCut);
        });
    }

    @Test
    void aCutReadGoesOnFromTheByteItStoppedAtWithTheSameETag() throws IOException {
        try (var in = read(0, BLOB.length, 3_000, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(BLOB);
        }
        assertThat(reopened).containsExactly("3000-10000 \"etag\"");
    }

    @Test
    void aRangeIsResumedWithinTheRange() throws IOException {
        try (var in = read(1_000, 2_000, 400, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(BLOB, 1_000, 2_000));
        }
        assertThat(reopened).containsExactly("1400-2000 \"etag\"");
    }

    @Test
    void aCutAfterTheLastByteNeedsNoSecondRequest() throws IOException {
        try (var in = read(0, 500, 500, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOf(BLOB, 500));
        }
        assertThat(reopened).isEmpty();
    }

    @Test
    void aReadCutOverAndOverGivesUpAfterTheLastResume() {
        assertThatThrownBy(() -> {
            try (var in = read(0, BLOB.length, 1_000, 1_000)) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("Premature end");
        assertThat(reopened).hasSize(ResumingRead.MAX_RESUMES);
    }

    @Test
    void whenSeaweedFsCannotBeReachedToResumeTheFailureCarriesTheApisAnswer() {
        var in = new ResumingRead(served(0, BLOB.length, 2_000), "\"etag\"", 0, BLOB.length, "blob b", (from, to, etag) -> {
            throw new BlobStoreUnavailableException("SeaweedFS is unavailable", null);
        });
        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
            .cause().isInstanceOfSatisfying(KelpException.class, answer -> {
                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.code()).isEqualTo("ServiceUnavailable");
                assertThat(answer.getMessage()).contains("cut at byte 2000");
            });
        assertThatThrownBy(in::readAllBytes).isInstanceOfSatisfying(IOException.class, failure ->
            assertThat(ResumingRead.answerOf(failure)).as("what a caller that has sent nothing yet answers")
                .hasValueSatisfying(answer -> assertThat(answer.status()).isEqualTo(503)));
        assertThat(ResumingRead.answerOf(new IOException("a disk error"))).isEmpty();
    }

    @Test
    void aReadWithoutAnETagIsNotResumed() {
        var in = new ResumingRead(served(0, BLOB.length, 2_000), null, 0, BLOB.length, "blob b", (from, to, etag) -> {
            reopened.add("should not");
            return served(from, to, -1);
        });
        assertThatThrownBy(in::readAllBytes).hasMessageContaining("Premature end");
        assertThat(reopened).isEmpty();
    }
}

package dev.kelp.agent.blob.remote;

import dev.kelp.agent.object.KelpException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob's body from SeaweedFS that outlives its connection being cut mid-body ("Premature
 * end of Content-Length delimited message body": a SeaweedFS restart, a proxy or a network
 * partition between the agent and SeaweedFS). The read goes on from the byte it stopped at,
 * with a range request conditional on the first answer's ETag, so the rest provably comes
 * from the same stored object; at most {@value #MAX_RESUMES} times per read.
 *
 * <p>When the rest cannot be had because SeaweedFS is out of reach, the read fails with an
 * {@link IOException} whose cause is the API's answer (503 ServiceUnavailable), so a reader
 * that has not started its response yet answers that instead of an unexpected 500.
 */
final class ResumingRead extends InputStream {

    static final int MAX_RESUMES = 2;
    private static final Logger LOG = LoggerFactory.getLogger(ResumingRead.class);

    /** Opens the stored object from {@code position} to {@code end} (exclusive, or -1 for its end), if it still has {@code etag}. */
    interface Reopen {
        InputStream from(long position, long end, String etag);
    }

    private final Reopen reopen;
    private final String etag;
    private final long end;
    private final String what;
    private InputStream current;
    private long position;
    private int resumes;
    private boolean closed;

    /**
     * @param first the body as first answered, starting at {@code start}
     * @param end the end of the range asked for, exclusive, or -1 for the end of the object
     */
    ResumingRead(InputStream first, String etag, long start, long end, String what, Reopen reopen) {
        this.current = first;
        this.etag = etag;
        this.position = start;
        this.end = end;
        this.what = what;
        this.reopen = reopen;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            try {
                int n = current.read(buffer, offset, length);
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (IOException cut) {
                if (closed || etag == null || resumes >= MAX_RESUMES) {
                    throw cut;
                }
                resumes++;
                closeQuietly(current);
                if (end >= 0 && position >= end) {
                    return -1;
                }
                LOG.info("reading {} was cut at byte {} ({}); going on from there", what, position, cut.toString());
                current = resumeOrExplain(cut);
            }
        }
    }

    private InputStream resumeOrExplain(IOException cut) throws IOException {
        try {
            return reopen.from(position, end, etag);
        } catch (KelpException answer) {
            throw withAnswer(cut, answer);
        } catch (RuntimeException unavailable) {
            // Out of reach or refused (the object changed under its key: If-Match failed): either
            // way the rest of these bytes cannot be had, and no client should wait on them.
            throw withAnswer(cut, new KelpException(503, "ServiceUnavailable", "reading " + what + " from SeaweedFS was cut at byte "
                + position + " and could not be resumed: " + unavailable.getMessage()));
        }
    }

    /**
     * The answer a read that was cut and could not be resumed carries, for a caller that meets the
     * failure before any of the response is sent and can still give it (a 503, not a 500).
     */
    static Optional<KelpException> answerOf(IOException failure) {
        return failure.getCause() instanceof KelpException answer ? Optional.of(answer) : Optional.empty();
    }

    private static IOException withAnswer(IOException cut, KelpException answer) {
        var failure = new IOException(answer.getMessage(), answer);
        failure.addSuppressed(cut);
        return failure;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        current.close();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // the connection is gone already
        }
    }
}

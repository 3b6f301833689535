package dev.kelp.agent.blob.remote;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.http.AbortableInputStream;

/**
 * A response body that, closed before its end, aborts the connection instead of letting the
 * HTTP client read the rest to reuse it: a client that stops after 1 KiB of a 1 GiB blob must
 * not cost the agent the other 1023 MiB.
 */
final class AbortOnEarlyClose extends FilterInputStream {

    private final AbortableInputStream response;
    private boolean ended;

    AbortOnEarlyClose(AbortableInputStream response) {
        super(response);
        this.response = response;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        ended |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        ended |= n < 0;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            response.abort();
        }
        super.close();
    }
}

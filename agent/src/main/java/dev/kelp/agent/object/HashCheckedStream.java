package dev.kelp.agent.object;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A whole blob's content, checked against its name as it is read: the SHA-256 is completed
 * before the last bytes are handed out, and when it differs those bytes are withheld and the
 * read fails. A client whose response has started is then cut short of the declared length,
 * which every HTTP client reports as an error, instead of receiving wrong bytes it would take
 * for the object; one whose response has not (a small object, read whole first) gets
 * 500 BlobCorrupt.
 */
final class HashCheckedStream extends FilterInputStream {

    /** Told when the content turns out not to be what its name says (once: the stream fails from then on). */
    interface Mismatch {
        void found(String why);
    }

    private final ContentHash expected;
    private final long size;
    private final Mismatch mismatch;
    private final MessageDigest digest = ContentHash.newDigest();
    private long read;
    private boolean checked;
    private IOException failure;

    HashCheckedStream(InputStream in, ContentHash expected, long size, Mismatch mismatch) {
        super(in);
        this.expected = expected;
        this.size = size;
        this.mismatch = mismatch;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (failure != null) {
            throw failure;
        }
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            digest.update(buffer, offset, n);
            read += n;
        }
        if (read > size || (n < 0 && read < size)) {
            throw damaged("holds " + (n < 0 ? read : "more than " + size) + " bytes, not " + size);
        }
        if (read == size && !checked) {
            checked = true;
            ContentHash actual = ContentHash.of(digest);
            if (!actual.equals(expected)) {
                throw damaged("hashes to " + actual);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes would go unhashed: read them instead.
        byte[] buffer = new byte[(int) Math.min(n, 64 * 1024)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private IOException damaged(String why) {
        mismatch.found(why);
        String message = "blob " + expected + " on the fallback volume " + why + ": damaged";
        // The cause says it in the API's terms, for a reader that has not answered yet (a small
        // object, read whole before its response starts): 500 BlobCorrupt.
        failure = new IOException(message + ", the read is cut short", new KelpException(500, "BlobCorrupt", message));
        return failure;
    }
}

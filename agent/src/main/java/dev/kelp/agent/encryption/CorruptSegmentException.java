package dev.kelp.agent.encryption;

import java.io.IOException;

/**
 * An encrypted blob failed authentication part-way through a read (a segment altered, moved,
 * missing or cut short): the read stops there, with no byte of the bad segment handed out.
 */
public class CorruptSegmentException extends IOException {

    /** The cause says it as the API answers it (500 BlobCorrupt), for a reader that reports causes. */
    CorruptSegmentException(BlobIntegrityException cause) {
        super(cause.getMessage(), cause);
    }
}

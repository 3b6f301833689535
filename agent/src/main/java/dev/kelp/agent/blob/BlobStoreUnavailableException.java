package dev.kelp.agent.blob;

/** The store cannot be reached or refused to work (breaker open, timeout, 5xx, bad credentials). */
public class BlobStoreUnavailableException extends RuntimeException {

    public BlobStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

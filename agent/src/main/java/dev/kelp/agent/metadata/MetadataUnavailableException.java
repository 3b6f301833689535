package dev.kelp.agent.metadata;

/** The metadata store cannot be reached; the agent switches to LOCAL_ONLY. */
public class MetadataUnavailableException extends RuntimeException {

    public MetadataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.kelp.agent.object;

/**
 * A request the agent refuses or cannot serve, with the HTTP status and a stable error code
 * clients can match on. The message is for people.
 */
public class KelpException extends RuntimeException {

    private final int status;
    private final String code;

    public KelpException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}

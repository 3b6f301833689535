package dev.kelp.agent.blob.remote;

/** The key or bucket is not in SeaweedFS; the store turns this into its own answer. */
class NotFoundInSeaweedFs extends RuntimeException {

    NotFoundInSeaweedFs(Throwable cause) {
        super(cause.getMessage(), cause, false, false);
    }
}

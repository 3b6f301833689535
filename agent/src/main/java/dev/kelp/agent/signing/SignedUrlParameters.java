package dev.kelp.agent.signing;

/** The query parameters of an agent-signed URL. */
final class SignedUrlParameters {

    static final String EXPIRES = "X-Kelp-Expires";
    static final String SIGNATURE = "X-Kelp-Signature";

    private SignedUrlParameters() {
    }

    /** The method a signature is made for: HEAD is a GET without the body. */
    static String signedMethod(String method) {
        return method.equals("HEAD") ? "GET" : method;
    }
}

package dev.kelp.operator.policy;

import java.util.Objects;

/**
 * Where the agents of every policy send their mode reports, and the CA that signs the
 * operator's certificate there. Rendered into each policy's ConfigMap: the url as
 * {@code kelp.report.url}, the PEM under key {@value #CA_KEY}, mounted for the agent at
 * {@value #CA_FILE}.
 *
 * @param url   HTTPS url of the operator's report endpoint, as the agents reach it
 * @param caPem PEM of the CA the agents trust for it (a certificate, no key)
 */
public record ReportTarget(String url, String caPem) {

    /** ConfigMap key of the CA certificate. */
    public static final String CA_KEY = "operator-ca.crt";

    /** Where the webhook mounts the ConfigMap ({@code /etc/kelp}), plus {@link #CA_KEY}. */
    public static final String CA_FILE = "/etc/kelp/" + CA_KEY;

    public ReportTarget {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(caPem, "caPem");
        if (caPem.contains("PRIVATE KEY")) {
            throw new IllegalArgumentException("the report CA goes into a ConfigMap: give the certificate, never a key");
        }
    }
}

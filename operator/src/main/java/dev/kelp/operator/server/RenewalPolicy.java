package dev.kelp.operator.server;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When the operator's own certificates are due: the serving certificate some time before it
 * expires, the CA when it would not outlive a fresh serving certificate, and both when the
 * names the certificate must cover have changed (another Service name after a Helm change).
 *
 * @param caValidity   lifetime of a new CA
 * @param leafValidity lifetime of a new serving certificate
 * @param renewBefore  how long before the serving certificate expires it is replaced
 */
public record RenewalPolicy(Duration caValidity, Duration leafValidity, Duration renewBefore) {

    /** Ten-year CA, one-year serving certificate renewed a month ahead: renewals stay rare but rehearsed. */
    public static final RenewalPolicy DEFAULT = new RenewalPolicy(Duration.ofDays(3650), Duration.ofDays(365), Duration.ofDays(30));

    public RenewalPolicy {
        if (renewBefore.compareTo(leafValidity) >= 0) {
            throw new IllegalArgumentException("renewBefore must be shorter than leafValidity");
        }
    }

    public enum Due { NOTHING, LEAF, CA }

    public Due due(CertificateBundle bundle, CertificateIssuer.SubjectNames names, Instant now) {
        if (bundle.caKeyPem() == null || bundle.caNotAfter().isBefore(now.plus(leafValidity))) {
            return Due.CA;
        }
        if (bundle.leafNotAfter().isBefore(now.plus(renewBefore)) || !covers(bundle.leaf(), names)) {
            return Due.LEAF;
        }
        return Due.NOTHING;
    }

    private static boolean covers(X509Certificate leaf, CertificateIssuer.SubjectNames names) {
        Set<String> present = new HashSet<>();
        try {
            var sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    present.add(String.valueOf(san.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return present.containsAll(names.dnsNames()) && present.containsAll(names.ipAddresses());
    }
}

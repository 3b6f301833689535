package dev.kelp.operator.server;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * A serving certificate with its key and the CA that signed it, as PEM text: the form the
 * Secret, a cert-manager mount and a webhook's caBundle all use.
 *
 * @param caPem     the CA certificate(s) clients trust
 * @param certPem   the serving certificate, optionally followed by intermediates
 * @param keyPem    the serving certificate's private key
 * @param caKeyPem  the CA's private key when the operator is its own CA (to renew the serving
 *                  certificate under the same CA); null when someone else issues (cert-manager)
 */
public record CertificateBundle(String caPem, String certPem, String keyPem, String caKeyPem) {

    public CertificateBundle {
        Objects.requireNonNull(caPem, "caPem");
        Objects.requireNonNull(certPem, "certPem");
        Objects.requireNonNull(keyPem, "keyPem");
    }

    public X509Certificate[] chain() {
        return Pem.certificates(certPem).toArray(X509Certificate[]::new);
    }

    public X509Certificate leaf() {
        return chain()[0];
    }

    public X509Certificate ca() {
        return Pem.certificates(caPem).getFirst();
    }

    public PrivateKey key() {
        return Pem.privateKey(keyPem);
    }

    public PrivateKey caKey() {
        return caKeyPem == null ? null : Pem.privateKey(caKeyPem);
    }

    public Instant leafNotAfter() {
        return leaf().getNotAfter().toInstant();
    }

    public Instant caNotAfter() {
        return ca().getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        // Never print key material into a log line.
        return "CertificateBundle[" + leaf().getSubjectX500Principal() + ", until " + leafNotAfter() + "]";
    }
}

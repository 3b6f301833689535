package dev.kelp.operator.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cert-manager mode: the certificate lives in a Secret that cert-manager issues and
 * renews, mounted as a directory with the keys {@code tls.crt}, {@code tls.key} and
 * {@code ca.crt}. The kubelet swaps the files atomically when cert-manager renews, and the
 * refresher re-reads them; cert-manager's CA injector keeps the webhook's caBundle, so the
 * operator never patches it in this mode.
 */
public final class MountedCertificates implements CertificateSource {

    private final Path dir;

    public MountedCertificates(Path dir) {
        this.dir = dir;
    }

    @Override
    public CertificateBundle load() {
        String cert = read("tls.crt");
        String key = read("tls.key");
        Path ca = dir.resolve("ca.crt");
        // Without ca.crt (an issuer that does not publish it), trust the chain's last certificate.
        String caPem = Files.isRegularFile(ca) ? read("ca.crt") : Pem.of(last(Pem.certificates(cert)));
        return new CertificateBundle(caPem, cert, key, null);
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(name) + " (is the certificate Secret mounted?)", e);
        }
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}

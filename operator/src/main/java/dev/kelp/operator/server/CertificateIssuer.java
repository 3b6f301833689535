package dev.kelp.operator.server;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the operator's own CA and the serving certificate it signs. Bouncy Castle does the
 * signing: the JDK verifies and serves certificates but has no public API to issue one.
 * Keys are ECDSA P-256: small, fast to make at startup, and accepted by every TLS client
 * the API server and the agents use.
 */
public final class CertificateIssuer {

    /** Back-dated so a client whose clock runs a little behind accepts a fresh certificate. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateIssuer() {
    }

    /** A new self-signed CA and a serving certificate under it for the given names. */
    public static CertificateBundle issue(String caName, SubjectNames names, Instant now, Duration caValidity, Duration leafValidity) {
        KeyPair caKeys = newKeyPair();
        X509Certificate ca = selfSignedCa(caName, caKeys, now, caValidity);
        return serving(Pem.of(ca), ca, caKeys.getPrivate(), names, now, leafValidity);
    }

    /** A new serving certificate under an existing CA, whose PEM (caPem) is kept as it is. */
    public static CertificateBundle renew(CertificateBundle previous, SubjectNames names, Instant now, Duration leafValidity) {
        if (previous.caKeyPem() == null) {
            throw new IllegalArgumentException("cannot renew without the CA's key");
        }
        return serving(previous.caPem(), previous.ca(), previous.caKey(), names, now, leafValidity);
    }

    private static CertificateBundle serving(String caPem, X509Certificate ca, PrivateKey caKey, SubjectNames names, Instant now, Duration validity) {
        KeyPair keys = newKeyPair();
        try {
            var sans = new ArrayList<GeneralName>();
            names.dnsNames().forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
            for (String ip : names.ipAddresses()) {
                sans.add(new GeneralName(GeneralName.iPAddress, InetAddress.getByName(ip).getHostAddress()));
            }
            var builder = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)),
                new X500Name("CN=" + names.commonName()), keys.getPublic());
            var ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            X509Certificate leaf = sign(builder, caKey);
            return new CertificateBundle(caPem, Pem.of(leaf), Pem.of(keys.getPrivate()), Pem.of(caKey));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot issue the serving certificate", e);
        }
    }

    private static X509Certificate selfSignedCa(String name, KeyPair keys, Instant now, Duration validity) {
        var subject = new X500Name("CN=" + name);
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue the CA certificate", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            var signerAlgorithm = "EC".equals(signer.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(signerAlgorithm).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator in this JDK", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    /** Who the serving certificate speaks for: the webhook Service's DNS names, and IPs for tests. */
    public record SubjectNames(String commonName, List<String> dnsNames, List<String> ipAddresses) {

        public SubjectNames {
            dnsNames = List.copyOf(dnsNames);
            ipAddresses = List.copyOf(ipAddresses);
        }

        /** {@code <service>.<ns>.svc} and {@code .svc.cluster.local}, the names a Service clientConfig and agents use. */
        public static SubjectNames forService(String service, String namespace, List<String> ipAddresses) {
            String svc = service + "." + namespace + ".svc";
            return new SubjectNames(svc, List.of(service, service + "." + namespace, svc, svc + ".cluster.local"), ipAddresses);
        }
    }
}

package dev.kelp.operator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.operator.server.CertificateIssuer.SubjectNames;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cert-manager mode over a real TLS socket: the endpoint serves what is mounted, and
 * serves the new certificate once the mounted files change, without a restart.
 */
class MountedCertificatesIT {

    private static final SubjectNames NAMES = SubjectNames.forService("kelp-operator", "kelp-system", List.of("127.0.0.1"));

    @TempDir
    Path dir;

    @Test
    void theEndpointServesTheMountedCertificateAndPicksUpItsRenewal() throws Exception {
        var first = CertificateIssuer.issue("test-ca", NAMES, Instant.now(), Duration.ofDays(30), Duration.ofDays(2));
        mount(first);
        var refresher = new CertificateRefresher(new MountedCertificates(dir));
        try (refresher; var endpoint = new HttpsEndpoint(new InetSocketAddress("127.0.0.1", 0), refresher.start(Duration.ofMillis(200)), HttpsEndpoint.Settings.DEFAULT)) {
            refresher.onChange(endpoint::useCertificate);
            endpoint.mount("/hello", exchange -> {
                byte[] body = "hi".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            }).start();

            assertThat(servedSerial(endpoint, first)).isEqualTo(first.leaf().getSerialNumber());

            var renewed = CertificateIssuer.renew(first, NAMES, Instant.now(), Duration.ofDays(2));
            mount(renewed);
            await().atMost(Duration.ofSeconds(5)).until(() -> servedSerial(endpoint, first).equals(renewed.leaf().getSerialNumber()));
        }
    }

    @Test
    void aMountWithoutCaCrtTrustsTheLastCertificateOfTheChain() throws Exception {
        var bundle = CertificateIssuer.issue("test-ca", NAMES, Instant.now(), Duration.ofDays(30), Duration.ofDays(2));
        Files.writeString(dir.resolve("tls.crt"), bundle.certPem() + bundle.caPem());
        Files.writeString(dir.resolve("tls.key"), bundle.keyPem());

        var loaded = new MountedCertificates(dir).load();

        assertThat(loaded.ca()).isEqualTo(bundle.ca());
        assertThat(loaded.leaf()).isEqualTo(bundle.leaf());
        assertThat(loaded.caKeyPem()).isNull();
    }

    /** Like the kubelet: new files land beside the old and replace them in one rename each. */
    private void mount(CertificateBundle bundle) throws Exception {
        for (var file : List.of(new String[] {"ca.crt", bundle.caPem()}, new String[] {"tls.crt", bundle.certPem()}, new String[] {"tls.key", bundle.keyPem()})) {
            Path tmp = dir.resolve(file[0] + ".new");
            Files.writeString(tmp, file[1]);
            Files.move(tmp, dir.resolve(file[0]), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static java.math.BigInteger servedSerial(HttpsEndpoint endpoint, CertificateBundle trusted) throws Exception {
        var trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(trusted.caPem().getBytes(StandardCharsets.UTF_8))));
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        // A fresh client each time: a pooled connection would keep the old session's certificate.
        try (var http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build()) {
            var response = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + endpoint.port() + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("hi");
            SSLSession session = response.sslSession().orElseThrow();
            return ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber();
        }
    }
}

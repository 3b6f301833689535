package dev.kelp.operator.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.operator.server.CertificateIssuer.SubjectNames;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The certificate Secret on the real API server: shared by replicas, renewed in place. */
class SelfManagedCertificatesIT {

    private static final String NAMESPACE = "certificates-it";
    private static final SubjectNames NAMES = SubjectNames.forService("kelp-operator", NAMESPACE, List.of("127.0.0.1"));

    private static KubernetesClient client;

    @BeforeAll
    static void connect() {
        client = TestCluster.client();
        TestCluster.createNamespace(client, NAMESPACE);
    }

    @AfterAll
    static void close() {
        client.secrets().inNamespace(NAMESPACE).delete();
        client.close();
    }

    @Test
    void twoReplicasStartingTogetherServeTheSameCertificate() throws Exception {
        client.secrets().inNamespace(NAMESPACE).withName("race").delete();
        var barrier = new CyclicBarrier(2);
        Callable<CertificateBundle> replica = () -> {
            var source = new SelfManagedCertificates(client, NAMESPACE, "race", NAMES, RenewalPolicy.DEFAULT, Clock.systemUTC());
            barrier.await();
            return source.load();
        };
        try (var pool = Executors.newFixedThreadPool(2)) {
            var a = pool.submit(replica);
            var b = pool.submit(replica);
            assertThat(a.get().certPem()).isEqualTo(b.get().certPem());
            assertThat(a.get().caPem()).isEqualTo(b.get().caPem());
        }
        var stored = client.secrets().inNamespace(NAMESPACE).withName("race").get();
        assertThat(stored.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(stored.getData()).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
    }

    @Test
    void aCertificateNearItsEndIsRenewedUnderTheSameCaAndStored() {
        client.secrets().inNamespace(NAMESPACE).withName("renew").delete();
        var today = new SelfManagedCertificates(client, NAMESPACE, "renew", NAMES, RenewalPolicy.DEFAULT, Clock.systemUTC()).load();
        var inElevenMonths = Clock.fixed(Clock.systemUTC().instant().plus(Duration.ofDays(340)), ZoneOffset.UTC);

        var later = new SelfManagedCertificates(client, NAMESPACE, "renew", NAMES, RenewalPolicy.DEFAULT, inElevenMonths).load();

        assertThat(later.certPem()).isNotEqualTo(today.certPem());
        assertThat(later.caPem()).isEqualTo(today.caPem());
        assertThat(later.leafNotAfter()).isAfter(today.leafNotAfter());
        var reread = new SelfManagedCertificates(client, NAMESPACE, "renew", NAMES, RenewalPolicy.DEFAULT, inElevenMonths).load();
        assertThat(reread.certPem()).isEqualTo(later.certPem());
    }

    @Test
    void aServiceRenamedIsCoveredByANewCertificate() {
        client.secrets().inNamespace(NAMESPACE).withName("renamed").delete();
        var before = new SelfManagedCertificates(client, NAMESPACE, "renamed", NAMES, RenewalPolicy.DEFAULT, Clock.systemUTC()).load();
        var renamed = SubjectNames.forService("kelp-webhook", NAMESPACE, List.of());

        var after = new SelfManagedCertificates(client, NAMESPACE, "renamed", renamed, RenewalPolicy.DEFAULT, Clock.systemUTC()).load();

        assertThat(after.certPem()).isNotEqualTo(before.certPem());
        assertThat(RenewalPolicy.DEFAULT.due(after, renamed, Clock.systemUTC().instant())).isEqualTo(RenewalPolicy.Due.NOTHING);
    }
}

package dev.kelp.operator.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.operator.server.CertificateIssuer.SubjectNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {

    private static final SubjectNames NAMES = SubjectNames.forService("kelp-operator", "kelp-system", List.of("127.0.0.1"));
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final RenewalPolicy POLICY = RenewalPolicy.DEFAULT;
    private static final CertificateBundle FRESH = CertificateIssuer.issue("ca", NAMES, NOW, POLICY.caValidity(), POLICY.leafValidity());

    @Test
    void aFreshCertificateIsNotDue() {
        assertThat(POLICY.due(FRESH, NAMES, NOW)).isEqualTo(RenewalPolicy.Due.NOTHING);
        assertThat(POLICY.due(FRESH, NAMES, NOW.plus(Duration.ofDays(334)))).isEqualTo(RenewalPolicy.Due.NOTHING);
    }

    @Test
    void theServingCertificateIsDueAMonthBeforeItEnds() {
        assertThat(POLICY.due(FRESH, NAMES, NOW.plus(Duration.ofDays(336)))).isEqualTo(RenewalPolicy.Due.LEAF);
    }

    @Test
    void theCaIsDueWhenItWouldNotOutliveANewServingCertificate() {
        assertThat(POLICY.due(FRESH, NAMES, NOW.plus(Duration.ofDays(3650 - 364)))).isEqualTo(RenewalPolicy.Due.CA);
    }

    @Test
    void aNameTheCertificateDoesNotCoverMakesItDue() {
        var other = SubjectNames.forService("kelp-webhook", "kelp-system", List.of());
        assertThat(POLICY.due(FRESH, other, NOW)).isEqualTo(RenewalPolicy.Due.LEAF);
    }

    @Test
    void issuedCertificatesCoverTheServiceNamesAndServeOnlyAsServers() throws Exception {
        var leaf = FRESH.leaf();
        assertThat(leaf.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
            .contains("kelp-operator.kelp-system.svc", "kelp-operator.kelp-system.svc.cluster.local", "127.0.0.1");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        leaf.verify(FRESH.ca().getPublicKey());
        assertThat(FRESH.ca().getBasicConstraints()).isZero();
        assertThat(Pem.privateKey(FRESH.keyPem()).getAlgorithm()).isEqualTo("EC");
    }
}

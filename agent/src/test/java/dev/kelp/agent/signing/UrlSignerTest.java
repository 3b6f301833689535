package dev.kelp.agent.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.signing.UrlSigner.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UrlSignerTest {

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    final UrlSigner signer = new UrlSigner(KEY, Clock.fixed(NOW, ZoneOffset.UTC));
    final Instant expires = NOW.plusSeconds(900);
    final String signature = signer.sign("GET", "cards", "bg/forest.png", expires);

    @Test
    void aGenuineUnexpiredSignatureIsValid() {
        assertThat(signer.verify("GET", "cards", "bg/forest.png", expires.getEpochSecond(), signature)).isEqualTo(Verdict.VALID);
        assertThat(signature).hasSize(64).matches("[0-9a-f]+");
    }

    @Test
    void changingAnySignedPartIsAMismatch() {
        long e = expires.getEpochSecond();
        assertThat(signer.verify("PUT", "cards", "bg/forest.png", e, signature)).isEqualTo(Verdict.MISMATCH);
        assertThat(signer.verify("GET", "images", "bg/forest.png", e, signature)).isEqualTo(Verdict.MISMATCH);
        assertThat(signer.verify("GET", "cards", "bg/forest.jpg", e, signature)).isEqualTo(Verdict.MISMATCH);
        assertThat(signer.verify("GET", "cards", "bg/forest.png", e + 3600, signature)).as("a longer life").isEqualTo(Verdict.MISMATCH);
        assertThat(signer.verify("GET", "cards", "bg/forest.png", e, "not-hex")).isEqualTo(Verdict.MISMATCH);
        assertThat(signer.verify("GET", "cards", "bg/forest.png", e, "0".repeat(64))).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void anotherKeyCannotForgeIt() {
        var other = new UrlSigner("another key, also thirty-two bytes!".getBytes(StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(other.verify("GET", "cards", "bg/forest.png", expires.getEpochSecond(), signature)).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void aGenuineSignaturePastItsTimeIsExpiredButAForgedOneStaysAMismatch() {
        var later = new UrlSigner(KEY, Clock.fixed(expires.plusSeconds(1), ZoneOffset.UTC));
        assertThat(later.verify("GET", "cards", "bg/forest.png", expires.getEpochSecond(), signature)).isEqualTo(Verdict.EXPIRED);
        assertThat(later.verify("GET", "cards", "other", expires.getEpochSecond(), signature)).isEqualTo(Verdict.MISMATCH);
        var atTheSecond = new UrlSigner(KEY, Clock.fixed(expires, ZoneOffset.UTC));
        assertThat(atTheSecond.verify("GET", "cards", "bg/forest.png", expires.getEpochSecond(), signature)).isEqualTo(Verdict.VALID);
    }

    @Test
    void fieldsCannotBeShiftedIntoOneAnother() {
        assertThat(UrlSigner.stringToSign("GET", "cards", "a/b", 1))
            .isNotEqualTo(UrlSigner.stringToSign("GET", "cards/a", "b", 1));
    }

    @Test
    void pathSegmentsAreEncodedButSlashesKept() {
        assertThat(SignedUrlService.encodePath("bg/my forest+1 é.png")).isEqualTo("bg/my%20forest%2B1%20%C3%A9.png");
    }
}

package dev.kelp.agent.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.access.PrincipalsFile.InvalidPrincipalsException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PrincipalsFileTest {

    private static final String TWO_OWNERS = """
        owners:
          - name: alice
            tokens: [alice-token-0123456789]
            s3Keys:
              - accessKeyId: AKALICE
                secretAccessKey: alice-secret-key
            quota: {maxBytes: 1MiB, maxObjects: 10}
          - name: bob
            tokens: [bob-token-0123456789, bob-second-token-0123]
        """;

    @Test
    void tokensAndKeysNameTheirOwnersAndQuotasAreRead() {
        Principals p = PrincipalsFile.parse(TWO_OWNERS);
        assertThat(p.byToken("alice-token-0123456789")).get().extracting(Caller::owner).isEqualTo("alice");
        assertThat(p.byToken("bob-second-token-0123")).get().extracting(Caller::owner).isEqualTo("bob");
        assertThat(p.byToken("nobody-token-0123456789")).isEmpty();
        assertThat(p.byAccessKey("AKALICE")).get().satisfies(k -> {
            assertThat(k.secretAccessKey()).isEqualTo("alice-secret-key");
            assertThat(k.caller().owner()).isEqualTo("alice");
            assertThat(k.caller().principal()).isEqualTo("s3:AKALICE");
        });
        assertThat(p.quotaOf("alice")).contains(new OwnerQuota(1024 * 1024, 10));
        assertThat(p.quotaOf("bob")).isEmpty();
        assertThat(p.tokensRequired()).isTrue();
    }

    @Test
    void theAuditLabelOfATokenDoesNotGiveTheTokenAway() {
        Caller alice = PrincipalsFile.parse(TWO_OWNERS).byToken("alice-token-0123456789").orElseThrow();
        assertThat(alice.principal()).startsWith("token:").doesNotContain("alice-token");
        assertThat(PrincipalsFile.parse(TWO_OWNERS).toString()).doesNotContain("alice-token").doesNotContain("alice-secret");
    }

    @Test
    void jsonIsAcceptedAndAnEmptyFileHasNoPrincipals() {
        Principals p = PrincipalsFile.parse("{\"owners\": [{\"name\": \"ci\", \"tokens\": [\"ci-token-0123456789\"]}]}");
        assertThat(p.byToken("ci-token-0123456789")).get().extracting(Caller::owner).isEqualTo("ci");
        assertThat(PrincipalsFile.parse("").tokensRequired()).isFalse();
        assertThat(PrincipalsFile.parse("owners: []").s3Keys()).isEmpty();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "owners: {name: a}|owners must be a list",
        "owners: [{tokens: [abcdefghijklmnopqr]}]|owners[0].name is required",
        "owners: [{name: Alice}]|owners[0].name 'Alice' must be",
        "owners: [{name: a}, {name: a}]|owner a is listed twice",
        "owners: [{name: a, tokens: [short]}]|owners[0].tokens[0] must be at least 16",
        "owners: [{name: a, tokens: [abcdefghijklmnopqr]}, {name: b, tokens: [abcdefghijklmnopqr]}]|owners[1].tokens[0] is also a token of owner a",
        "owners: [{name: a, s3Keys: [{accessKeyId: AK1, secretAccessKey: longenough}]}, {name: b, s3Keys: [{accessKeyId: AK1, secretAccessKey: longenough}]}]|access key id AK1 is also a key of owner a",
        "owners: [{name: a, s3Keys: [{accessKeyId: AK1}]}]|owners[0].s3Keys[0].secretAccessKey is required",
        "owners: [{name: a, quota: {maxBytes: 10 gigs}}]|owners[0].quota.maxBytes",
        "owners: [{name: a, quota: {maxObjects: -1}}]|owners[0].quota.maxObjects must be a whole number",
        "owners: [{name: a, role: admin}]|unknown field 'role'",
        "owners: [{name: a|not YAML or JSON",
    })
    void everyMistakeIsRefusedWithWhereItIs(String text, String message) {
        var refused = assertThatThrownBy(() -> PrincipalsFile.parse(text)).isInstanceOf(InvalidPrincipalsException.class);
        if (message != null) {
            refused.hasMessageContaining(message);
        }
    }
}

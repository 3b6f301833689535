package dev.kelp.agent.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.metadata.TierMetadata.Reference;
import dev.kelp.agent.object.KelpException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TierRulesTest {

    private static final TierRuleConfig.Target TARGET = new TierRuleConfig.Target("cold", "", null, "us-east-1", null, null, null, null);
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static TierRuleConfig rule(String name, Duration coldAfter, Duration expireAfter, TierRuleConfig.Target target) {
        return new TierRuleConfig(name, new TierRuleConfig.Match("docs/", List.of("text/*"), 10L, null), coldAfter, expireAfter, target, null);
    }

    @Test
    void aRulesOwnPromoteOnReadWinsOverTheAgentsAndAbsentFollowsIt() {
        var match = new TierRuleConfig.Match("", null, null, null);
        TierRule silent = TierRules.compile(new TierRuleConfig("silent", match, Duration.ofHours(1), null, TARGET, null));
        TierRule archive = TierRules.compile(new TierRuleConfig("archive", match, Duration.ofHours(1), null, TARGET, false));
        TierRule eager = TierRules.compile(new TierRuleConfig("eager", match, Duration.ofHours(1), null, TARGET, true));

        assertThat(silent.promotesOnRead(true)).isTrue();
        assertThat(silent.promotesOnRead(false)).isFalse();
        assertThat(archive.promotesOnRead(true)).isFalse();
        assertThat(eager.promotesOnRead(false)).isTrue();
    }

    @Test
    void anObjectIsDueColdOnlyWhenItWasNeitherWrittenNorReadForColdAfter() {
        TierRule r = TierRules.compile(rule("a", Duration.ofHours(1), null, TARGET));
        assertThat(r.dueCold("docs/a", "text/plain", 100, NOW.minus(Duration.ofMinutes(61)), NOW)).isTrue();
        assertThat(r.dueCold("docs/a", "text/plain", 100, NOW.minus(Duration.ofMinutes(59)), NOW)).isFalse();
        assertThat(r.dueCold("docs/a", "text/plain", 100, NOW.minus(Duration.ofHours(1)), NOW)).as("exactly cold-after: not yet").isFalse();
        assertThat(r.dueCold("docs/a", "image/png", 100, NOW.minus(Duration.ofDays(9)), NOW)).as("not matched").isFalse();
    }

    @Test
    void theLaterOfWriteAndReadIsAnObjectsLastUse() {
        Instant written = NOW.minus(Duration.ofDays(2));
        assertThat(new Reference("k", "text/plain", 1, written, null).lastUsed()).isEqualTo(written);
        assertThat(new Reference("k", "text/plain", 1, written, NOW).lastUsed()).isEqualTo(NOW);
        // An overwrite keeps the row's last read, which may be older than the new version.
        assertThat(new Reference("k", "text/plain", 1, written, written.minusSeconds(5)).lastUsed()).isEqualTo(written);
    }

    @Test
    void aSharedBlobMovesOnlyWhenEveryObjectUsingItIsDue() {
        TierRule r = TierRules.compile(rule("a", Duration.ofHours(1), null, TARGET));
        Instant old = NOW.minus(Duration.ofDays(1));
        var due = new Reference("docs/a", "text/plain", 100, old, null);
        var dueToo = new Reference("docs/b", "text/csv", 100, old, old);
        var readRecently = new Reference("docs/c", "text/plain", 100, old, NOW.minusSeconds(60));
        var unmatched = new Reference("keep/d", "text/plain", 100, old, null);
        assertThat(r.allDueCold(List.of(due, dueToo), NOW)).isTrue();
        assertThat(r.allDueCold(List.of(due, readRecently), NOW)).isFalse();
        assertThat(r.allDueCold(List.of(due, unmatched), NOW)).isFalse();
        assertThat(r.allDueCold(List.of(), NOW)).as("nothing current uses it: not this rule's to move").isFalse();
    }

    @Test
    void expiryCountsFromLastUseToo() {
        TierRule r = TierRules.compile(rule("a", Duration.ofHours(1), Duration.ofDays(30), TARGET));
        assertThat(r.expires()).isTrue();
        assertThat(r.expireCutoff(NOW)).isEqualTo(NOW.minus(Duration.ofDays(30)));
        assertThat(TierRules.compile(rule("b", Duration.ofHours(1), null, TARGET)).expires()).isFalse();
    }

    @Test
    void aRuleThatCannotBeCarriedOutStopsTheAgentNamingIt() {
        assertThatThrownBy(() -> TierRules.compile(rule(" ", Duration.ofHours(1), null, TARGET))).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> TierRules.compile(rule("r", null, null, TARGET))).hasMessageContaining("rules r: cold-after");
        assertThatThrownBy(() -> TierRules.compile(rule("r", Duration.ZERO, null, TARGET))).hasMessageContaining("cold-after");
        assertThatThrownBy(() -> TierRules.compile(rule("r", Duration.ofHours(2), Duration.ofHours(2), TARGET)))
            .hasMessageContaining("expire-after (PT2H) must be longer than cold-after (PT2H)");
        assertThatThrownBy(() -> TierRules.compile(rule("r", Duration.ofHours(1), null, null))).hasMessageContaining("target.bucket is required");
        var noKeys = new TierRuleConfig.Target("cold", "", URI.create("https://s3.example"), "eu-west-1", null, null, null, null);
        assertThat(TierRules.compile(rule("r", Duration.ofHours(1), null, noKeys)).target()).as("its runs fail instead, saying so").isEqualTo(noKeys);
        assertThat(noKeys.hasCredentials()).isFalse();
        var mounted = new TierRuleConfig.Target("cold", "", URI.create("https://s3.example"), "eu-west-1", null, null,
            "offsite", java.nio.file.Path.of("/etc/kelp-targets/offsite"));
        assertThat(mounted.hasCredentials()).isTrue();
        assertThat(mounted.credentials()).isInstanceOf(dev.kelp.agent.config.MountedCredentials.class);
        var backwards = new TierRuleConfig("r", new TierRuleConfig.Match("", null, 10L, 5L), Duration.ofHours(1), null, TARGET, null);
        assertThatThrownBy(() -> TierRules.compile(backwards)).hasMessageContaining("rules r: match.min-size");
        assertThatThrownBy(() -> new TierRules(List.of(rule("r", Duration.ofHours(1), null, TARGET), rule("r", Duration.ofHours(2), null, TARGET))))
            .hasMessageContaining("names r twice");
    }

    @Test
    void anUnknownRuleIsA404NamingTheRulesThereAre() {
        var rules = new TierRules(List.of(rule("archive", Duration.ofHours(1), null, TARGET)));
        assertThatThrownBy(() -> rules.require("nightly")).isInstanceOfSatisfying(KelpException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.code()).isEqualTo("UnknownTierRule");
            assertThat(e.getMessage()).contains("nightly", "archive");
        });
    }

    @Test
    void everyMoveOfABlobHasALocationOfItsOwn() {
        var hash = dev.kelp.agent.object.ContentHash.ofBytes(new byte[] {1});
        var prefixed = new TierRuleConfig.Target("cold", "tiers", null, "us-east-1", null, null, null, null);
        assertThat(ColdStore.key(prefixed, "cards", hash, "m1", false)).isEqualTo("tiers/cards/blobs/" + hash.shardedPath() + ".m1");
        assertThat(ColdStore.key(TARGET, "cards", hash, "m2", true)).isEqualTo("cards/blobs/" + hash.shardedPath() + ".m2.enc");
    }
}

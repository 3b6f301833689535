package dev.kelp.agent.tiering;

import java.time.Duration;
import java.time.Instant;

/**
 * One rule, checked and ready to run: its matcher, when an object turns cold and when it
 * expires, its target, and whether reads bring its objects back hot (null: as the agent says).
 */
public record TierRule(String name, TierMatcher matcher, Duration coldAfter, Duration expireAfter, TierRuleConfig.Target target,
                       Boolean promoteOnRead) {

    /** Whether a read of an object this rule moved cold promotes it, given the agent-wide setting. */
    boolean promotesOnRead(boolean agentDefault) {
        return promoteOnRead == null ? agentDefault : promoteOnRead;
    }

    /** Objects unused since before this are due to move cold at {@code now}. */
    Instant coldCutoff(Instant now) {
        return now.minus(coldAfter);
    }

    boolean expires() {
        return expireAfter != null;
    }

    /** Objects unused since before this are due to expire at {@code now}. */
    Instant expireCutoff(Instant now) {
        return now.minus(expireAfter);
    }

    /** Whether an object of this key, type and size, last used at {@code lastUsed}, is due to move cold at {@code now}. */
    boolean dueCold(String key, String contentType, long size, Instant lastUsed, Instant now) {
        return matcher.matches(key, contentType, size) && lastUsed.isBefore(coldCutoff(now));
    }

    /**
     * Whether a blob these current objects share may move cold: only when every one of them is
     * due, so a blob never goes cold under an object someone still uses or this rule does not match.
     */
    boolean allDueCold(java.util.List<dev.kelp.agent.metadata.TierMetadata.Reference> sharing, Instant now) {
        return !sharing.isEmpty() && sharing.stream().allMatch(r -> dueCold(r.key(), r.contentType(), r.size(), r.lastUsed(), now));
    }
}

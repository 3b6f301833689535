package dev.kelp.agent.tiering;

import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of {@code kelp.tiering.rules}, by name, each checked once at startup: a rule that
 * cannot be carried out (no name, no cold-after, expire-after not after cold-after, no target
 * bucket, sizes the wrong way round) stops the agent with a message naming it. A target endpoint
 * without keys does not: its runs fail and say so in the TierRule's status, while the agent serves.
 */
@Singleton
public class TierRules {

    private final Map<String, TierRule> byName = new LinkedHashMap<>();

    TierRules(List<TierRuleConfig> rules) {
        for (TierRuleConfig r : rules) {
            TierRule rule = compile(r);
            if (byName.putIfAbsent(rule.name(), rule) != null) {
                throw new IllegalArgumentException("kelp.tiering.rules names " + rule.name() + " twice");
            }
        }
    }

    static TierRule compile(TierRuleConfig r) {
        if (r.name() == null || r.name().isBlank()) {
            throw new IllegalArgumentException("every kelp.tiering.rules entry needs a name");
        }
        String where = "kelp.tiering.rules " + r.name() + ": ";
        if (r.coldAfter() == null || r.coldAfter().isNegative() || r.coldAfter().isZero()) {
            throw new IllegalArgumentException(where + "cold-after must be a positive duration, such as 720h");
        }
        if (r.expireAfter() != null && r.expireAfter().compareTo(r.coldAfter()) <= 0) {
            throw new IllegalArgumentException(where + "expire-after (" + r.expireAfter() + ") must be longer than cold-after ("
                + r.coldAfter() + "): an object turns cold before it expires");
        }
        if (r.target() == null || r.target().bucket() == null || r.target().bucket().isBlank()) {
            throw new IllegalArgumentException(where + "target.bucket is required");
        }
        TierMatcher matcher;
        try {
            matcher = TierMatcher.of(r.match());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "match." + e.getMessage(), e);
        }
        return new TierRule(r.name(), matcher, r.coldAfter(), r.expireAfter(), r.target(), r.promoteOnRead());
    }

    /** The rule of that name; 404 {@code UnknownTierRule} naming the rules there are otherwise. */
    public TierRule require(String name) {
        var rule = byName.get(name);
        if (rule == null) {
            throw TieringException.unknownRule(name, byName.keySet());
        }
        return rule;
    }

    /** The rule of that name, if this agent has it (a cold copy may outlive the rule that moved it). */
    Optional<TierRule> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Collection<TierRule> all() {
        return byName.values();
    }

    Set<String> names() {
        return byName.keySet();
    }
}

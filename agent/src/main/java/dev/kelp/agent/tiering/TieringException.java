package dev.kelp.agent.tiering;

import dev.kelp.agent.object.KelpException;
import java.util.Collection;

/** A tiering request the agent refuses; nothing was changed. */
public final class TieringException extends KelpException {

    private TieringException(int status, String code, String message) {
        super(status, code, message);
    }

    static TieringException unknownRule(String name, Collection<String> known) {
        return new TieringException(404, "UnknownTierRule", "no tier rule named " + name
            + (known.isEmpty() ? "; this agent has none (kelp.tiering.rules)" : "; this agent has " + String.join(", ", known)));
    }

    public static TieringException leaseHeld(String name) {
        return new TieringException(409, "TierRunInProgress", "tier rule " + name
            + " is being run by another agent of the policy (it holds the lease); try again when that run has finished");
    }

    static TieringException coldUnavailable(String key, String why) {
        return new TieringException(503, "ColdTierUnavailable", "object " + key + " is on its cold target, which cannot be read right now: " + why);
    }
}

package dev.kelp.agent.access;

import java.util.Objects;

/**
 * Who is asking: the owner its credential names, and the credential itself for the audit trail
 * (a token's label or an S3 access key id, never a secret).
 *
 * @param owner     the owner the caller reads and writes as; what a write records
 * @param principal the credential that identified the caller, for the audit trail
 * @param seesAll   the agent's own work (sync, backup, restore) and signed URLs, whose access was
 *                  judged when they were made: no owner filter applies
 */
public record Caller(String owner, String principal, boolean seesAll) {

    /** The owner of objects written with no principals configured, and of objects older than owners. */
    public static final String DEFAULT_OWNER = "default";

    public Caller {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(principal, "principal");
    }

    /** A caller an owner's credential identified. */
    public static Caller of(String owner, String principal) {
        return new Caller(owner, principal, false);
    }

    /** The agent's own work, writing (if at all) as {@code owner}. */
    public static Caller agent(String owner) {
        return new Caller(owner, "agent", true);
    }

    /** No credentials configured: every caller is the default owner, as before owners existed. */
    public static Caller anonymous() {
        return new Caller(DEFAULT_OWNER, "anonymous", false);
    }
}

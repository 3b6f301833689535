package dev.kelp.agent.access;

import java.util.Locale;

/**
 * How a policy's owners share its buckets ({@code kelp.access.sharing}, docs/access-control.md).
 * An owner always sees and changes its own objects.
 */
public enum Sharing {
    /** An owner sees only its own objects; another owner's key can be neither read nor overwritten. */
    PRIVATE,
    /** Every owner reads every object; only the owner of a key overwrites or deletes it. */
    READ,
    /** Every owner reads, overwrites and deletes every object; a write records its writer as the new owner. */
    READ_WRITE;

    /** Whether {@code caller} may read (get, head, list, copy from, sign a URL for) an object of {@code objectOwner}. */
    public boolean canRead(Caller caller, String objectOwner) {
        return caller.seesAll() || this != PRIVATE || owns(caller, objectOwner);
    }

    /** Whether {@code caller} may replace or delete an object of {@code objectOwner}. */
    public boolean canChange(Caller caller, String objectOwner) {
        return caller.seesAll() || this == READ_WRITE || owns(caller, objectOwner);
    }

    /** The owner to filter listings by for {@code caller}; null: no filter. */
    public String listFilter(Caller caller) {
        return caller.seesAll() || this != PRIVATE ? null : caller.owner();
    }

    private static boolean owns(Caller caller, String objectOwner) {
        return caller.owner().equals(objectOwner == null ? Caller.DEFAULT_OWNER : objectOwner);
    }

    /** {@code private}, {@code read} or {@code read-write}, as the configuration and the CRD write it. */
    public static Sharing parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "", "private" -> PRIVATE;
            case "read" -> READ;
            case "read-write", "read_write" -> READ_WRITE;
            default -> throw new IllegalArgumentException("kelp.access.sharing must be private, read or read-write, not " + text);
        };
    }
}

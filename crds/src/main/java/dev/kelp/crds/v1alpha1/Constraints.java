package dev.kelp.crds.v1alpha1;

/**
 * The patterns and CEL rules the CRD schemas share, in one place so that a duration or a
 * Secret name is checked the same way in every kind. The regular expressions avoid
 * backslashes ({@code [.]}, {@code [*]}) so they read the same inside CEL string literals.
 */
public final class Constraints {

    /** Go duration syntax as the agent and the operator parse it: 720h, 1h30m, 90s, 250ms. No days. */
    public static final String DURATION = "^([0-9]+([.][0-9]+)?(h|m|s|ms))+$";

    /** The DURATION pattern again, as a CEL rule, so a bad duration also gets a message a person reads. */
    static final String DURATION_RULE = "self.matches('" + DURATION + "')";

    static final String DURATION_MESSAGE = "must be a duration such as 720h, 90m or 30s (units h, m, s, ms; for days count hours: 30 days is 720h)";

    /** A Kubernetes object name (DNS-1123 subdomain), for Secrets and policies. */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** An S3 bucket name as SeaweedFS and AWS accept it: 3-63 lowercase letters, digits, dots, hyphens. */
    public static final String BUCKET = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";

    /** A MIME type or a whole family of them: image/png, image/*, application/vnd.api+json. */
    public static final String CONTENT_TYPE = "^[a-z0-9][a-z0-9.+-]*/([a-z0-9][a-z0-9.+-]*|[*])$";

    private static final String STEP = "(/[0-9]+)?";
    private static final String MINUTE = "[0-5]?[0-9]";
    private static final String HOUR = "([01]?[0-9]|2[0-3])";
    private static final String DAY = "(0?[1-9]|[12][0-9]|3[01])";
    private static final String MONTH = "(0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)";
    private static final String WEEKDAY = "([0-7]|SUN|MON|TUE|WED|THU|FRI|SAT)";
    private static final String MINUTES = "(([*]|" + MINUTE + "(-" + MINUTE + ")?)" + STEP + ")(,([*]|" + MINUTE + "(-" + MINUTE + ")?)" + STEP + ")*";
    private static final String HOURS = "(([*]|" + HOUR + "(-" + HOUR + ")?)" + STEP + ")(,([*]|" + HOUR + "(-" + HOUR + ")?)" + STEP + ")*";
    private static final String DAYS = "(([*]|" + DAY + "(-" + DAY + ")?)" + STEP + ")(,([*]|" + DAY + "(-" + DAY + ")?)" + STEP + ")*";
    private static final String MONTHS = "(([*]|" + MONTH + "(-" + MONTH + ")?)" + STEP + ")(,([*]|" + MONTH + "(-" + MONTH + ")?)" + STEP + ")*";
    private static final String WEEKDAYS = "(([*]|" + WEEKDAY + "(-" + WEEKDAY + ")?)" + STEP + ")(,([*]|" + WEEKDAY + "(-" + WEEKDAY + ")?)" + STEP + ")*";

    /**
     * Five cron fields: minute hour day-of-month month day-of-week, each a list of values,
     * ranges and steps within its range; month and weekday names in any case.
     */
    public static final String CRON = "(?i)^" + MINUTES + " +" + HOURS + " +" + DAYS + " +" + MONTHS + " +" + WEEKDAYS + "$";

    /** A quantity that says its unit: 10Gi, 500Mi, 1.5G. A bare number would mean bytes. */
    static final String QUANTITY_WITH_UNIT_RULE =
        "type(self) == string && self.matches('^[0-9]+([.][0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$')";

    /** A byte amount: a plain number of bytes or a quantity such as 10Gi, never negative. */
    static final String BYTES_RULE =
        "type(self) == int ? self >= 0 : (isQuantity(self) && !quantity(self).isLessThan(quantity('0')))";

    static final String BYTES_MESSAGE = "must be a number of bytes or a quantity such as 10Gi or 500Mi, and not negative";

    /**
     * The average chunk sizes the agent's chunker takes: the powers of two from 64 bytes to 64Mi.
     * Written out because an annotation needs a constant; ConstraintsTest checks the list.
     */
    public static final String CHUNK_SIZES = "[64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, "
        + "262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216, 33554432, 67108864]";

    /**
     * An average chunk size: a plain number of bytes or a quantity, which must come to one of
     * {@link #CHUNK_SIZES} (CEL has no bit operations, so the powers of two are listed).
     */
    static final String CHUNK_SIZE_RULE = "(type(self) == int ? self"
        + " : (isQuantity(self) && quantity(self).isInteger() ? quantity(self).asInteger() : 0)) in " + CHUNK_SIZES;

    static final String CHUNK_SIZE_MESSAGE = "must be a power of two from 64 bytes to 64Mi, such as 256Ki, 1Mi or 4Mi"
        + " (a number of bytes or a quantity in Ki or Mi: 1M is 1000000 bytes, not a power of two)";

    /** A byte amount of at least one byte: a plain number of bytes or a quantity such as 8Mi. */
    static final String POSITIVE_BYTES_RULE =
        "type(self) == int ? self >= 1 : (isQuantity(self) && quantity(self).isGreaterThan(quantity('0')))";

    static final String POSITIVE_BYTES_MESSAGE = "must be a number of bytes or a quantity such as 8Mi or 512Ki, and more than 0";

    private Constraints() {
    }
}

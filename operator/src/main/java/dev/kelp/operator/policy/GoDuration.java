package dev.kelp.operator.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Reads the Go durations of the CRDs ({@code 720h}, {@code 1h30m}, {@code 1.5h}, {@code 250ms})
 * and writes them the way the agent's Micronaut converter reads them: one number and one unit
 * ({@code 90m}), since Micronaut takes neither {@code 1h30m} nor {@code 1.5h}.
 */
final class GoDuration {

    private static final Pattern WHOLE = Pattern.compile("^(?:[0-9]+(?:[.][0-9]+)?(?:h|ms|m|s))+$");
    private static final Pattern PART = Pattern.compile("([0-9]+(?:[.][0-9]+)?)(h|ms|m|s)");

    private GoDuration() {
    }

    static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("not a duration such as 720h, 90m or 30s: " + text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        var parts = PART.matcher(text);
        while (parts.find()) {
            long unit = switch (parts.group(2)) {
                case "h" -> 3_600_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "s" -> 1_000_000_000L;
                default -> 1_000_000L;
            };
            nanos = nanos.add(new BigDecimal(parts.group(1)).multiply(BigDecimal.valueOf(unit)));
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** The largest unit that says it exactly: 720h, 90m, 45s, 1500ms (ns below a millisecond). */
    static String forAgent(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 3_600_000_000_000L == 0) {
            return d.toHours() + "h";
        }
        if (nanos % 60_000_000_000L == 0) {
            return d.toMinutes() + "m";
        }
        if (nanos % 1_000_000_000L == 0) {
            return d.toSeconds() + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return d.toMillis() + "ms";
        }
        return nanos + "ns";
    }

    static String forAgent(String goDuration) {
        return forAgent(parse(goDuration));
    }
}

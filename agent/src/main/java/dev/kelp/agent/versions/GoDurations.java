package dev.kelp.agent.versions;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration as the policy writes it: a Go duration ({@code 720h}, {@code 1h30m},
 * {@code 1.5h}, {@code 90s}, {@code 250ms}; what the CRD's keepFor accepts), a count of days
 * ({@code 30d}), or ISO-8601 ({@code PT720H}). Micronaut's own conversion reads none of
 * {@code 1h30m} or {@code 1.5h}, and a nullable property it cannot read is silently absent:
 * a retention limit must not vanish that way.
 */
public final class GoDurations {

    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:\\.[0-9]+)?(?:ns|us|µs|ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d)");
    private static final Map<String, Long> NANOS = Map.of(
        "ns", 1L, "us", 1_000L, "µs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L,
        "m", 60_000_000_000L, "h", 3_600_000_000_000L, "d", 86_400_000_000_000L);

    private GoDurations() {
    }

    public static Duration parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return Duration.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw refused(text);
            }
        }
        if (!WHOLE.matcher(value).matches()) {
            throw refused(text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(value);
        while (m.find()) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    private static IllegalArgumentException refused(String text) {
        return new IllegalArgumentException("not a duration: \"" + text + "\" (write it as 720h, 1h30m, 1.5h, 90s, 30d or PT720H)");
    }
}

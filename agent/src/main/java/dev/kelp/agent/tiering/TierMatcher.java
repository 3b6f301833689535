package dev.kelp.agent.tiering;

import java.util.List;
import java.util.Locale;

/**
 * Which objects a rule applies to: key prefix, content types ({@code type/*} for a family,
 * parameters such as {@code ;charset=} ignored, case-insensitive) and size range, all of which
 * must hold. The prefix and sizes also narrow the database query; content types are checked here.
 */
public record TierMatcher(String prefix, List<String> contentTypes, long minSize, long maxSize) {

    static final TierMatcher EVERYTHING = new TierMatcher("", List.of(), 0, Long.MAX_VALUE);

    public TierMatcher {
        prefix = prefix == null ? "" : prefix;
        contentTypes = contentTypes == null ? List.of()
            : contentTypes.stream().filter(t -> t != null && !t.isBlank()).map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
        if (minSize < 0 || maxSize < 0 || minSize > maxSize) {
            throw new IllegalArgumentException("min-size must be 0 or more and not larger than max-size, not " + minSize + " > " + maxSize);
        }
    }

    static TierMatcher of(TierRuleConfig.Match match) {
        if (match == null) {
            return EVERYTHING;
        }
        return new TierMatcher(match.prefix(), match.contentTypes(), match.minSize() == null ? 0 : match.minSize(),
            match.maxSize() == null ? Long.MAX_VALUE : match.maxSize());
    }

    boolean matches(String key, String contentType, long size) {
        return key.startsWith(prefix) && size >= minSize && size <= maxSize && matchesType(contentType);
    }

    boolean matchesType(String contentType) {
        if (contentTypes.isEmpty()) {
            return true;
        }
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return contentTypes.stream().anyMatch(p -> p.equals(type) || p.equals("*/*")
            || (p.endsWith("/*") && type.startsWith(p.substring(0, p.length() - 1))));
    }
}

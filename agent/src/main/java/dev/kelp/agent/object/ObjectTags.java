package dev.kelp.agent.object;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The tag set of one object version, with S3's rules: at most 10 tags, a key of 1 to 128 and a
 * value of at most 256 Unicode characters, each key once, no key under the reserved {@code aws:}
 * prefix. Kept in the order the client gave them. Both doors use it: the S3 endpoint's tagging
 * calls and {@code x-amz-tagging}, and the native API's {@code x-kelp-tagging}.
 */
public final class ObjectTags {

    public static final int MAX_TAGS = 10;
    public static final int MAX_KEY_CHARS = 128;
    public static final int MAX_VALUE_CHARS = 256;

    private ObjectTags() {
    }

    /** One tag as a client sent it, before the set is checked (a list, so duplicates can be seen). */
    public record Tag(String key, String value) {
    }

    /**
     * The checked tag set, in the order given; throws {@link InvalidTagException} naming the
     * first rule it breaks.
     */
    public static Map<String, String> of(List<Tag> tags) {
        if (tags.size() > MAX_TAGS) {
            throw new InvalidTagException("Object tags cannot be greater than " + MAX_TAGS + " (got " + tags.size() + ")");
        }
        Map<String, String> set = new LinkedHashMap<>();
        for (Tag tag : tags) {
            String key = tag.key();
            String value = tag.value() == null ? "" : tag.value();
            if (key == null || key.isEmpty()) {
                throw new InvalidTagException("The TagKey you have provided is invalid: a tag key must not be empty");
            }
            if (chars(key) > MAX_KEY_CHARS) {
                throw new InvalidTagException("The TagKey you have provided is too long, max " + MAX_KEY_CHARS + " characters: " + key);
            }
            if (chars(value) > MAX_VALUE_CHARS) {
                throw new InvalidTagException("The TagValue you have provided is too long, max " + MAX_VALUE_CHARS + " characters (key "
                    + key + ")");
            }
            if (key.regionMatches(true, 0, "aws:", 0, 4)) {
                throw new InvalidTagException("Your TagKey cannot be prefixed with aws: (" + key + ")");
            }
            if (hasControl(key) || hasControl(value)) {
                throw new InvalidTagException("The TagKey or TagValue you have provided has a control character (key " + key + ")");
            }
            if (set.putIfAbsent(key, value) != null) {
                throw new InvalidTagException("Cannot provide multiple Tags with the same key: " + key);
            }
        }
        return Collections.unmodifiableMap(set);
    }

    /** A stored tag set as it reads back: checked when written, so only copied here. */
    public static Map<String, String> copyOf(Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /**
     * Parses the URL-query form S3 uses in {@code x-amz-tagging} ({@code k1=v1&k2=v2}, each part
     * URL-encoded) and checks it. A part that cannot be decoded is {@link InvalidTagException} too.
     */
    public static Map<String, String> parseQuery(String header) {
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        List<Tag> tags = new java.util.ArrayList<>();
        for (String pair : header.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                tags.add(new Tag(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                throw new InvalidTagException("The tag set is not a valid URL-encoded query (" + e.getMessage() + "): " + header);
            }
        }
        return of(tags);
    }

    /** The URL-query form of a tag set, as {@link #parseQuery} reads it. */
    public static String toQuery(Map<String, String> tags) {
        return tags.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int chars(String text) {
        return text.codePointCount(0, text.length());
    }

    private static boolean hasControl(String text) {
        return text.codePoints().anyMatch(Character::isISOControl);
    }
}

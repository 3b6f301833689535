package dev.kelp.agent.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of an RFC 9110 Range header, resolved against the object size. Only single
 * ranges are served; a multi-range request gets the whole object, which RFC 9110 allows.
 */
record ByteRange(long offset, long length, long total) {

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** Empty: serve the whole object. Throws {@link RangeNotSatisfiableException} for a range past the end. */
    static Optional<ByteRange> parse(String header, long size) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty();
        }
        long first;
        long last;
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0) {
                    throw new RangeNotSatisfiableException(size);
                }
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(m.group(1));
                last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
                    return Optional.empty();
                }
            }
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
        if (first >= size) {
            throw new RangeNotSatisfiableException(size);
        }
        return Optional.of(new ByteRange(first, last - first + 1, size));
    }

    String contentRange() {
        return "bytes " + offset + "-" + (offset + length - 1) + "/" + total;
    }
}

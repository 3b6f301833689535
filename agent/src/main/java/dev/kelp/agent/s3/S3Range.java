package dev.kelp.agent.s3;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single byte range of a GET ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}). As in
 * S3, a header that is not one well-formed single range is ignored (the whole object is sent),
 * and a range that starts past the end is 416 InvalidRange.
 */
record S3Range(long offset, long length) {

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** The range of an object of {@code size} bytes, or null for the whole object. */
    static S3Range parse(String header, long size) {
        if (header == null) {
            return null;
        }
        Matcher m = SINGLE.matcher(header.strip());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null;
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw invalid(header, size);
                }
                long n = Math.min(suffix, size);
                return new S3Range(size - n, n);
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
            if (last < first) {
                return null;
            }
            if (first >= size) {
                throw invalid(header, size);
            }
            last = Math.min(last, size - 1);
            return new S3Range(first, last - first + 1);
        } catch (NumberFormatException tooBig) {
            throw invalid(header, size);
        }
    }

    String contentRange(long size) {
        return "bytes " + offset + "-" + (offset + length - 1) + "/" + size;
    }

    private static S3Exception invalid(String header, long size) {
        return new S3Exception(416, "InvalidRange", "the requested range " + header + " is not satisfiable: the object has " + size + " bytes");
    }
}

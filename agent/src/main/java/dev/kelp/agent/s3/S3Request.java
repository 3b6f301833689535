package dev.kelp.agent.s3;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An S3 request's head, resolved: which bucket and key it names (from the Host header in
 * virtual-host style, {@code <bucket>.<base domain>}, otherwise from the first path segment)
 * and its decoded query parameters, which select the operation.
 *
 * @param path   the decoded path
 * @param bucket null for the service (ListBuckets)
 * @param key    null for a bucket operation
 */
record S3Request(String method, String rawPath, String path, String bucket, String key,
                 List<Map.Entry<String, String>> query, HttpHeaders headers, String requestId) {

    static S3Request of(HttpRequest http, String baseDomain, String requestId) {
        String uri = http.uri();
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? "" : uri.substring(q + 1);
        if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
            // Absolute form (a client talking to us as a proxy): keep the path only.
            int slash = rawPath.indexOf('/', rawPath.indexOf("//") + 2);
            rawPath = slash < 0 ? "/" : rawPath.substring(slash);
        }
        if (rawPath.isEmpty()) {
            rawPath = "/";
        }
        String path = decodePath(rawPath);
        String bucket;
        String key;
        String vhostBucket = virtualHostBucket(http.headers().get("host"), baseDomain);
        if (vhostBucket != null) {
            bucket = vhostBucket;
            key = path.length() > 1 ? path.substring(1) : null;
        } else {
            String rest = path.startsWith("/") ? path.substring(1) : path;
            int slash = rest.indexOf('/');
            bucket = slash < 0 ? rest : rest.substring(0, slash);
            key = slash < 0 || slash == rest.length() - 1 ? null : rest.substring(slash + 1);
            if (bucket.isEmpty()) {
                bucket = null;
            }
        }
        return new S3Request(http.method().name(), rawPath, path, bucket, key, parseQuery(rawQuery), http.headers(), requestId);
    }

    /** The bucket a Host header such as {@code photos.localhost:8781} names, or null for path style. */
    static String virtualHostBucket(String host, String baseDomain) {
        if (host == null || baseDomain == null || baseDomain.isEmpty()) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            return null;
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        String suffix = "." + baseDomain;
        if (h.endsWith(suffix) && h.length() > suffix.length()) {
            return h.substring(0, h.length() - suffix.length());
        }
        return null;
    }

    String header(String name) {
        return headers.get(name);
    }

    /** The first value of a query parameter ("" for a bare {@code ?uploads}), or null when absent. */
    String param(String name) {
        for (var e : query) {
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    boolean has(String name) {
        return param(name) != null;
    }

    String resource() {
        return path;
    }

    static List<Map.Entry<String, String>> parseQuery(String raw) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        if (raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
            params.add(new AbstractMap.SimpleImmutableEntry<>(name, value));
        }
        return params;
    }

    private static String decodeQuery(String s) {
        return percentDecode(s, true);
    }

    /** Percent-decoding of a path: unlike a query, '+' is a plus. */
    static String decodePath(String s) {
        return percentDecode(s, false);
    }

    private static String percentDecode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
            return s;
        }
        var out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw S3Exception.invalidArgument("malformed percent-encoding in the request URI");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw S3Exception.invalidArgument("malformed percent-encoding in the request URI");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.writeBytes(bytes);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

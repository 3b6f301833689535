package dev.kelp.agent.s3;

import dev.kelp.agent.object.ObjectKeys;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.RequestRefusedException;
import dev.kelp.agent.object.StorageConfig;
import jakarta.inject.Singleton;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The bucket operations and the listings. Buckets come from the storage policy
 * ({@code kelp.storage.buckets}), not from clients: CreateBucket of one of them succeeds (it
 * exists), of any other is refused, and DeleteBucket never removes one.
 */
@Singleton
final class BucketOperations {

    static final int MAX_KEYS = 1000;
    /** Sorts after every key that starts with a given prefix followed by any character. */
    private static final String AFTER_ALL = new String(Character.toChars(Character.MAX_CODE_POINT));

    private final StorageConfig storage;
    private final ObjectService objects;
    private final S3Config config;
    private final Instant started = Instant.now();

    BucketOperations(StorageConfig storage, ObjectService objects, S3Config config) {
        this.storage = storage;
        this.objects = objects;
        this.config = config;
    }

    S3Response listBuckets() {
        var out = new Xml.Writer("ListAllMyBucketsResult");
        out.start("Owner").element("ID", "kelp").element("DisplayName", "kelp").end();
        out.start("Buckets");
        for (String bucket : storage.buckets()) {
            out.start("Bucket").element("Name", bucket).element("CreationDate", ObjectOperations.isoDate(started)).end();
        }
        out.end();
        return S3Response.ok(out);
    }

    void requireBucket(String bucket) {
        ObjectKeys.requireValidBucket(bucket);
        if (!storage.buckets().contains(bucket)) {
            throw RequestRefusedException.unknownBucket(bucket);
        }
    }

    S3Response head(String bucket) {
        requireBucket(bucket);
        return S3Response.status(200).header("x-amz-bucket-region", config.region());
    }

    S3Response create(String bucket) {
        ObjectKeys.requireValidBucket(bucket);
        if (!storage.buckets().contains(bucket)) {
            throw S3Exception.accessDenied("bucket " + bucket + " is not in this agent's storage policy: buckets are created by"
                + " the StoragePolicy (kelp.storage.buckets), not by clients");
        }
        return S3Response.status(200).header("Location", "/" + bucket);
    }

    S3Response delete(String bucket) {
        requireBucket(bucket);
        if (!objects.list(bucket, "", null, 1).isEmpty()) {
            throw new S3Exception(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
        }
        throw S3Exception.accessDenied("bucket " + bucket + " belongs to the storage policy (kelp.storage.buckets): it cannot be deleted"
            + " through the S3 endpoint");
    }

    S3Response location(String bucket) {
        requireBucket(bucket);
        // S3 answers an empty constraint for us-east-1.
        var out = new Xml.Writer("LocationConstraint");
        return xmlWithText(out, config.region().equals("us-east-1") ? null : config.region());
    }

    private static S3Response xmlWithText(Xml.Writer out, String text) {
        byte[] doc;
        if (text == null) {
            doc = out.toBytes();
        } else {
            // The root element's own text: written by hand, it is only a region name.
            doc = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><LocationConstraint xmlns=\"" + Xml.NAMESPACE + "\">"
                + text.replace("&", "&amp;").replace("<", "&lt;") + "</LocationConstraint>").getBytes(StandardCharsets.UTF_8);
        }
        return S3Response.xml(200, doc);
    }

    /** ListObjectsV2 ({@code list-type=2}) or, with {@code v2} false, ListObjects. */
    S3Response list(S3Request request, boolean v2) {
        String bucket = request.bucket();
        requireBucket(bucket);
        String prefix = orEmpty(request.param("prefix"));
        String delimiter = orEmpty(request.param("delimiter"));
        String encoding = request.param("encoding-type");
        if (encoding != null && !encoding.equals("url")) {
            throw S3Exception.invalidArgument("Invalid Encoding Method specified in Request: encoding-type must be url");
        }
        boolean url = encoding != null;
        int maxKeys = maxKeys(request.param("max-keys"));
        String cursor;
        String token = null;
        String startAfter = null;
        String marker = null;
        if (v2) {
            token = request.param("continuation-token");
            startAfter = request.param("start-after");
            cursor = token != null ? decodeToken(token) : emptyToNull(startAfter);
        } else {
            marker = request.param("marker");
            cursor = emptyToNull(marker);
            if (cursor != null && !delimiter.isEmpty() && cursor.endsWith(delimiter) && cursor.startsWith(prefix)) {
                // A NextMarker that was a common prefix: resume after everything under it.
                cursor = cursor + AFTER_ALL;
            }
        }
        Page page = page(bucket, prefix, delimiter, cursor, maxKeys);

        var out = new Xml.Writer("ListBucketResult");
        out.element("Name", bucket).element("Prefix", enc(prefix, url));
        if (v2) {
            if (token != null) {
                out.element("ContinuationToken", token);
            }
            if (startAfter != null) {
                out.element("StartAfter", enc(startAfter, url));
            }
            out.element("KeyCount", page.contents().size() + page.prefixes().size());
        } else {
            out.element("Marker", enc(orEmpty(marker), url));
            if (page.truncated() && page.last() != null) {
                out.element("NextMarker", enc(page.last(), url));
            }
        }
        out.element("MaxKeys", maxKeys);
        if (!delimiter.isEmpty()) {
            out.element("Delimiter", enc(delimiter, url));
        }
        if (url) {
            out.element("EncodingType", "url");
        }
        out.element("IsTruncated", page.truncated());
        if (v2 && page.truncated()) {
            out.element("NextContinuationToken", encodeToken(page.resume()));
        }
        for (ObjectRecord record : page.contents()) {
            out.start("Contents")
                .element("Key", enc(record.key(), url))
                .element("LastModified", ObjectOperations.isoDate(record.createdAt()))
                .element("ETag", S3ETags.of(record))
                .element("Size", record.size())
                .element("StorageClass", "STANDARD");
            if (!v2) {
                out.start("Owner").element("ID", "kelp").element("DisplayName", "kelp").end();
            }
            out.end();
        }
        for (String common : page.prefixes()) {
            out.start("CommonPrefixes").element("Prefix", enc(common, url)).end();
        }
        return S3Response.ok(out);
    }

    /**
     * One page of a listing, rolled up by delimiter: keys after {@code cursor} in key order; a
     * key with the delimiter after the prefix counts once, as its common prefix, and the listing
     * skips past all the keys under it with one query rather than reading them.
     *
     * @param resume what to continue after: the last key, or a common prefix followed by {@link #AFTER_ALL}
     */
    record Page(List<ObjectRecord> contents, List<String> prefixes, boolean truncated, String last, String resume) {
    }

    Page page(String bucket, String prefix, String delimiter, String cursor, int maxKeys) {
        List<ObjectRecord> contents = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String last = null;
        if (maxKeys == 0) {
            return new Page(contents, prefixes, false, null, null);
        }
        // A cursor inside a common prefix already returned (a token ends with AFTER_ALL) resumes past it.
        while (true) {
            int want = Math.min(MAX_KEYS, maxKeys - contents.size() - prefixes.size() + 1);
            List<ObjectRecord> batch = objects.list(bucket, prefix, cursor, want);
            if (batch.isEmpty()) {
                return new Page(contents, prefixes, false, last, cursor);
            }
            boolean jumped = false;
            for (ObjectRecord record : batch) {
                String common = commonPrefix(record.key(), prefix, delimiter);
                if (common != null && common.equals(last)) {
                    // A key under the prefix just rolled up (one sorting after AFTER_ALL): step past it.
                    cursor = record.key();
                    continue;
                }
                if (contents.size() + prefixes.size() == maxKeys) {
                    return new Page(contents, prefixes, true, last, cursor);
                }
                if (common != null) {
                    prefixes.add(common);
                    last = common;
                    cursor = common + AFTER_ALL;
                    jumped = true;
                    break;
                }
                contents.add(record);
                last = record.key();
                cursor = record.key();
            }
            if (!jumped && batch.size() < want) {
                return new Page(contents, prefixes, false, last, cursor);
            }
        }
    }

    private static String commonPrefix(String key, String prefix, String delimiter) {
        if (delimiter.isEmpty()) {
            return null;
        }
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }

    private static int maxKeys(String text) {
        if (text == null) {
            return MAX_KEYS;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n < 0) {
                throw S3Exception.invalidArgument("max-keys must not be negative");
            }
            return Math.min(n, MAX_KEYS);
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument("Provided max-keys not an integer or within integer range: " + text);
        }
    }

    static String encodeToken(String cursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw S3Exception.invalidArgument("The continuation token provided is incorrect");
        }
    }

    /** encoding-type=url: S3 encodes like a form (space as '+'), which clients decode that way. */
    private static String enc(String value, boolean url) {
        return url ? URLEncoder.encode(value, StandardCharsets.UTF_8) : value;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

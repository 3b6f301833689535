package dev.kelp.bench.dedup;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What a bucket holds, read two independent ways: the agent's metadata in PostgreSQL (current
 * objects and their sizes, blob rows and theirs, chunk rows and uses) and the objects themselves
 * on SeaweedFS, listed with an S3 client that bypasses the agent. On SeaweedFS a blob is either
 * whole at {@code blobs/<sharded hash>} or, with block-level dedup, a manifest at
 * {@code blobs/<sharded hash>.chunks} naming chunks stored once each at
 * {@code chunks/<sharded hash>}: so {@code blobs/} alone is not what is stored. The manifests are
 * read (S3 GET, not through the agent) to check that every chunk they name is there.
 */
record StoredBytes(long objects, long logicalBytes, long usageBytes, long blobRows, long blobBytes,
                   long chunkRows, long chunkRowBytes, long chunkUses,
                   long wholeBlobs, long wholeBlobBytes, long manifests, long manifestBytes, long chunks, long chunkBytes,
                   long otherObjects, long manifestedBytes, long missingChunks,
                   Map<String, Long> wholeSizes, Map<String, Manifest> manifestsByBlob, Map<String, Long> chunkSizes) {

    /** A manifest as stored: the blob's size and the chunks it names in order (hash, length). */
    record Manifest(long size, List<String> chunks, List<Integer> lengths, long encodedBytes) {
    }

    /** Bytes on SeaweedFS for the bucket's content: whole blobs, manifests and chunks. */
    long storedBytes() {
        return wholeBlobBytes + manifestBytes + chunkBytes;
    }

    /** PostgreSQL and the listing tell the same story: one blob row per whole blob or manifest, the same chunks with the same bytes. */
    boolean agree() {
        return blobRows == wholeBlobs + manifests && blobBytes == wholeBlobBytes + manifestedBytes
            && chunkRows == chunks && chunkRowBytes == chunkBytes && missingChunks == 0 && otherObjects == 0;
    }

    /**
     * What the blobs with these hashes (a data set's) take on SeaweedFS: their whole blobs and
     * manifests, and each distinct chunk their manifests name once.
     */
    long storedFor(Set<String> blobHashes) {
        long bytes = 0;
        Set<String> counted = new HashSet<>();
        for (String hash : blobHashes) {
            bytes += wholeSizes.getOrDefault(hash, 0L);
            Manifest m = manifestsByBlob.get(hash);
            if (m != null) {
                bytes += m.encodedBytes();
                for (String chunk : m.chunks()) {
                    if (counted.add(chunk)) {
                        bytes += chunkSizes.getOrDefault(chunk, 0L);
                    }
                }
            }
        }
        return bytes;
    }

    /**
     * Bytes of the chunks a manifest names more than once, beyond their first time: stored once,
     * but not in the agent's block-dedup gauge, which counts a chunk once per blob that uses it.
     */
    long repeatedWithinBlobs() {
        long repeated = 0;
        for (Manifest m : manifestsByBlob.values()) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < m.chunks().size(); i++) {
                if (!seen.add(m.chunks().get(i))) {
                    repeated += m.lengths().get(i);
                }
            }
        }
        return repeated;
    }

    /** How many of these blobs are kept as chunks. */
    long chunkedAmong(Set<String> blobHashes) {
        return blobHashes.stream().filter(manifestsByBlob::containsKey).count();
    }

    static StoredBytes read(String jdbcUrl, String user, String password, S3Client s3, String bucket) throws SQLException {
        long objects;
        long logical;
        long usage = 0;
        long rows;
        long bytes;
        long chunkRows;
        long chunkRowBytes;
        long uses;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            try (var st = c.prepareStatement("""
                    SELECT count(*), coalesce(sum(v.size), 0) FROM objects o JOIN object_versions v ON v.id = o.version_id
                    WHERE o.bucket = ?""")) {
                st.setString(1, bucket);
                try (var rs = st.executeQuery()) {
                    rs.next();
                    objects = rs.getLong(1);
                    logical = rs.getLong(2);
                }
            }
            try (var st = c.prepareStatement("SELECT bytes FROM bucket_usage WHERE bucket = ?")) {
                st.setString(1, bucket);
                try (var rs = st.executeQuery()) {
                    if (rs.next()) {
                        usage = rs.getLong(1);
                    }
                }
            }
            try (var st = c.prepareStatement("SELECT count(*), coalesce(sum(size), 0) FROM blobs WHERE bucket = ? AND ref_count > 0")) {
                st.setString(1, bucket);
                try (var rs = st.executeQuery()) {
                    rs.next();
                    rows = rs.getLong(1);
                    bytes = rs.getLong(2);
                }
            }
            try (var st = c.prepareStatement("SELECT count(*), coalesce(sum(size), 0) FROM chunks WHERE bucket = ? AND refs > 0")) {
                st.setString(1, bucket);
                try (var rs = st.executeQuery()) {
                    rs.next();
                    chunkRows = rs.getLong(1);
                    chunkRowBytes = rs.getLong(2);
                }
            }
            try (var st = c.prepareStatement("SELECT count(*) FROM chunk_uses WHERE bucket = ?")) {
                st.setString(1, bucket);
                try (var rs = st.executeQuery()) {
                    rs.next();
                    uses = rs.getLong(1);
                }
            }
        }
        Map<String, Long> whole = new LinkedHashMap<>();
        Map<String, String> manifestKeys = new LinkedHashMap<>();
        Map<String, Long> manifestSizes = new HashMap<>();
        long other = 0;
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("blobs/")).contents()) {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            if (name.length() == 64) {
                whole.put(name, o.size());
            } else if (name.length() == 64 + ".chunks".length() && name.endsWith(".chunks")) {
                manifestKeys.put(name.substring(0, 64), o.key());
                manifestSizes.put(name.substring(0, 64), o.size());
            } else {
                other++; // encrypted blobs (.enc) and anything else: not expected in this benchmark
            }
        }
        Map<String, Long> chunkSizes = new LinkedHashMap<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("chunks/")).contents()) {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            if (name.length() == 64) {
                chunkSizes.put(name, o.size());
            } else {
                other++;
            }
        }
        Map<String, Manifest> manifests = new LinkedHashMap<>();
        long manifested = 0;
        long missing = 0;
        for (var entry : manifestKeys.entrySet()) {
            String text = s3.getObjectAsBytes(b -> b.bucket(bucket).key(entry.getValue())).asString(StandardCharsets.US_ASCII);
            Manifest m = parse(text, entry.getKey(), manifestSizes.get(entry.getKey()));
            manifests.put(entry.getKey(), m);
            manifested += m.size();
            for (int i = 0; i < m.chunks().size(); i++) {
                Long size = chunkSizes.get(m.chunks().get(i));
                if (size == null || size != (long) m.lengths().get(i)) {
                    missing++;
                }
            }
        }
        long wholeBytes = whole.values().stream().mapToLong(Long::longValue).sum();
        long manifestBytes = manifestSizes.values().stream().mapToLong(Long::longValue).sum();
        long chunkBytes = chunkSizes.values().stream().mapToLong(Long::longValue).sum();
        return new StoredBytes(objects, logical, usage, rows, bytes, chunkRows, chunkRowBytes, uses,
            whole.size(), wholeBytes, manifests.size(), manifestBytes, chunkSizes.size(), chunkBytes, other, manifested, missing,
            whole, manifests, chunkSizes);
    }

    /** The agent's manifest format: {@code kelp-chunked-blob 1}, {@code <blob hash> <size>}, then {@code <chunk hash> <length>} a line. */
    static Manifest parse(String text, String blob, long encodedBytes) {
        String[] lines = text.split("\n");
        if (lines.length < 2 || !lines[0].equals("kelp-chunked-blob 1") || !lines[1].startsWith(blob + " ")) {
            throw new IllegalStateException("blobs/…/" + blob + ".chunks is not a chunk manifest of that blob: " + text.lines().limit(2).toList());
        }
        List<String> chunks = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        for (int i = 2; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            chunks.add(f[0]);
            lengths.add(Integer.parseInt(f[1]));
        }
        return new Manifest(Long.parseLong(lines[1].substring(blob.length() + 1)), chunks, lengths, encodedBytes);
    }
}

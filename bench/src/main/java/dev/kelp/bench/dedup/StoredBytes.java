package dev.kelp.bench.dedup;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What a bucket holds, read two independent ways: the agent's metadata in PostgreSQL (current
 * objects and their sizes, blob rows and theirs) and the blob objects themselves on SeaweedFS,
 * listed under {@code blobs/} with an S3 client that bypasses the agent.
 */
record StoredBytes(long objects, long logicalBytes, long usageBytes, long blobRows, long blobBytes, long s3Blobs, long s3BlobBytes) {

    static StoredBytes read(String jdbcUrl, String user, String password, S3Client s3, String bucket) throws SQLException {
        long objects;
        long logical;
        long usage = 0;
        long rows;
        long bytes;
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
        }
        long s3Blobs = 0;
        long s3Bytes = 0;
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("blobs/")).contents()) {
            s3Blobs++;
            s3Bytes += o.size();
        }
        return new StoredBytes(objects, logical, usage, rows, bytes, s3Blobs, s3Bytes);
    }
}

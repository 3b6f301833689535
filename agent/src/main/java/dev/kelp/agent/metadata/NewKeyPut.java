package dev.kelp.agent.metadata;

import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;

/**
 * The common write, a version of a key with no current version, in one round trip to
 * PostgreSQL instead of six: one statement whose data-modifying CTEs insert the version, take
 * the key's current pointer if nobody holds it, and only then add the blob reference and the
 * bucket's and owner's usage, locking rows in the order {@link MetadataTransactions} keeps
 * (pointer, blob, usage, owner usage). What it could not do it says, and the caller does that
 * the usual way in the same transaction: the key had a current version (the overwrite path),
 * or a blob or usage row was missing or made by a concurrent writer after this statement's
 * snapshot. Runs on the caller's transaction; PostgreSQL only (H2 has no data-modifying CTEs).
 */
@Singleton
final class NewKeyPut {

    private static final String SQL = """
        WITH v AS (
            INSERT INTO object_versions (bucket, object_key, hash, size, content_type, user_metadata, created_at, version,
                                         delete_marker, replaced_at, tags, owner)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, FALSE, NULL, ?, ?) RETURNING id),
        cur AS (
            INSERT INTO objects (bucket, object_key, version_id) SELECT ?, ?, id FROM v ON CONFLICT DO NOTHING RETURNING version_id),
        ref AS (
            UPDATE blobs SET ref_count = ref_count + 1, unreferenced_since = NULL
            WHERE bucket = ? AND hash = ? AND EXISTS (SELECT 1 FROM cur) RETURNING 1),
        fresh AS (
            INSERT INTO blobs (bucket, hash, size, ref_count, unreferenced_since)
            SELECT ?, ?, ?, 1, NULL WHERE EXISTS (SELECT 1 FROM cur) AND NOT EXISTS (SELECT 1 FROM ref)
            ON CONFLICT DO NOTHING RETURNING 1),
        u AS (
            UPDATE bucket_usage SET bytes = bytes + ?, objects = objects + 1
            WHERE bucket = ? AND shard = ? AND EXISTS (SELECT 1 FROM cur) RETURNING 1),
        o AS (
            UPDATE owner_usage SET bytes = bytes + ?, objects = objects + 1
            WHERE bucket = ? AND owner = ? AND shard = ? AND EXISTS (SELECT 1 FROM cur) RETURNING 1)
        SELECT (SELECT id FROM v), EXISTS (SELECT 1 FROM cur), EXISTS (SELECT 1 FROM ref), EXISTS (SELECT 1 FROM fresh),
               EXISTS (SELECT 1 FROM u), EXISTS (SELECT 1 FROM o)""";

    /**
     * @param versionId  the new version's row id
     * @param current    it became the key's current version; false: the key has one, nothing else was done
     * @param referenced the blob row existed and now counts it
     * @param blobCreated the blob row was made for it
     * @param usageAdded the bucket's usage row counts it
     * @param ownerUsageAdded the owner's usage row counts it
     * @param shard      the usage rows it added to, or should be added to when they were missing
     */
    record Outcome(long versionId, boolean current, boolean referenced, boolean blobCreated, boolean usageAdded,
                   boolean ownerUsageAdded, int shard) {
    }

    private final ConnectionOperations<Connection> connections;

    NewKeyPut(ConnectionOperations<Connection> connections) {
        this.connections = connections;
    }

    /** @param owner the owner usage counts it for (the row's owner, or the default one) */
    Outcome run(ObjectVersionRow row, String owner) {
        Connection c = connections.getConnectionStatus().getConnection();
        // Never checked against a quota in its transaction (that write goes the usual way).
        int shard = UsageShards.forWrite(false);
        try (PreparedStatement st = c.prepareStatement(SQL)) {
            int i = 0;
            st.setString(++i, row.bucket());
            st.setString(++i, row.objectKey());
            st.setString(++i, row.hash());
            st.setLong(++i, row.size());
            st.setString(++i, row.contentType());
            st.setString(++i, row.userMetadata());
            st.setTimestamp(++i, Timestamp.from(row.createdAt()));
            st.setString(++i, row.version());
            st.setString(++i, row.tags());
            st.setString(++i, row.owner());
            st.setString(++i, row.bucket());
            st.setString(++i, row.objectKey());
            st.setString(++i, row.bucket());
            st.setString(++i, row.hash());
            st.setString(++i, row.bucket());
            st.setString(++i, row.hash());
            st.setLong(++i, row.size());
            st.setLong(++i, row.size());
            st.setString(++i, row.bucket());
            st.setInt(++i, shard);
            st.setLong(++i, row.size());
            st.setString(++i, row.bucket());
            st.setString(++i, owner);
            st.setInt(++i, shard);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Outcome(rs.getLong(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5), rs.getBoolean(6),
                    shard);
            }
        } catch (SQLException e) {
            // As the repositories' failures come: classified by JdbcMetadataStore (unavailable, a lost race to retry).
            throw new io.micronaut.data.exceptions.DataAccessException("one-statement put of " + row.bucket() + "/" + row.objectKey()
                + " failed: " + e.getMessage(), e);
        }
    }
}

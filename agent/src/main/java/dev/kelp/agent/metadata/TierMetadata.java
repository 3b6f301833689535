package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What tiering keeps in the shared metadata database (V4__tiering.sql): when objects were last
 * read, and which blobs have a verified copy on a cold target. Plain JDBC on a connection of its
 * own, the same SQL on PostgreSQL and the embedded H2, as {@link BackupLeases} does.
 */
@Singleton
public class TierMetadata {

    private final MetadataDatabase database;
    private final ObjectRows rows;

    TierMetadata(MetadataDatabase database, ObjectRows rows) {
        this.database = database;
        this.rows = rows;
    }

    /**
     * Moves each object's last read forward to the time given, in one batched UPDATE; an
     * object that is gone, or whose stored read is later already (another agent's), is left alone.
     * Returns how many rows moved.
     */
    public int recordAccesses(Map<ObjectKey, Instant> reads) {
        if (reads.isEmpty()) {
            return 0;
        }
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            int moved = 0;
            try (var update = c.prepareStatement("""
                UPDATE objects SET last_accessed = ?
                WHERE bucket = ? AND object_key = ? AND (last_accessed IS NULL OR last_accessed < ?)""")) {
                for (var read : reads.entrySet()) {
                    Timestamp at = Timestamp.from(read.getValue());
                    update.setTimestamp(1, at);
                    update.setString(2, read.getKey().bucket());
                    update.setString(3, read.getKey().key());
                    update.setTimestamp(4, at);
                    update.addBatch();
                }
                for (int n : update.executeBatch()) {
                    moved += Math.max(n, 0);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return moved;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot record object reads: " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /**
     * Current objects (no delete markers) of {@code bucket} whose key starts with {@code prefix},
     * of {@code minSize} to {@code maxSize} bytes, neither written nor read since {@code unusedSince},
     * in key order after {@code startAfter} ("" for the start). {@code hotOnly}: only those whose
     * blob has no cold copy yet.
     */
    public List<Candidate> unusedSince(String bucket, String prefix, long minSize, long maxSize, Instant unusedSince,
                                       boolean hotOnly, String startAfter, int limit) {
        String sql = """
            SELECT v.id, v.bucket, v.object_key, v.hash, v.size, v.content_type, v.user_metadata, v.created_at, v.version,
                   o.last_accessed, b.ref_count, c.hash, v.tags, v.owner
            FROM objects o JOIN object_versions v ON v.id = o.version_id
            JOIN blobs b ON b.bucket = v.bucket AND b.hash = v.hash
            LEFT JOIN cold_blobs c ON c.bucket = v.bucket AND c.hash = v.hash
            WHERE o.bucket = ? AND o.object_key LIKE ? ESCAPE '!' AND o.object_key > ? AND v.delete_marker = FALSE
              AND v.size >= ? AND v.size <= ? AND v.created_at < ? AND (o.last_accessed IS NULL OR o.last_accessed < ?)
            """ + (hotOnly ? "  AND c.hash IS NULL\n" : "") + "ORDER BY o.object_key LIMIT ?";
        try (Connection c = database.connect(); PreparedStatement st = c.prepareStatement(sql)) {
            Timestamp cutoff = Timestamp.from(unusedSince);
            st.setString(1, bucket);
            st.setString(2, JdbcMetadataStore.likePrefix(prefix));
            st.setString(3, startAfter);
            st.setLong(4, minSize);
            st.setLong(5, maxSize);
            st.setTimestamp(6, cutoff);
            st.setTimestamp(7, cutoff);
            st.setInt(8, limit);
            var out = new ArrayList<Candidate>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Candidate(rows.toRecord(versionRow(rs)), instant(rs, 10), rs.getLong(11), rs.getString(12) != null));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot look for objects to tier: " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** Every current object whose content is this blob, with its last read: who else a shared blob serves. */
    public List<Reference> currentReferences(String bucket, ContentHash hash) {
        try (Connection c = database.connect(); var st = c.prepareStatement("""
            SELECT o.object_key, v.content_type, v.size, v.created_at, o.last_accessed
            FROM object_versions v JOIN objects o ON o.version_id = v.id
            WHERE v.bucket = ? AND v.hash = ? AND v.delete_marker = FALSE""")) {
            st.setString(1, bucket);
            st.setString(2, hash.hex());
            var out = new ArrayList<Reference>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Reference(rs.getString(1), rs.getString(2), rs.getLong(3), instant(rs, 4), instant(rs, 5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot read the references of blob " + hash + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** Where the blob's cold copy is, if it has one. */
    public Optional<ColdBlob> coldBlob(String bucket, ContentHash hash) {
        try (Connection c = database.connect(); var st = c.prepareStatement(
            "SELECT " + COLD_COLUMNS + " FROM cold_blobs WHERE bucket = ? AND hash = ?")) {
            st.setString(1, bucket);
            st.setString(2, hash.hex());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(coldBlob(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot look up the cold copy of blob " + hash + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** The blobs of {@code bucket} whose cold copy is sealed, for the key re-wrapper. */
    public List<ContentHash> sealedColdBlobs(String bucket) {
        try (Connection c = database.connect(); var st = c.prepareStatement(
            "SELECT hash FROM cold_blobs WHERE bucket = ? AND sealed = TRUE ORDER BY hash")) {
            st.setString(1, bucket);
            var out = new ArrayList<ContentHash>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new ContentHash(rs.getString(1).trim()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot list the sealed cold copies of " + bucket + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** The key record of the cold copy at {@code targetKey}, when a rotation has written one. */
    public Optional<byte[]> coldKeyRecord(String bucket, ContentHash hash, String targetKey) {
        try (Connection c = database.connect(); var st = c.prepareStatement(
            "SELECT key_record FROM cold_blobs WHERE bucket = ? AND hash = ? AND target_key = ?")) {
            st.setString(1, bucket);
            st.setString(2, hash.hex());
            st.setString(3, targetKey);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot read the key record of the cold copy of blob " + hash + ": "
                + DatabaseFailures.rootMessage(e), e);
        }
    }

    /**
     * Stores the key record of the cold copy at {@code targetKey}; a copy promoted or moved
     * again meanwhile is left alone (the record belongs to that one location).
     */
    public void writeColdKeyRecord(String bucket, ContentHash hash, String targetKey, byte[] record) {
        try (Connection c = database.connect(); var st = c.prepareStatement(
            "UPDATE cold_blobs SET key_record = ? WHERE bucket = ? AND hash = ? AND target_key = ?")) {
            c.setAutoCommit(true);
            st.setBytes(1, record);
            st.setString(2, bucket);
            st.setString(3, hash.hex());
            st.setString(4, targetKey);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot store the key record of the cold copy of blob " + hash + ": "
                + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** Records a verified cold copy; a second record of the same blob keeps the first. */
    public void recordCold(ColdBlob blob) {
        try (Connection c = database.connect(); var st = c.prepareStatement("""
            INSERT INTO cold_blobs (bucket, hash, size, rule, target_endpoint, target_bucket, target_key, sealed, moved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            c.setAutoCommit(true);
            st.setString(1, blob.bucket());
            st.setString(2, blob.hash().hex());
            st.setLong(3, blob.size());
            st.setString(4, blob.rule());
            st.setString(5, blob.targetEndpoint());
            st.setString(6, blob.targetBucket());
            st.setString(7, blob.targetKey());
            st.setBoolean(8, blob.sealed());
            st.setTimestamp(9, Timestamp.from(blob.movedAt()));
            st.executeUpdate();
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot record the cold copy of blob " + blob.hash() + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /**
     * Forgets a cold copy (promoted back, or its blob reclaimed), only if the record still names
     * that copy: every move writes a location of its own, so a promotion never forgets a newer move.
     * True when it was forgotten here.
     */
    public boolean forgetCold(ColdBlob blob) {
        try (Connection c = database.connect(); var st = c.prepareStatement(
            "DELETE FROM cold_blobs WHERE bucket = ? AND hash = ? AND target_bucket = ? AND target_key = ?")) {
            c.setAutoCommit(true);
            st.setString(1, blob.bucket());
            st.setString(2, blob.hash().hex());
            st.setString(3, blob.targetBucket());
            st.setString(4, blob.targetKey());
            return st.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot forget the cold copy of blob " + blob.hash() + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** Recorded cold copies whose hot copy has not been released yet (a crash, a failed delete), oldest first. */
    public List<ColdBlob> unreleasedHotCopies(List<String> buckets, int limit) {
        return coldBlobsIn(buckets, limit, "SELECT " + COLD_COLUMNS + " FROM cold_blobs WHERE hot_released = FALSE AND bucket IN (%s)"
            + " ORDER BY moved_at LIMIT ?", "list the hot copies left to release");
    }

    /**
     * Runs {@code deleteHot} while holding the cold record of {@code blob} locked, if it still
     * names that copy, then marks the hot copy released. A promotion forgets a record only under
     * the same lock ({@link #forgetColdIfHot}), so the hot copy deleted here is never one a
     * promotion just stored and is about to rely on. False when the record is gone.
     */
    public boolean releaseHot(ColdBlob blob, Runnable deleteHot) {
        return withColdLocked(blob, "release the hot copy of", c -> {
            deleteHot.run();
            return updateCold(c, "UPDATE cold_blobs SET hot_released = TRUE WHERE bucket = ? AND hash = ? AND target_key = ?", blob);
        });
    }

    /**
     * For a promotion: forgets the cold record of {@code blob} only if, with the record locked,
     * {@code hotIsThere} still finds the hot copy the promotion stored (a release of a leftover
     * hot copy may have deleted it meanwhile). False, and the record kept, otherwise.
     */
    public boolean forgetColdIfHot(ColdBlob blob, java.util.function.BooleanSupplier hotIsThere) {
        return withColdLocked(blob, "forget the cold copy of",
            c -> hotIsThere.getAsBoolean() && updateCold(c, "DELETE FROM cold_blobs WHERE bucket = ? AND hash = ? AND target_key = ?", blob));
    }

    private interface ColdLocked {
        /** False to roll back. */
        boolean run(Connection c) throws SQLException;
    }

    /** {@code work} in one transaction that holds the record of this very copy locked; false when there is none. */
    private boolean withColdLocked(ColdBlob blob, String what, ColdLocked work) {
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            try {
                if (lockCold(c, blob) && work.run(c)) {
                    c.commit();
                    return true;
                }
                c.rollback();
                return false;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot " + what + " blob " + blob.hash() + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    private static boolean updateCold(Connection c, String sql, ColdBlob blob) throws SQLException {
        try (var st = c.prepareStatement(sql)) {
            st.setString(1, blob.bucket());
            st.setString(2, blob.hash().hex());
            st.setString(3, blob.targetKey());
            st.executeUpdate();
            return true;
        }
    }

    private static boolean lockCold(Connection c, ColdBlob blob) throws SQLException {
        try (var st = c.prepareStatement("SELECT hash FROM cold_blobs WHERE bucket = ? AND hash = ? AND target_key = ? FOR UPDATE")) {
            st.setString(1, blob.bucket());
            st.setString(2, blob.hash().hex());
            st.setString(3, blob.targetKey());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Cold copies of blobs the reclaimer has removed (no blob row left): their bytes serve nobody. */
    public List<ColdBlob> orphanedColdBlobs(List<String> buckets, int limit) {
        return coldBlobsIn(buckets, limit, """
            SELECT c.bucket, c.hash, c.size, c.rule, c.target_endpoint, c.target_bucket, c.target_key, c.sealed, c.moved_at
            FROM cold_blobs c LEFT JOIN blobs b ON b.bucket = c.bucket AND b.hash = c.hash
            WHERE b.hash IS NULL AND c.bucket IN (%s) ORDER BY c.moved_at LIMIT ?""", "look for orphaned cold copies");
    }

    /** Cold records of {@code buckets} as {@code sql} selects them: its {@code %s} takes the buckets, its last parameter the limit. */
    private List<ColdBlob> coldBlobsIn(List<String> buckets, int limit, String sql, String what) {
        if (buckets.isEmpty()) {
            return List.of();
        }
        try (Connection c = database.connect(); var st = c.prepareStatement(sql.formatted(placeholders(buckets.size())))) {
            for (int i = 0; i < buckets.size(); i++) {
                st.setString(i + 1, buckets.get(i));
            }
            st.setInt(buckets.size() + 1, limit);
            var out = new ArrayList<ColdBlob>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(coldBlob(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot " + what + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /**
     * Current objects of {@code bucket} with the key prefix and size range, counted by content
     * type and tier: what a rule or the cost report adds up (content types are matched by the caller).
     */
    public List<Tally> tally(String bucket, String prefix, long minSize, long maxSize) {
        try (Connection c = database.connect(); var st = c.prepareStatement("""
            SELECT v.content_type, CASE WHEN c.hash IS NULL THEN 0 ELSE 1 END, COUNT(*), COALESCE(SUM(v.size), 0)
            FROM objects o JOIN object_versions v ON v.id = o.version_id
            LEFT JOIN cold_blobs c ON c.bucket = v.bucket AND c.hash = v.hash
            WHERE o.bucket = ? AND o.object_key LIKE ? ESCAPE '!' AND v.delete_marker = FALSE AND v.size >= ? AND v.size <= ?
            GROUP BY 1, 2""")) {
            st.setString(1, bucket);
            st.setString(2, JdbcMetadataStore.likePrefix(prefix));
            st.setLong(3, minSize);
            st.setLong(4, maxSize);
            var out = new ArrayList<Tally>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Tally(rs.getString(1), rs.getInt(2) == 1, rs.getLong(3), rs.getLong(4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot count objects per tier: " + DatabaseFailures.rootMessage(e), e);
        }
    }

    private static final String COLD_COLUMNS = "bucket, hash, size, rule, target_endpoint, target_bucket, target_key, sealed, moved_at";

    private static ColdBlob coldBlob(ResultSet rs) throws SQLException {
        return new ColdBlob(rs.getString(1), new ContentHash(rs.getString(2).trim()), rs.getLong(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getBoolean(8), instant(rs, 9));
    }

    private static ObjectVersionRow versionRow(ResultSet rs) throws SQLException {
        return new ObjectVersionRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).trim(), rs.getLong(5),
            rs.getString(6), rs.getString(7), instant(rs, 8), rs.getString(9), false, null, rs.getString(13), rs.getString(14));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** One object, by bucket and key. */
    public record ObjectKey(String bucket, String key) {
    }

    /**
     * A current object a tier rule may act on.
     *
     * @param lastAccessed its last flushed read, null when never read
     * @param blobRefs     references its blob has (current and kept versions, of any key)
     * @param cold         whether its blob has a cold copy
     */
    public record Candidate(ObjectRecord record, Instant lastAccessed, long blobRefs, boolean cold) {

        /** The later of its write and its last read. */
        public Instant lastUsed() {
            return lastAccessed == null || lastAccessed.isBefore(record.createdAt()) ? record.createdAt() : lastAccessed;
        }
    }

    /** A current object using a blob. */
    public record Reference(String key, String contentType, long size, Instant createdAt, Instant lastAccessed) {

        public Instant lastUsed() {
            return lastAccessed == null || lastAccessed.isBefore(createdAt) ? createdAt : lastAccessed;
        }
    }

    /**
     * A blob's verified copy on a cold target.
     *
     * @param targetEndpoint the S3 endpoint, null for the policy's own SeaweedFS
     * @param sealed         stored encrypted (docs/encryption.md's format), bound to {@code targetBucket/targetKey}
     */
    public record ColdBlob(String bucket, ContentHash hash, long size, String rule, String targetEndpoint, String targetBucket,
                           String targetKey, boolean sealed, Instant movedAt) {
    }

    /** Objects and bytes of one content type in one tier. */
    public record Tally(String contentType, boolean cold, long objects, long bytes) {
    }
}

package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which chunked blobs use which chunks (V9__chunks.sql), so that a chunk's bytes go only once
 * no blob uses them. Plain JDBC on a connection of its own, the same SQL on PostgreSQL and the
 * embedded H2, as {@link BackupLeases} does.
 *
 * <p>The rule that keeps every chunk a manifest names: a writer {@linkplain #hold holds} a chunk
 * before it looks for its bytes and before it stores the manifest, and the reclaimer deletes a
 * chunk's bytes only while it holds the chunk's row with no uses ({@link #reclaim}). So a hold
 * either comes first (and the reclaimer leaves the chunk) or waits for the reclaimer and then
 * finds the bytes gone and stores them again.
 */
@Singleton
public class ChunkReferences {

    private static final int ATTEMPTS = 5;
    static final int PER_TRANSACTION = 128;

    private final MetadataDatabase database;

    ChunkReferences(MetadataDatabase database) {
        this.database = database;
    }

    /** A chunk whose last use has gone. */
    public record Unused(String bucket, ContentHash hash, long size) {
    }

    /**
     * Records that blob {@code blob} of {@code bucket} uses the chunk {@code chunk} of
     * {@code size} bytes; recording it again changes nothing. Commits before it returns.
     */
    public void hold(String bucket, ContentHash blob, ContentHash chunk, long size) {
        holdAll(bucket, blob, Map.of(chunk, size));
    }

    /**
     * {@link #hold} for each chunk (by hash, with its size), in few transactions: the chunks in
     * hash order, {@value #PER_TRANSACTION} to a transaction, so that no two writers (nor a
     * release, which goes in the same order) wait on each other in a circle. Committed before it
     * returns.
     */
    public void holdAll(String bucket, ContentHash blob, Map<ContentHash, Long> chunks) {
        List<Map.Entry<ContentHash, Long>> ordered = chunks.entrySet().stream()
            .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(ContentHash::hex))).toList();
        for (int from = 0; from < ordered.size(); from += PER_TRANSACTION) {
            holdGroup(bucket, blob, ordered.subList(from, Math.min(ordered.size(), from + PER_TRANSACTION)));
        }
    }

    private void holdGroup(String bucket, ContentHash blob, List<Map.Entry<ContentHash, Long>> group) {
        for (int attempt = 1; ; attempt++) {
            try {
                inTransaction(c -> {
                    for (var chunk : group) {
                        holdIn(c, bucket, blob, chunk.getKey(), chunk.getValue());
                    }
                    return null;
                });
                return;
            } catch (SQLException e) {
                // Two writers making the same chunk's row at once: one wins, the other finds it next time.
                if (!DatabaseFailures.isUniqueViolation(e) || attempt == ATTEMPTS) {
                    throw new MetadataUnavailableException("cannot record the use of " + group.size() + " chunks by blob " + blob + ": "
                        + DatabaseFailures.rootMessage(e), e);
                }
            }
        }
    }

    private static void holdIn(Connection c, String bucket, ContentHash blob, ContentHash chunk, long size) throws SQLException {
        if (lockChunk(c, bucket, chunk).isEmpty()) {
            try (var insert = c.prepareStatement("INSERT INTO chunks (bucket, hash, size, refs, unreferenced_since) VALUES (?, ?, ?, 0, ?)")) {
                insert.setString(1, bucket);
                insert.setString(2, chunk.hex());
                insert.setLong(3, size);
                insert.setTimestamp(4, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
        }
        try (var select = c.prepareStatement("SELECT 1 FROM chunk_uses WHERE bucket = ? AND blob_hash = ? AND chunk_hash = ?")) {
            select.setString(1, bucket);
            select.setString(2, blob.hex());
            select.setString(3, chunk.hex());
            try (var rs = select.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (var insert = c.prepareStatement("INSERT INTO chunk_uses (bucket, blob_hash, chunk_hash) VALUES (?, ?, ?)")) {
            insert.setString(1, bucket);
            insert.setString(2, blob.hex());
            insert.setString(3, chunk.hex());
            insert.executeUpdate();
        }
        try (var update = c.prepareStatement("UPDATE chunks SET refs = refs + 1, unreferenced_since = NULL WHERE bucket = ? AND hash = ?")) {
            update.setString(1, bucket);
            update.setString(2, chunk.hex());
            update.executeUpdate();
        }
    }

    /**
     * Forgets every use of chunks by {@code blob} (its manifest is gone); chunks left with no
     * use start waiting to be reclaimed. Releasing a blob that uses none changes nothing.
     */
    public void release(String bucket, ContentHash blob) {
        try {
            inTransaction(c -> {
                List<String> used = new ArrayList<>();
                try (var select = c.prepareStatement(
                    "SELECT chunk_hash FROM chunk_uses WHERE bucket = ? AND blob_hash = ? ORDER BY chunk_hash")) {
                    select.setString(1, bucket);
                    select.setString(2, blob.hex());
                    try (var rs = select.executeQuery()) {
                        while (rs.next()) {
                            used.add(rs.getString(1));
                        }
                    }
                }
                Timestamp now = Timestamp.from(Instant.now());
                for (String chunk : used) {
                    // Chunk rows in hash order, as every hold takes one at a time: no two transactions wait on each other.
                    lockChunk(c, bucket, new ContentHash(chunk));
                    try (var delete = c.prepareStatement("DELETE FROM chunk_uses WHERE bucket = ? AND blob_hash = ? AND chunk_hash = ?")) {
                        delete.setString(1, bucket);
                        delete.setString(2, blob.hex());
                        delete.setString(3, chunk);
                        if (delete.executeUpdate() == 0) {
                            // A release of the same blob at the same time listed it too and got the row first:
                            // its use is gone and counted already.
                            continue;
                        }
                    }
                    // The cast: PostgreSQL types a bare parameter in a CASE whose other branch is NULL as text.
                    try (var update = c.prepareStatement("""
                        UPDATE chunks SET refs = refs - 1,
                            unreferenced_since = CASE WHEN refs = 1 THEN CAST(? AS TIMESTAMP WITH TIME ZONE) ELSE NULL END
                        WHERE bucket = ? AND hash = ? AND refs > 0""")) {
                        update.setTimestamp(1, now);
                        update.setString(2, bucket);
                        update.setString(3, chunk);
                        update.executeUpdate();
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot release the chunks of blob " + blob + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** Up to {@code limit} chunks that no blob has used since before {@code before}. */
    public List<Unused> unusedSince(Instant before, int limit) {
        try (Connection c = database.connect(); var select = c.prepareStatement(
            "SELECT bucket, hash, size FROM chunks WHERE refs = 0 AND unreferenced_since < ? ORDER BY unreferenced_since LIMIT ?")) {
            select.setTimestamp(1, Timestamp.from(before));
            select.setInt(2, limit);
            List<Unused> found = new ArrayList<>();
            try (var rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(new Unused(rs.getString(1), new ContentHash(rs.getString(2)), rs.getLong(3)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot list unused chunks: " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /**
     * Runs {@code deleteBytes} and forgets the chunk, with its row held, if it still has had no
     * use since before {@code before}; false (nothing done) when a blob has used it since. When
     * {@code deleteBytes} throws, the row stays.
     */
    public boolean reclaim(Unused chunk, Instant before, Runnable deleteBytes) {
        try {
            return inTransaction(c -> {
                var row = lockChunk(c, chunk.bucket(), chunk.hash());
                if (row.isEmpty() || row.get().refs() != 0 || !row.get().unusedBefore(before)) {
                    return false;
                }
                deleteBytes.run();
                try (var delete = c.prepareStatement("DELETE FROM chunks WHERE bucket = ? AND hash = ?")) {
                    delete.setString(1, chunk.bucket());
                    delete.setString(2, chunk.hash().hex());
                    delete.executeUpdate();
                }
                return true;
            });
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot reclaim chunk " + chunk.hash() + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** {@code work} in one transaction of a connection of its own: committed when it returns, rolled back when it throws. */
    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private record ChunkRow(long refs, Timestamp unusedSince) {
        boolean unusedBefore(Instant before) {
            return unusedSince != null && unusedSince.toInstant().isBefore(before);
        }
    }

    /** The chunk's row, locked until the transaction ends; empty when there is none. */
    private static Optional<ChunkRow> lockChunk(Connection c, String bucket, ContentHash chunk) throws SQLException {
        try (var select = c.prepareStatement("SELECT refs, unreferenced_since FROM chunks WHERE bucket = ? AND hash = ? FOR UPDATE")) {
            select.setString(1, bucket);
            select.setString(2, chunk.hex());
            try (var rs = select.executeQuery()) {
                return rs.next() ? Optional.of(new ChunkRow(rs.getLong(1), rs.getTimestamp(2))) : Optional.empty();
            }
        }
    }
}

package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ObjectRecord;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every current object (delete markers left out) of the shared metadata database as of one instant, for a backup: one
 * read-only REPEATABLE READ transaction, so a write that commits while the snapshot is read is
 * either wholly in it or wholly out, whichever bucket or key it touches. Rows stream to the
 * consumer as the cursor moves; memory stays flat however many objects there are.
 */
@Singleton
public class MetadataSnapshot {

    private static final int FETCH_SIZE = 1_000;

    private final MetadataDatabase database;
    private final ObjectRows rows;

    MetadataSnapshot(MetadataDatabase database, ObjectRows rows) {
        this.database = database;
        this.rows = rows;
    }

    /**
     * Hands each current object of {@code buckets} to {@code each}, by bucket then key; returns
     * how many. Only the policy's own buckets: one database may serve several policies.
     */
    public long forEachCurrent(List<String> buckets, Consumer<ObjectRecord> each) {
        if (buckets.isEmpty()) {
            return 0;
        }
        try (Connection c = database.connect()) {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            try {
                // PostgreSQL streams with a cursor only inside a transaction with a fetch size.
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                long count = 0;
                try (var st = c.prepareStatement("""
                    SELECT v.id, v.bucket, v.object_key, v.hash, v.size, v.content_type, v.user_metadata, v.created_at, v.version, v.tags, v.owner
                    FROM objects o JOIN object_versions v ON v.id = o.version_id
                    WHERE v.delete_marker = FALSE AND o.bucket IN (%s)
                    ORDER BY o.bucket, o.object_key""".formatted(String.join(", ", java.util.Collections.nCopies(buckets.size(), "?"))))) {
                    for (int i = 0; i < buckets.size(); i++) {
                        st.setString(i + 1, buckets.get(i));
                    }
                    st.setFetchSize(FETCH_SIZE);
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            each.accept(rows.toRecord(row(rs)));
                            count++;
                        }
                    }
                }
                c.commit();
                return count;
            } finally {
                c.setReadOnly(false);
                c.setTransactionIsolation(isolation);
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot read a metadata snapshot: " + DatabaseFailures.rootMessage(e), e);
        }
    }

    private static ObjectVersionRow row(ResultSet rs) throws SQLException {
        return new ObjectVersionRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).trim(), rs.getLong(5),
            rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class).toInstant(), rs.getString(9), false, null,
            rs.getString(10), rs.getString(11));
    }
}

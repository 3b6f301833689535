package dev.kelp.agent.metadata;

import dev.kelp.agent.object.StorageConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauge {@code kelp.dedup.saved.bytes{bucket}} (Prometheus {@code kelp_dedup_saved_bytes}): the
 * bytes whole-object dedup saves in each configured bucket, as the metadata database has them —
 * the logical bytes of current objects and kept versions ({@code bucket_usage}) minus the bytes
 * of the blobs they refer to ({@code blobs} with references). And gauge
 * {@code kelp.dedup.block.saved.bytes{bucket}}: what block-level dedup saves on top, each chunk
 * counted once per large blob beyond the first that uses it ({@code chunks}).
 *
 * <p>Summing a bucket's blobs walks its rows, so it is not done on every scrape: a scrape that
 * finds the figures older than {@link #MAX_AGE} starts a refresh in the background and reads the
 * last ones (NaN until the first refresh, and kept as they were while the database is down, so a
 * scrape never waits on PostgreSQL).
 */
@Context
public class DedupSavings {

    static final Duration MAX_AGE = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(DedupSavings.class);
    private static final String SAVED = """
        SELECT u.bucket, u.bytes - COALESCE((SELECT SUM(b.size) FROM blobs b WHERE b.bucket = u.bucket AND b.ref_count > 0), 0)
        FROM (SELECT bucket, SUM(bytes) AS bytes FROM bucket_usage GROUP BY bucket) u""";
    private static final String BLOCK_SAVED = "SELECT bucket, COALESCE(SUM(size * (refs - 1)), 0) FROM chunks WHERE refs > 1 GROUP BY bucket";

    private final MetadataDatabase database;
    private final Map<String, Double> saved = new ConcurrentHashMap<>();
    private final Map<String, Double> blockSaved = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("kelp-dedup-savings").daemon().factory());
    private volatile long refreshedAtNanos;
    private volatile boolean refreshedOnce;

    DedupSavings(MetadataDatabase database, StorageConfig storage, MeterRegistry meters) {
        this.database = database;
        for (String bucket : storage.buckets()) {
            Gauge.builder("kelp.dedup.saved.bytes", this, s -> s.read(s.saved, bucket))
                .description("logical bytes of current objects and kept versions minus the bytes of the blobs they use")
                .tag("bucket", bucket)
                .register(meters);
            Gauge.builder("kelp.dedup.block.saved.bytes", this, s -> s.read(s.blockSaved, bucket))
                .description("bytes of chunks stored once though more than one large blob uses them (block-level dedup)")
                .tag("bucket", bucket)
                .register(meters);
        }
    }

    /** Reads the figures from the database now; false (and the last figures kept) when it cannot be read. */
    public boolean refresh() {
        try (Connection c = database.connect()) {
            Map<String, Double> whole = perBucket(c, SAVED);
            Map<String, Double> blocks = perBucket(c, BLOCK_SAVED);
            // A bucket without a row has never been written to (or chunked into): nothing stored, nothing saved.
            saved.keySet().retainAll(whole.keySet());
            saved.putAll(whole);
            blockSaved.keySet().retainAll(blocks.keySet());
            blockSaved.putAll(blocks);
            refreshedOnce = true;
            return true;
        } catch (SQLException | MetadataUnavailableException e) {
            LOG.debug("dedup savings not refreshed: {}", e.getMessage());
            return false;
        } finally {
            refreshedAtNanos = System.nanoTime();
        }
    }

    private static Map<String, Double> perBucket(Connection c, String sql) throws SQLException {
        try (var st = c.prepareStatement(sql); var rs = st.executeQuery()) {
            Map<String, Double> figures = new java.util.HashMap<>();
            while (rs.next()) {
                figures.put(rs.getString(1), (double) rs.getLong(2));
            }
            return figures;
        }
    }

    private double read(Map<String, Double> figures, String bucket) {
        if ((!refreshedOnce || System.nanoTime() - refreshedAtNanos > MAX_AGE.toNanos()) && refreshing.compareAndSet(false, true)) {
            refresher.execute(() -> {
                try {
                    refresh();
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return refreshedOnce ? figures.getOrDefault(bucket, 0.0) : Double.NaN;
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
    }
}

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
 * of the blobs they refer to ({@code blobs} with references).
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
        FROM bucket_usage u""";

    private final MetadataDatabase database;
    private final Map<String, Double> saved = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("kelp-dedup-savings").daemon().factory());
    private volatile long refreshedAtNanos;
    private volatile boolean refreshedOnce;

    DedupSavings(MetadataDatabase database, StorageConfig storage, MeterRegistry meters) {
        this.database = database;
        for (String bucket : storage.buckets()) {
            Gauge.builder("kelp.dedup.saved.bytes", this, s -> s.read(bucket))
                .description("logical bytes of current objects and kept versions minus the bytes of the blobs they use")
                .tag("bucket", bucket)
                .register(meters);
        }
    }

    /** Reads the figures from the database now; false (and the last figures kept) when it cannot be read. */
    public boolean refresh() {
        try (Connection c = database.connect(); var st = c.prepareStatement(SAVED); var rs = st.executeQuery()) {
            Map<String, Double> now = new java.util.HashMap<>();
            while (rs.next()) {
                now.put(rs.getString(1), (double) rs.getLong(2));
            }
            // A bucket without a usage row has never been written to: nothing stored, nothing saved.
            saved.keySet().retainAll(now.keySet());
            saved.putAll(now);
            refreshedOnce = true;
            return true;
        } catch (SQLException | MetadataUnavailableException e) {
            LOG.debug("dedup savings not refreshed: {}", e.getMessage());
            return false;
        } finally {
            refreshedAtNanos = System.nanoTime();
        }
    }

    private double read(String bucket) {
        if ((!refreshedOnce || System.nanoTime() - refreshedAtNanos > MAX_AGE.toNanos()) && refreshing.compareAndSet(false, true)) {
            refresher.execute(() -> {
                try {
                    refresh();
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return refreshedOnce ? saved.getOrDefault(bucket, 0.0) : Double.NaN;
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
    }
}

package dev.kelp.agent.encryption;

import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.StorageConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves blobs off old key-encryption keys in the background: after a rotation (and at a start
 * with previous keys configured) it reads the header and key record of every encrypted blob on each store and, for a blob
 * whose data key is wrapped by a key other than the active one, writes a new key record
 * wrapped by the active key. Content is never rewritten. A blob under a key the ring does not
 * hold is left exactly as it is and counted; the scan is retried every
 * {@code kelp.encryption.rewrap-interval} until nothing remains. Gauge:
 * {@code kelp.encryption.rewrap.remaining}.
 */
@Context
@Singleton
public class KeyRewrapper {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRewrapper.class);

    private final BlobEncryption encryption;
    // Resolved when a pass runs, not at startup: a store that cannot be built (a bad
    // kelp.fallback setting) must fail where it is used, not inside this bean.
    private final BeanProvider<KeyRecordStore> stores;
    private final StorageConfig storage;
    private final EncryptionConfig config;
    private final Counter rewrapped;
    private final AtomicLong remaining = new AtomicLong();
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private final AtomicReference<Scan> last = new AtomicReference<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-rewrap").daemon().factory());

    /**
     * One pass over every store.
     *
     * @param remaining blobs still under a non-active key after it (unknown key, or a store unreachable)
     * @param unknownKeys blobs per key id the ring does not hold
     */
    public record Scan(Instant startedAt, Instant finishedAt, long examined, long rewrapped, long remaining,
                       Map<String, Long> unknownKeys, boolean complete) {
    }

    KeyRewrapper(BlobEncryption encryption, BeanProvider<KeyRecordStore> stores, StorageConfig storage, EncryptionConfig config,
                 MeterRegistry meters) {
        this.encryption = encryption;
        this.stores = stores;
        this.storage = storage;
        this.config = config;
        this.rewrapped = meters.counter("kelp.encryption.rewrapped");
        meters.gauge("kelp.encryption.rewrap.remaining", remaining);
        encryption.onStaleKeys(this::requestScan);
    }

    @PostConstruct
    void start() {
        // At start a pass can only help when there is an older key to re-wrap from; with the
        // active key alone (the steady state) every agent start would read every blob's header.
        if (encryption.ring().map(r -> r.ids().size() > 1).orElse(false)) {
            scheduler.schedule(this::scanSafely, 1, TimeUnit.SECONDS);
        }
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
    }

    /** The last pass that finished, if any. */
    public Optional<Scan> lastScan() {
        return Optional.ofNullable(last.get());
    }

    /** Asks for a pass soon (the keys changed, or a blob was sealed under a key no longer active). */
    public void requestScan() {
        dirty.set(true);
        scheduler.schedule(this::scanSafely, 200, TimeUnit.MILLISECONDS);
    }

    private void scanSafely() {
        if (!dirty.getAndSet(false) || encryption.ring().isEmpty()) {
            return;
        }
        try {
            Scan scan = scan();
            last.set(scan);
            remaining.set(scan.remaining());
            if (scan.rewrapped() > 0 || scan.remaining() > 0 || !scan.complete()) {
                LOG.info("Key re-wrap: {} blobs examined, {} re-wrapped, {} remain under other keys{}{}", scan.examined(),
                    scan.rewrapped(), scan.remaining(), scan.unknownKeys().isEmpty() ? "" : " (keys not held: " + scan.unknownKeys() + ")",
                    scan.complete() ? "" : "; a store could not be reached");
            }
            if (scan.remaining() > 0 || !scan.complete()) {
                dirty.set(true);
                scheduler.schedule(this::scanSafely, config.rewrapInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            LOG.warn("Key re-wrap pass failed, retrying in {}: {}", config.rewrapInterval(), e.toString());
            dirty.set(true);
            scheduler.schedule(this::scanSafely, config.rewrapInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Scan scan() {
        Instant started = Instant.now();
        long examined = 0;
        long done = 0;
        long left = 0;
        boolean complete = true;
        Map<String, Long> unknown = new TreeMap<>();
        for (KeyRecordStore store : stores.stream().toList()) {
            for (String bucket : storage.buckets()) {
                List<ContentHash> blobs;
                try {
                    blobs = store.encryptedBlobs(bucket);
                } catch (BlobStoreUnavailableException e) {
                    complete = false;
                    continue;
                }
                for (ContentHash hash : blobs) {
                    try {
                        Optional<byte[]> header = store.header(bucket, hash);
                        if (header.isEmpty()) {
                            continue;
                        }
                        examined++;
                        Rewrap result = encryption.rewrap(store.binding(bucket, hash), hash, header.get(), store.override(bucket, hash));
                        switch (result.state()) {
                            case CURRENT -> { }
                            case REWRAPPED -> {
                                store.writeOverride(bucket, hash, result.override().orElseThrow());
                                rewrapped.increment();
                                done++;
                            }
                            case UNKNOWN_KEY -> {
                                unknown.merge(result.kekId(), 1L, Long::sum);
                                left++;
                            }
                        }
                    } catch (BlobStoreUnavailableException e) {
                        complete = false;
                        left++;
                    } catch (RuntimeException e) {
                        LOG.warn("Key re-wrap of blob {} in {} on the {} failed: {}", hash, bucket, store.describe(), e.getMessage());
                        left++;
                    }
                }
            }
        }
        return new Scan(started, Instant.now(), examined, done, left, unknown, complete);
    }
}

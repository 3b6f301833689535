package dev.kelp.agent.encryption;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads {@code kelp.encryption.key-dir} every {@code reload-interval}, so a rotated Secret
 * (kubelet swaps the mounted files atomically) takes effect without a restart. A directory
 * that does not parse (a half-edited Secret, a key of the wrong length) is refused as a
 * whole: the ring in use stays, the failure is logged and counted.
 */
@Context
@Singleton
@Requires(property = "kelp.encryption.key-dir")
class KeyDirWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(KeyDirWatcher.class);

    private final EncryptionConfig config;
    private final BlobEncryption encryption;
    private final Counter failures;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-key-dir").daemon().factory());
    private String lastFailure;

    KeyDirWatcher(EncryptionConfig config, BlobEncryption encryption, MeterRegistry meters) {
        this.config = config;
        this.encryption = encryption;
        this.failures = meters.counter("kelp.encryption.key.reload.failures");
    }

    @PostConstruct
    void start() {
        long every = config.reloadInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::reload, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
    }

    /** Reads the directory once; true when the ring changed. */
    boolean reload() {
        try {
            var next = KeySources.load(config).orElseThrow();
            lastFailure = null;
            var current = encryption.ring();
            if (current.isPresent() && current.get().ids().equals(next.ids())) {
                return false;
            }
            LOG.info("Encryption keys changed: {} (was {})", next, current.map(Object::toString).orElse("none"));
            encryption.replaceRing(next);
            return true;
        } catch (RuntimeException e) {
            failures.increment();
            if (!e.getMessage().equals(lastFailure)) {
                LOG.error("Encryption keys in {} not reloaded, the previous ones stay in use: {}", config.keyDir(), e.getMessage());
                lastFailure = e.getMessage();
            }
            return false;
        }
    }
}

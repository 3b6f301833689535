package dev.kelp.agent.object;

import com.github.benmanes.caffeine.cache.Weigher;
import io.micronaut.cache.SyncCache;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Hot metadata (by bucket and key, invalidated on every write and delete, and expiring
 * quickly because other agents of the same policy may write too) and the content of small
 * objects (by bucket and hash: content-addressed, so never stale).
 */
@Singleton
public class ObjectCache {

    static final String METADATA = "object-metadata";
    static final String CONTENT = "small-objects";

    private final SyncCache<?> records;
    private final SyncCache<?> contents;
    private final long smallObjectMaxBytes;

    public ObjectCache(@Named(METADATA) SyncCache<?> records, @Named(CONTENT) SyncCache<?> contents,
                       @Value("${kelp.cache.small-object-max-bytes:262144}") long smallObjectMaxBytes) {
        this.records = records;
        this.contents = contents;
        this.smallObjectMaxBytes = smallObjectMaxBytes;
    }

    Optional<ObjectRecord> record(String bucket, String key, Supplier<Optional<ObjectRecord>> loader) {
        String cacheKey = bucket + "/" + key;
        Optional<ObjectRecord> cached = records.get(cacheKey, ObjectRecord.class);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<ObjectRecord> loaded = loader.get();
        loaded.ifPresent(r -> records.put(cacheKey, r));
        return loaded;
    }

    void invalidate(String bucket, String key) {
        records.invalidate(bucket + "/" + key);
    }

    /** The cached content of a small object, sliced to the range; empty when not cached. */
    Optional<InputStream> content(ObjectRecord record, long offset, long length) {
        return contents.get(contentKey(record), byte[].class).map(bytes -> slice(bytes, offset, length));
    }

    /**
     * Reads a small object whole from {@code source} into the cache and serves the range from
     * memory; a large one is returned as it is.
     */
    InputStream remember(ObjectRecord record, Supplier<InputStream> wholeObject, long offset, long length) {
        try (InputStream in = wholeObject.get()) {
            byte[] bytes = in.readAllBytes();
            contents.put(contentKey(record), bytes);
            return slice(bytes, offset, length);
        } catch (IOException e) {
            // A failure the store has already put in the API's terms (an encrypted blob that does
            // not authenticate: 500 BlobCorrupt) is answered as such, not as an unexpected error.
            if (e.getCause() instanceof KelpException described) {
                throw described;
            }
            throw new UncheckedIOException(e);
        }
    }

    boolean isSmall(ObjectRecord record) {
        return record.size() <= smallObjectMaxBytes;
    }

    private static String contentKey(ObjectRecord record) {
        return record.bucket() + "/" + record.hash().hex();
    }

    private static InputStream slice(byte[] bytes, long offset, long length) {
        int from = (int) Math.min(offset, bytes.length);
        int len = length < 0 ? bytes.length - from : (int) Math.min(length, bytes.length - from);
        return new ByteArrayInputStream(bytes, from, len);
    }

    /** Weighs cached content by its size, so the cache is bounded in bytes, not entries. */
    @Factory
    static class Weighers {

        @Bean
        @Named(CONTENT)
        Weigher<Object, Object> contentWeigher() {
            return (key, value) -> value instanceof byte[] bytes ? Math.max(1, bytes.length) : 1;
        }
    }
}

package dev.kelp.agent.tiering;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.KeyRecordStore;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.metadata.TierMetadata;
import dev.kelp.agent.metadata.TierMetadata.ColdBlob;
import dev.kelp.agent.object.ContentHash;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The sealed cold copies as the key re-wrapper sees them, so that a rotation covers the cold
 * tier as it covers the fallback volume and SeaweedFS, and the old key can go once the
 * re-wrapper reports nothing left: listed from {@code cold_blobs}, each header read from its
 * target, each new key record kept in its {@code cold_blobs} row. The copy itself is never
 * rewritten. A target or the metadata database out of reach leaves the pass incomplete, and
 * the re-wrapper tries again.
 */
@Singleton
final class ColdKeyRecords implements KeyRecordStore {

    private final TierMetadata metadata;
    private final ColdStore store;

    ColdKeyRecords(TierMetadata metadata, ColdStore store) {
        this.metadata = metadata;
        this.store = store;
    }

    @Override
    public String describe() {
        return "cold tier";
    }

    @Override
    public List<ContentHash> encryptedBlobs(String bucket) {
        return reachable("list the cold copies of " + bucket, () -> metadata.sealedColdBlobs(bucket));
    }

    @Override
    public Optional<byte[]> header(String bucket, ContentHash hash) {
        Optional<ColdBlob> copy = sealedCopy(bucket, hash);
        if (copy.isEmpty()) {
            return Optional.empty();
        }
        ColdBlob blob = copy.get();
        return reachable("read the header of " + blob.targetKey(), () -> {
            try (InputStream in = store.targetOf(blob).open(blob.targetKey(), hash, 0, BlobEncryption.HEADER_BYTES)) {
                return Optional.of(in.readNBytes(BlobEncryption.HEADER_BYTES));
            } catch (BlobNotFoundException gone) {
                return Optional.empty();
            } catch (IOException e) {
                throw new BlobStoreUnavailableException("cannot read the header of cold copy " + blob.targetKey() + ": " + e, e);
            }
        });
    }

    @Override
    public Optional<byte[]> override(String bucket, ContentHash hash) {
        return sealedCopy(bucket, hash).flatMap(blob -> reachable("read a key record",
            () -> metadata.coldKeyRecord(bucket, hash, blob.targetKey())));
    }

    @Override
    public String binding(String bucket, ContentHash hash) {
        return sealedCopy(bucket, hash).map(blob -> ColdStore.binding(blob.targetBucket(), blob.targetKey()))
            .orElseThrow(() -> new BlobNotFoundException(bucket, hash));
    }

    @Override
    public void writeOverride(String bucket, ContentHash hash, byte[] record) {
        sealedCopy(bucket, hash).ifPresent(blob -> reachable("store a key record", () -> {
            metadata.writeColdKeyRecord(bucket, hash, blob.targetKey(), record);
            return null;
        }));
    }

    private Optional<ColdBlob> sealedCopy(String bucket, ContentHash hash) {
        return reachable("look up a cold copy", () -> metadata.coldBlob(bucket, hash)).filter(ColdBlob::sealed);
    }

    /** The re-wrapper counts an unreachable store as an incomplete pass, and comes back. */
    private static <T> T reachable(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (MetadataUnavailableException | SdkException e) {
            throw new BlobStoreUnavailableException("the cold tier: cannot " + what + ": " + e.getMessage(), e);
        }
    }
}

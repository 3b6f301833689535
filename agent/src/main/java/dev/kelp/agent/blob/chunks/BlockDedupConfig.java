package dev.kelp.agent.blob.chunks;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;

/**
 * Block-level dedup on SeaweedFS (docs/agent-config.md, {@code kelp.dedup.blocks}): large blobs
 * stored as content-defined chunks, each chunk once per bucket, so that similar large files
 * (successive versions of an image, a dump, an archive) share what they have in common.
 *
 * @param enabled       whether new blobs are chunked; blobs stored chunked stay readable when it is off
 * @param minObjectSize the smallest blob chunked: below it a blob is one object, as before
 * @param averageChunk  the average chunk size, a power of two; chunks run from a quarter of it to four times it
 */
@ConfigurationProperties("kelp.dedup.blocks")
public record BlockDedupConfig(
    @Bindable(defaultValue = "false") boolean enabled,
    @Bindable(defaultValue = "8MiB") @ByteSize @Min(1) long minObjectSize,
    @Bindable(defaultValue = "1MiB") @ByteSize @Min(64) long averageChunk) {

    public BlockDedupConfig {
        if (Long.bitCount(averageChunk) != 1 || averageChunk > (1 << 26)) {
            throw new IllegalArgumentException("kelp.dedup.blocks.average-chunk must be a power of two up to 64MiB, not " + averageChunk);
        }
    }

    public static BlockDedupConfig disabled() {
        return new BlockDedupConfig(false, 8L << 20, 1L << 20);
    }

    /** Whether a new blob of {@code size} bytes is stored as chunks. */
    public boolean chunks(long size) {
        return enabled && size >= minObjectSize;
    }

    public ContentDefinedChunker chunker() {
        return new ContentDefinedChunker((int) averageChunk);
    }
}

package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * How the agents deduplicate what they store. Whole-object dedup has no switch: it is how the
 * agent stores content. This only adds block-level dedup on top.
 */
public class DedupSpec {

    @JsonPropertyDescription("Block-level dedup on SeaweedFS: a large blob is cut into content-defined chunks (FastCDC) and each chunk is stored once per bucket, so large files that are similar but not identical (successive versions of an image, a database dump, an archive) share the chunks they have in common. A blob stored as chunks stays readable if this is turned off later. Absent: whole-object dedup only.")
    private BlockDedupSpec blocks;

    public DedupSpec() {
    }

    /**
     * Reads the boolean {@code spec.dedup} of policies stored before it became an object (it
     * defaulted to true and did nothing), so that they still load until they are next applied:
     * as no block-level settings, which is what the agents did with it.
     */
    @JsonCreator
    public static DedupSpec fromLegacyBoolean(boolean legacy) {
        return new DedupSpec();
    }

    public BlockDedupSpec getBlocks() {
        return blocks;
    }

    public void setBlocks(BlockDedupSpec blocks) {
        this.blocks = blocks;
    }
}

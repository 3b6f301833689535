package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** Block-level dedup on SeaweedFS: large blobs stored as content-defined chunks, each chunk once per bucket. */
public class BlockDedupSpec {

    @Default("false")
    @JsonPropertyDescription("Store new blobs of at least minObjectSize as chunks. Only what is written to SeaweedFS is chunked; blobs written to the fallback volume while SeaweedFS is out of reach are chunked when the sync uploads them. Each chunk's use is recorded in the metadata database; when it cannot be, the blob is stored whole. A signed URL for an object of that size is served by the agent, never presigned by SeaweedFS.")
    private Boolean enabled;

    @Default("8Mi")
    @ValidationRule(value = Constraints.POSITIVE_BYTES_RULE, message = "minObjectSize " + Constraints.POSITIVE_BYTES_MESSAGE)
    @JsonPropertyDescription("The smallest blob stored as chunks; a smaller one is stored whole, as without block-level dedup. A number of bytes or a quantity such as 8Mi (binary units: Mi is 2^20 bytes).")
    private Quantity minObjectSize;

    @Default("1Mi")
    @ValidationRule(value = Constraints.CHUNK_SIZE_RULE, message = "averageChunkSize " + Constraints.CHUNK_SIZE_MESSAGE)
    @JsonPropertyDescription("The average chunk size, a power of two from 64 bytes to 64Mi such as 1Mi; chunks run from a quarter of it to four times it. Smaller chunks find more shared content and cost more chunks to store and look up.")
    private Quantity averageChunkSize;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Quantity getMinObjectSize() {
        return minObjectSize;
    }

    public void setMinObjectSize(Quantity minObjectSize) {
        this.minObjectSize = minObjectSize;
    }

    public Quantity getAverageChunkSize() {
        return averageChunkSize;
    }

    public void setAverageChunkSize(Quantity averageChunkSize) {
        this.averageChunkSize = averageChunkSize;
    }
}

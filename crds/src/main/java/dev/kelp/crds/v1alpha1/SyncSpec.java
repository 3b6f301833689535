package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How an agent drains its fallback queue back to SeaweedFS once it is healthy again. */
public class SyncSpec {

    @Default("4")
    @Min(1)
    @Max(64)
    @JsonPropertyDescription("Objects uploaded at once while draining, 1 to 64. Each is verified by SHA-256 on SeaweedFS before its local copy is released.")
    private Integer concurrency;

    public Integer getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(Integer concurrency) {
        this.concurrency = concurrency;
    }
}

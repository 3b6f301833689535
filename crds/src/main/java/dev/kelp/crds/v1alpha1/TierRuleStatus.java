package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.kelp.crds.schema.ConditionsByType;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the last run of a TierRule did. */
@SchemaCustomizer(ConditionsByType.class)
public class TierRuleStatus extends KelpStatus {

    @JsonPropertyDescription("When the rule last finished a run (RFC 3339): the LAST RUN column of kubectl get.")
    private String lastRun;

    @JsonPropertyDescription("Objects the last run moved to cold storage: the MOVED column of kubectl get.")
    private Long objectsMoved;

    @JsonPropertyDescription("Bytes the last run moved to cold storage.")
    private Long bytesMoved;

    @JsonPropertyDescription("Bytes of the matched objects per tier after the last run: hot (the policy's buckets) and cold (the target).")
    private Map<String, Long> bytesPerTier = new LinkedHashMap<>();

    public String getLastRun() {
        return lastRun;
    }

    public void setLastRun(String lastRun) {
        this.lastRun = lastRun;
    }

    public Long getObjectsMoved() {
        return objectsMoved;
    }

    public void setObjectsMoved(Long objectsMoved) {
        this.objectsMoved = objectsMoved;
    }

    public Long getBytesMoved() {
        return bytesMoved;
    }

    public void setBytesMoved(Long bytesMoved) {
        this.bytesMoved = bytesMoved;
    }

    public Map<String, Long> getBytesPerTier() {
        return bytesPerTier;
    }

    public void setBytesPerTier(Map<String, Long> bytesPerTier) {
        this.bytesPerTier = bytesPerTier;
    }
}

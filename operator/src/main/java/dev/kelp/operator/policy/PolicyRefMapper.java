package dev.kelp.operator.policy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Maps a TierRule or BackupSchedule to the policy it names and, once, to the policy it named
 * before: JOSDK hands a mapper only the new version of an updated resource, and a rule pointed
 * at another policy must leave the old policy's ConfigMap now, not at the next resync.
 */
final class PolicyRefMapper<R extends HasMetadata> implements SecondaryToPrimaryMapper<R> {

    private final Function<R, String> policyName;
    private final Map<String, ResourceID> lastPolicy = new ConcurrentHashMap<>();

    PolicyRefMapper(Function<R, String> policyName) {
        this.policyName = policyName;
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(R resource) {
        var now = new ResourceID(policyName.apply(resource), resource.getMetadata().getNamespace());
        var before = lastPolicy.put(resource.getMetadata().getUid(), now);
        return before == null || before.equals(now) ? Set.of(now) : Set.of(now, before);
    }
}

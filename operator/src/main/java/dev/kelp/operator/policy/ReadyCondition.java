package dev.kelp.operator.policy;

import dev.kelp.crds.v1alpha1.StoragePolicyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;

/** Builds the policy's Ready condition in one place, so lastTransitionTime only moves when the status does. */
final class ReadyCondition {

    static final String TYPE = "Ready";

    private ReadyCondition() {
    }

    static StoragePolicyStatus observe(StoragePolicyStatus previous, Long generation, boolean secretExists, String secretName, Instant now) {
        String status = secretExists ? "True" : "False";
        String reason = secretExists ? "Configured" : "SecretMissing";
        String message = secretExists
            ? "credentials Secret " + secretName + " found"
            : "credentials Secret " + secretName + " does not exist in this namespace";
        String transition = previous.getConditions().stream()
            .filter(c -> TYPE.equals(c.getType()) && status.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .findFirst()
            .orElse(now.toString());

        var conditions = new ArrayList<>(previous.getConditions().stream().filter(c -> !TYPE.equals(c.getType())).toList());
        conditions.add(new ConditionBuilder()
            .withType(TYPE).withStatus(status).withReason(reason).withMessage(message)
            .withObservedGeneration(generation).withLastTransitionTime(transition)
            .build());
        var next = new StoragePolicyStatus();
        next.setObservedGeneration(generation);
        next.setConditions(conditions);
        return next;
    }
}

package dev.kelp.operator.policy;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicyStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;

/** Observes a StoragePolicy and records in its status whether its agents can be configured. */
@ControllerConfiguration(name = "storagepolicy")
public class StoragePolicyReconciler implements Reconciler<StoragePolicy> {

    /** A missing Secret may be created any moment; look again without waiting for an event on the policy. */
    static final Duration RECHECK_WHEN_NOT_READY = Duration.ofSeconds(30);

    @Override
    public UpdateControl<StoragePolicy> reconcile(StoragePolicy policy, Context<StoragePolicy> context) {
        String secretName = policy.getSpec().getSeaweedfs().getCredentialsSecret();
        Secret secret = context.getClient().secrets()
            .inNamespace(policy.getMetadata().getNamespace()).withName(secretName).get();
        var previous = policy.getStatus() == null ? new StoragePolicyStatus() : policy.getStatus();
        var status = ReadyCondition.observe(previous, policy.getMetadata().getGeneration(), secret != null, secretName, Instant.now());
        policy.setStatus(status);
        var control = UpdateControl.patchStatus(policy);
        return secret == null ? control.rescheduleAfter(RECHECK_WHEN_NOT_READY) : control;
    }
}

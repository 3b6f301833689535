package dev.kelp.operator.inject;

import dev.kelp.crds.v1alpha1.FallbackSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The volumes the agent needs: its configuration, its fallback volume, a small /tmp, and the
 * Secrets it reads keys from (encryption, target credentials).
 *
 * <p>The fallback volume is what the policy says: an emptyDir with its size limit; an
 * existing claim by name; or, for {@code pvc.size}, a generic ephemeral volume, a claim the
 * kubelet makes for the pod and deletes with it. An ephemeral claim survives container
 * restarts and node-level disk pressure better than an emptyDir and can use a storage class,
 * but it does not outlive the pod: objects not yet synced when the pod is deleted are lost,
 * as with an emptyDir. A claim that outlives its pod needs a StatefulSet's
 * volumeClaimTemplates or {@code pvc.claimName}; a webhook cannot give a bare pod one.
 */
public final class AgentVolumes {

    /** Class loading, Netty's native libraries and the JVM's perf data: small and short-lived. */
    static final Quantity TMP_SIZE = new Quantity("64Mi");
    static final Quantity DEFAULT_FALLBACK_SIZE = new Quantity("1Gi");

    private AgentVolumes() {
    }

    public static List<Volume> of(StoragePolicy policy) {
        return of(policy, List.of());
    }

    /** @param targetSecrets the credentials Secrets of the policy's targets (the agent ConfigMap's annotation) */
    public static List<Volume> of(StoragePolicy policy, List<String> targetSecrets) {
        String name = policy.getMetadata().getName();
        var volumes = new ArrayList<Volume>(List.of(
            new VolumeBuilder().withName(InjectionContract.CONFIG_VOLUME)
                .withNewConfigMap().withName(InjectionContract.configMapName(name)).endConfigMap().build(),
            fallback(name, policy.getSpec().getFallback()),
            new VolumeBuilder().withName(InjectionContract.TMP_VOLUME)
                .withNewEmptyDir().withSizeLimit(TMP_SIZE).endEmptyDir().build()));
        encryption(policy).ifPresent(volumes::add);
        targets(targetSecrets).ifPresent(volumes::add);
        access(policy).ifPresent(volumes::add);
        return List.copyOf(volumes);
    }

    /** The principals Secret as files, for the same reason as the encryption key: a change reaches running agents. */
    static Optional<Volume> access(StoragePolicy policy) {
        var access = policy.getSpec().getAccess();
        if (access == null || access.getPrincipalsSecret() == null) {
            return Optional.empty();
        }
        return Optional.of(new VolumeBuilder().withName(InjectionContract.ACCESS_VOLUME)
            .withNewSecret().withSecretName(access.getPrincipalsSecret()).endSecret().build());
    }

    /**
     * Each target credentials Secret under a directory of its own name. Optional: a Secret
     * deleted or not yet made must not keep the pod from starting; the backup or tier run that
     * needs it fails and says which Secret is missing.
     */
    static Optional<Volume> targets(List<String> secrets) {
        if (secrets.isEmpty()) {
            return Optional.empty();
        }
        var sources = secrets.stream().map(secret -> new VolumeProjectionBuilder().withNewSecret()
                .withName(secret).withOptional(true)
                .addNewItem().withKey("accessKey").withPath(secret + "/accessKey").endItem()
                .addNewItem().withKey("secretKey").withPath(secret + "/secretKey").endItem()
                .endSecret().build())
            .toList();
        return Optional.of(new VolumeBuilder().withName(InjectionContract.TARGETS_VOLUME)
            .withNewProjected().withSources(sources).endProjected().build());
    }

    /** The target Secrets a rendered agent ConfigMap names. */
    static List<String> targetSecrets(ConfigMap config) {
        var annotations = config.getMetadata() == null ? null : config.getMetadata().getAnnotations();
        String names = annotations == null ? null : annotations.get(InjectionContract.TARGET_SECRETS_ANNOTATION);
        if (names == null || names.isBlank()) {
            return List.of();
        }
        return Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty()).distinct().sorted().toList();
    }

    /**
     * The encryption key Secret as files: kubelet updates a mounted Secret in place (an env var
     * never changes), so a rotated key reaches a running agent, which re-reads the directory.
     */
    static Optional<Volume> encryption(StoragePolicy policy) {
        var encryption = policy.getSpec().getEncryption();
        if (encryption == null || encryption.getKeySecret() == null) {
            return Optional.empty();
        }
        return Optional.of(new VolumeBuilder().withName(InjectionContract.ENCRYPTION_VOLUME)
            .withNewSecret().withSecretName(encryption.getKeySecret()).endSecret().build());
    }

    static Volume fallback(String policy, FallbackSpec fallback) {
        var volume = new VolumeBuilder().withName(InjectionContract.FALLBACK_VOLUME);
        if (fallback != null && fallback.getPvc() != null && fallback.getPvc().getClaimName() != null) {
            return volume.withNewPersistentVolumeClaim().withClaimName(fallback.getPvc().getClaimName()).endPersistentVolumeClaim().build();
        }
        if (fallback != null && fallback.getPvc() != null && fallback.getPvc().getSize() != null) {
            var pvc = fallback.getPvc();
            return volume.withNewEphemeral().withNewVolumeClaimTemplate()
                .withNewMetadata().addToLabels(InjectionContract.POLICY_LABEL, policy)
                    .addToLabels(InjectionContract.MANAGED_BY_LABEL, InjectionContract.MANAGED_BY).endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(pvc.getStorageClass())
                    .withNewResources().addToRequests("storage", pvc.getSize()).endResources()
                .endSpec()
                .endVolumeClaimTemplate().endEphemeral().build();
        }
        return volume.withNewEmptyDir().withSizeLimit(emptyDirSizeLimit(fallback).orElseThrow()).endEmptyDir().build();
    }

    /** The size limit of the emptyDir mounted as the fallback volume; empty when the volume is a claim. */
    public static Optional<Quantity> emptyDirSizeLimit(FallbackSpec fallback) {
        if (fallback != null && fallback.getPvc() != null) {
            return Optional.empty();
        }
        return Optional.of(fallback != null && fallback.getEmptyDir() != null && fallback.getEmptyDir().getSizeLimit() != null
            ? fallback.getEmptyDir().getSizeLimit() : DEFAULT_FALLBACK_SIZE);
    }
}

package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * How the pods that opt in store their files: where SeaweedFS is, which buckets they use,
 * and what the agent does when SeaweedFS is out of reach.
 */
@Group(StoragePolicy.GROUP)
@Version(StoragePolicy.VERSION)
@Kind(StoragePolicy.KIND)
@Plural(StoragePolicy.PLURAL)
@ShortNames({StoragePolicy.SHORT_NAME, "kelpsp"})
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".status.mode", type = Type.STRING,
    getDescription = "The worst mode any agent of the policy reports.")
@AdditionalPrinterColumn(name = "Agents", jsonPath = ".status.agentsDisplay", type = Type.STRING,
    getDescription = "Ready agents over all agents.")
@AdditionalPrinterColumn(name = "Pending", jsonPath = ".status.pending.objects", type = Type.INTEGER,
    getDescription = "Objects waiting on fallback volumes to sync to SeaweedFS.")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Pending Bytes", jsonPath = ".status.pending.bytes", type = Type.INTEGER, priority = 1,
    getDescription = "Bytes waiting on fallback volumes to sync to SeaweedFS.")
public class StoragePolicy extends CustomResource<StoragePolicySpec, StoragePolicyStatus> implements Namespaced {

    public static final String GROUP = "kelp.dev";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "StoragePolicy";
    public static final String PLURAL = "storagepolicies";
    public static final String SHORT_NAME = "sp";
    public static final String CRD_NAME = PLURAL + "." + GROUP;

    @Override
    @Required
    @JsonPropertyDescription("What the platform team declares: which pods, where their objects go, and what the agent does when SeaweedFS is out of reach.")
    public StoragePolicySpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("What the operator last saw: conditions, agents per mode, and what waits to sync. Written by the operator only.")
    public StoragePolicyStatus getStatus() {
        return super.getStatus();
    }
}

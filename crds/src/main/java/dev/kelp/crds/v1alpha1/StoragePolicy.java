package dev.kelp.crds.v1alpha1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * How the pods that opt in store their files: where SeaweedFS is, which buckets they use,
 * and what the agent does when SeaweedFS is out of reach.
 */
@Group(StoragePolicy.GROUP)
@Version(StoragePolicy.VERSION)
@Plural(StoragePolicy.PLURAL)
@ShortNames({"sp", "kelpsp"})
public class StoragePolicy extends CustomResource<StoragePolicySpec, StoragePolicyStatus> implements Namespaced {

    public static final String GROUP = "kelp.dev";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "StoragePolicy";
    public static final String PLURAL = "storagepolicies";
    public static final String CRD_NAME = PLURAL + "." + GROUP;
}

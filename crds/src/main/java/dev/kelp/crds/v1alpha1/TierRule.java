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

/** For one policy: which objects move from hot to cold storage after how long unread, and when they expire. */
@Group(TierRule.GROUP)
@Version(TierRule.VERSION)
@Kind(TierRule.KIND)
@Plural(TierRule.PLURAL)
@ShortNames({TierRule.SHORT_NAME, "kelptr"})
@AdditionalPrinterColumn(name = "Policy", jsonPath = ".spec.policyRef.name", type = Type.STRING,
    getDescription = "The StoragePolicy whose objects the rule moves.")
@AdditionalPrinterColumn(name = "Last Run", jsonPath = ".status.lastRun", type = Type.DATE,
    getDescription = "When the rule last finished a run.")
@AdditionalPrinterColumn(name = "Moved", jsonPath = ".status.objectsMoved", type = Type.INTEGER,
    getDescription = "Objects the last run moved to cold storage.")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Cold After", jsonPath = ".spec.coldAfter", type = Type.STRING, priority = 1,
    getDescription = "How long an object goes unread before it moves.")
public class TierRule extends CustomResource<TierRuleSpec, TierRuleStatus> implements Namespaced {

    public static final String GROUP = StoragePolicy.GROUP;
    public static final String VERSION = StoragePolicy.VERSION;
    public static final String KIND = "TierRule";
    public static final String PLURAL = "tierrules";
    public static final String SHORT_NAME = "tr";
    public static final String CRD_NAME = PLURAL + "." + GROUP;

    @Override
    @Required
    @JsonPropertyDescription("Which objects of which policy move to cold storage, after how long unread, to where, and when they expire.")
    public TierRuleSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("What the last run did. Written by the operator only.")
    public TierRuleStatus getStatus() {
        return super.getStatus();
    }
}

package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Which objects of a policy move from hot to cold storage, after how long unread, and when they expire. */
@ValidationRule(value = "!has(self.expireAfter)"
    + " || !self.coldAfter.matches('" + Constraints.DURATION + "')"
    + " || !self.expireAfter.matches('" + Constraints.DURATION + "')"
    + " || duration(self.expireAfter) > duration(self.coldAfter)",
    message = "expireAfter must be longer than coldAfter: an object turns cold before it expires",
    fieldPath = ".expireAfter")
public class TierRuleSpec {

    @Required
    @JsonPropertyDescription("The StoragePolicy, in this namespace, whose objects the rule moves.")
    private PolicyReference policyRef;

    @JsonPropertyDescription("Which objects the rule applies to. Absent: every object of the policy.")
    private TierMatch match;

    @Required
    @Size(max = 32)
    @Pattern(Constraints.DURATION)
    @ValidationRule(value = Constraints.DURATION_RULE, message = "coldAfter " + Constraints.DURATION_MESSAGE)
    @JsonPropertyDescription("How long an object goes unread before it moves to cold storage, as a Go duration such as 720h (30 days). Units h, m, s, ms; no days.")
    private String coldAfter;

    @Required
    @JsonPropertyDescription("Where cold objects go: a bucket on the policy's SeaweedFS, or on another S3 endpoint. Reads still work through the agent, only slower.")
    private S3Target target;

    @Size(max = 32)
    @Pattern(Constraints.DURATION)
    @ValidationRule(value = Constraints.DURATION_RULE, message = "expireAfter " + Constraints.DURATION_MESSAGE)
    @JsonPropertyDescription("How long an object goes unread before it is deleted, as a Go duration such as 8760h (365 days); longer than coldAfter. Absent: objects never expire.")
    private String expireAfter;

    @JsonPropertyDescription("Whether a read of an object this rule moved cold also copies it back to the hot bucket, in the background (the read itself is served from the cold copy). Absent: the agent's default, true. False suits archives that are read now and then but should stay cold.")
    private Boolean promoteOnRead;

    public PolicyReference getPolicyRef() {
        return policyRef;
    }

    public void setPolicyRef(PolicyReference policyRef) {
        this.policyRef = policyRef;
    }

    public TierMatch getMatch() {
        return match;
    }

    public void setMatch(TierMatch match) {
        this.match = match;
    }

    public String getColdAfter() {
        return coldAfter;
    }

    public void setColdAfter(String coldAfter) {
        this.coldAfter = coldAfter;
    }

    public S3Target getTarget() {
        return target;
    }

    public void setTarget(S3Target target) {
        this.target = target;
    }

    public String getExpireAfter() {
        return expireAfter;
    }

    public void setExpireAfter(String expireAfter) {
        this.expireAfter = expireAfter;
    }

    public Boolean getPromoteOnRead() {
        return promoteOnRead;
    }

    public void setPromoteOnRead(Boolean promoteOnRead) {
        this.promoteOnRead = promoteOnRead;
    }
}

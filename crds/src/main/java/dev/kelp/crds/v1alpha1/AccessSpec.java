package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Owners of the policy's objects: who they are, what they share and what each may hold (docs/access-control.md). */
@ValidationRule(value = "has(self.principalsSecret) || !has(self.sharing) || self.sharing == 'private'",
    message = "sharing other than private needs principalsSecret: without principals every caller is the same default owner")
public class AccessSpec {

    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace whose entry principals.yaml lists the owners: for each, its name, the bearer tokens of the native API and the S3 access keys that name it, and optionally a quota of its own (docs/access-control.md). Mounted into the agent, which re-reads it when it changes. Absent: the policy's single API token and S3 key pair are the one default owner.")
    private String principalsSecret;

    @Default("private")
    @Pattern("^(private|read|read-write)$")
    @JsonPropertyDescription("How owners share the policy's buckets: private (an owner sees only its own objects; another's are absent to it and cannot be overwritten), read (every owner reads every object; only its owner overwrites or deletes it) or read-write (every owner reads and changes every object).")
    private String sharing;

    @JsonPropertyDescription("What each owner may hold across the policy's buckets unless principals.yaml gives it a quota of its own; on top of the policy's quota. Absent: no per-owner limit.")
    private OwnerQuotaSpec ownerQuota;

    public String getPrincipalsSecret() {
        return principalsSecret;
    }

    public void setPrincipalsSecret(String principalsSecret) {
        this.principalsSecret = principalsSecret;
    }

    public String getSharing() {
        return sharing;
    }

    public void setSharing(String sharing) {
        this.sharing = sharing;
    }

    public OwnerQuotaSpec getOwnerQuota() {
        return ownerQuota;
    }

    public void setOwnerQuota(OwnerQuotaSpec ownerQuota) {
        this.ownerQuota = ownerQuota;
    }
}

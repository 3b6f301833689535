package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where a TierRule moves cold objects or a BackupSchedule writes backups: a bucket on the
 * policy's own SeaweedFS, or on another S3 endpoint with its own credentials.
 */
@ValidationRule(value = "has(self.endpoint) == has(self.credentialsSecret)",
    message = "endpoint and credentialsSecret go together: another S3 endpoint needs its own credentials, and the policy's own SeaweedFS needs neither")
@ValidationRule(value = "!has(self.region) || has(self.endpoint)",
    message = "region applies only to another S3 endpoint: set endpoint too, or remove region")
public class S3Target {

    @Required
    @Size(min = 3, max = 63)
    @Pattern(Constraints.BUCKET)
    @JsonPropertyDescription("Bucket to write to (3-63 lowercase letters, digits, dots and hyphens).")
    private String bucket;

    @Size(max = 1024)
    @JsonPropertyDescription("Key prefix for everything written to the bucket, e.g. backups/cards/. Absent: the bucket's root.")
    private String prefix;

    @Size(max = 2048)
    @Pattern("^https?://.+")
    @JsonPropertyDescription("S3 endpoint URL when the bucket is not on the policy's SeaweedFS, e.g. https://s3.eu-west-1.amazonaws.com. Needs credentialsSecret.")
    private String endpoint;

    @Size(max = 64)
    @JsonPropertyDescription("Region to sign requests for at endpoint, e.g. eu-west-1. Only with endpoint; absent: us-east-1.")
    private String region;

    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace with keys accessKey and secretKey for endpoint. Only with endpoint.")
    private String credentialsSecret;

    public String getBucket() {
        return bucket;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getCredentialsSecret() {
        return credentialsSecret;
    }

    public void setCredentialsSecret(String credentialsSecret) {
        this.credentialsSecret = credentialsSecret;
    }
}

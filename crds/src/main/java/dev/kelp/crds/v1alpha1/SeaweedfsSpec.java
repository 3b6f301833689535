package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The SeaweedFS S3 gateway a policy's agents write to while it is healthy. */
public class SeaweedfsSpec {

    @Required
    @Size(max = 2048)
    @Pattern("^https?://.+")
    @JsonPropertyDescription("S3 endpoint URL of the SeaweedFS gateway, e.g. http://seaweedfs-s3.storage:8333.")
    private String endpoint;

    @Default("us-east-1")
    @Size(max = 64)
    @JsonPropertyDescription("Region the agents sign S3 requests for. SeaweedFS accepts any; change it only if the gateway expects one.")
    private String region;

    @Required
    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace with keys accessKey and secretKey for the gateway. The agent reads it from the Secret; it is never copied into a ConfigMap.")
    private String credentialsSecret;

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

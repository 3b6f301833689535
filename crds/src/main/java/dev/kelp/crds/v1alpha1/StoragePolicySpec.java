package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** What a platform team declares for a group of pods. */
public class StoragePolicySpec {

    @Required
    @Pattern("^https?://.+")
    @JsonPropertyDescription("S3 endpoint of the SeaweedFS gateway the agents write to, e.g. http://seaweedfs-s3.storage:8333.")
    private String endpoint;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Buckets the agents may use. The first is the default for apps that name none.")
    private List<@Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$") String> buckets = new ArrayList<>();

    @Required
    @JsonPropertyDescription("Name of the Secret in this namespace that holds the S3 access key (key accessKey) and secret key (key secretKey). Referenced, never copied.")
    private String credentialsSecret;

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public List<String> getBuckets() {
        return buckets;
    }

    public void setBuckets(List<String> buckets) {
        this.buckets = buckets;
    }

    public String getCredentialsSecret() {
        return credentialsSecret;
    }

    public void setCredentialsSecret(String credentialsSecret) {
        this.credentialsSecret = credentialsSecret;
    }
}

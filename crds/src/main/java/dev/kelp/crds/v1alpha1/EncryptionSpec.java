package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Encryption of object content by the agent, before it leaves the pod. */
public class EncryptionSpec {

    @Required
    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace whose key named key holds 32 random bytes, the AES-256-GCM key. Objects written with a key cannot be read without it: keep the Secret.")
    private String keySecret;

    public String getKeySecret() {
        return keySecret;
    }

    public void setKeySecret(String keySecret) {
        this.keySecret = keySecret;
    }
}

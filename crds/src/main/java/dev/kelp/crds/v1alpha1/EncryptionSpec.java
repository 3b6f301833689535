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
    @JsonPropertyDescription("Name of a Secret in this namespace whose entry key holds the active AES-256 key-encryption key (32 random bytes, raw or base64), and whose optional entry previous-keys holds older keys (base64, one a line) still accepted while the agents re-wrap every blob to the active one. The Secret is mounted, so a rotation reaches running agents without a restart (docs/encryption.md). Objects written with a key cannot be read without it: keep the Secret.")
    private String keySecret;

    public String getKeySecret() {
        return keySecret;
    }

    public void setKeySecret(String keySecret) {
        this.keySecret = keySecret;
    }
}

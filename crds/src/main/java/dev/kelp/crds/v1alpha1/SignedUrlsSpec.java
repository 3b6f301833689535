package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** URLs that let a client read or write one object without other credentials, until they expire. */
public class SignedUrlsSpec {

    @Required
    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace whose key named key holds the HMAC-SHA256 signing key (32 bytes or more), used when the agent is not in FULL mode; in FULL mode URLs are S3 presigned.")
    private String keySecret;

    @Default("15m")
    @Size(max = 32)
    @Pattern(Constraints.DURATION)
    @ValidationRule(value = Constraints.DURATION_RULE, message = "defaultTtl " + Constraints.DURATION_MESSAGE)
    @JsonPropertyDescription("How long a signed URL stays valid when the app asks for no expiry, as a Go duration such as 15m or 1h. Units h, m, s, ms.")
    private String defaultTtl;

    public String getKeySecret() {
        return keySecret;
    }

    public void setKeySecret(String keySecret) {
        this.keySecret = keySecret;
    }

    public String getDefaultTtl() {
        return defaultTtl;
    }

    public void setDefaultTtl(String defaultTtl) {
        this.defaultTtl = defaultTtl;
    }
}

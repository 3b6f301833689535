package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The agent's S3-compatible endpoint: apps that speak S3 point their endpoint URL at it. */
@ValidationRule(value = "self.auth == 'None' || has(self.credentialsSecret)",
    message = "auth SigV4 needs credentialsSecret, a Secret with keys accessKey and secretKey that the apps sign with; or set auth: None for unsigned loopback access")
public class S3EndpointSpec {

    @Default("true")
    @JsonPropertyDescription("Serve the S3 endpoint in every agent of the policy. false: only the native API.")
    private Boolean enabled;

    @Min(1024)
    @Max(65535)
    @JsonPropertyDescription("Port of the S3 endpoint on the pod's loopback interface: apps use http://127.0.0.1:<port> as their S3 endpoint URL. Absent: the agent's port + 2 (8782 by default; the port + 1 is its health port). It must not clash with a port of the app's containers.")
    private Integer port;

    @Default("SigV4")
    @JsonPropertyDescription("How callers authenticate. SigV4: AWS Signature Version 4 with the key pair of credentialsSecret, as every S3 SDK and tool signs (headers, presigned URLs, streaming uploads). None: unsigned requests are accepted; anything in the pod can read and write.")
    private S3EndpointAuth auth;

    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace with keys accessKey and secretKey: the access key pair apps sign with (their AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Needed with auth SigV4.")
    private String credentialsSecret;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public S3EndpointAuth getAuth() {
        return auth;
    }

    public void setAuth(S3EndpointAuth auth) {
        this.auth = auth;
    }

    public String getCredentialsSecret() {
        return credentialsSecret;
    }

    public void setCredentialsSecret(String credentialsSecret) {
        this.credentialsSecret = credentialsSecret;
    }
}

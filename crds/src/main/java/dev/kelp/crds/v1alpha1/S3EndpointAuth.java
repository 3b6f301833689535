package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the agent's S3-compatible endpoint authenticates its callers. */
public enum S3EndpointAuth {
    /** AWS Signature Version 4, as every S3 SDK signs, against the key pair of credentialsSecret. */
    @JsonProperty("SigV4")
    SIGV4,
    /** No authentication: any process that can reach the pod's loopback interface may call it. */
    @JsonProperty("None")
    NONE
}

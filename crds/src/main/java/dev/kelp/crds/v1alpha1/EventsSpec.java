package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The Cassandra cluster a policy's agents record events in. */
public class EventsSpec {

    @Required
    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace with keys contactPoints (host:port, comma-separated) and localDatacenter, and optionally username and password.")
    private String connectionSecret;

    @Default("720h")
    @Size(max = 32)
    @Pattern(Constraints.DURATION)
    @ValidationRule(value = Constraints.DURATION_RULE, message = "ttl " + Constraints.DURATION_MESSAGE)
    @JsonPropertyDescription("How long Cassandra keeps each event, as a Go duration: 720h is 30 days. Units h, m, s, ms; no days.")
    private String ttl;

    public String getConnectionSecret() {
        return connectionSecret;
    }

    public void setConnectionSecret(String connectionSecret) {
        this.connectionSecret = connectionSecret;
    }

    public String getTtl() {
        return ttl;
    }

    public void setTtl(String ttl) {
        this.ttl = ttl;
    }
}

package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The PostgreSQL database that holds object metadata for a policy's agents. */
public class MetadataSpec {

    @Required
    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in this namespace with keys url (jdbc:postgresql://host:5432/db), username and password.")
    private String connectionSecret;

    public String getConnectionSecret() {
        return connectionSecret;
    }

    public void setConnectionSecret(String connectionSecret) {
        this.connectionSecret = connectionSecret;
    }
}

package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequiredSecretsTest {

    private final StoragePolicy complete = Fixtures.valid("storagepolicy-complete", StoragePolicy.class);

    @Test
    void everySecretFieldOfThePolicyWithTheKeysTheWebhookMaps() {
        assertThat(RequiredSecrets.of(complete.getSpec())).containsExactly(
            new RequiredSecrets.Requirement("seaweedfs.credentialsSecret", "seaweedfs-credentials", List.of("accessKey", "secretKey")),
            new RequiredSecrets.Requirement("metadata.connectionSecret", "kelp-postgres", List.of("url", "username", "password")),
            new RequiredSecrets.Requirement("events.connectionSecret", "kelp-cassandra", List.of("contactPoints", "localDatacenter")),
            new RequiredSecrets.Requirement("signedUrls.keySecret", "kelp-url-signing-key", List.of("key")),
            new RequiredSecrets.Requirement("encryption.keySecret", "kelp-encryption-key", List.of("key")),
            new RequiredSecrets.Requirement("access.principalsSecret", "kelp-principals", List.of("principals.yaml")),
            new RequiredSecrets.Requirement("s3.credentialsSecret", "kelp-s3-keys", List.of("accessKey", "secretKey")));
    }

    @Test
    void namesEachMissingSecretAndEachMissingKeyAndLooksEachSecretUpOnce() {
        var lookups = new ArrayList<String>();
        Map<String, Secret> existing = Map.of(
            "seaweedfs-credentials", secret("accessKey"),
            "kelp-postgres", secret("url", "username", "password"),
            "kelp-cassandra", secret("contactPoints", "localDatacenter"));
        var requirements = new ArrayList<>(RequiredSecrets.of(complete.getSpec()));
        requirements.add(new RequiredSecrets.Requirement("again", "kelp-url-signing-key", List.of("key")));

        var problems = RequiredSecrets.check(requirements, name -> {
            lookups.add(name);
            return existing.get(name);
        });

        assertThat(problems).extracting(RequiredSecrets.Problem::describe).containsExactly(
            "Secret seaweedfs-credentials (seaweedfs.credentialsSecret) has no key secretKey",
            "Secret kelp-url-signing-key (signedUrls.keySecret) does not exist",
            "Secret kelp-encryption-key (encryption.keySecret) does not exist",
            "Secret kelp-principals (access.principalsSecret) does not exist",
            "Secret kelp-s3-keys (s3.credentialsSecret) does not exist",
            "Secret kelp-url-signing-key (again) does not exist");
        assertThat(lookups).doesNotHaveDuplicates();
    }

    @Test
    void aSecretTheOperatorMayNotReadIsNamedWithWhatToGrantNotThrown() {
        var requirements = RequiredSecrets.of(complete.getSpec());

        var problems = RequiredSecrets.check(requirements, name -> {
            throw new io.fabric8.kubernetes.client.KubernetesClientException("secrets \"" + name + "\" is forbidden", 403, null);
        });

        assertThat(problems).hasSize(requirements.size()).allMatch(RequiredSecrets.Problem::forbidden);
        assertThat(problems.getFirst().describe()).contains("may not read Secret seaweedfs-credentials").contains("rbac.secretReaders.namespaces");
        var ready = PolicyStatus.ready(problems, "kelp-agent-cards");
        assertThat(ready.reason()).isEqualTo("SecretForbidden");
        assertThatThrownBy(() -> RequiredSecrets.check(requirements, name -> {
            throw new io.fabric8.kubernetes.client.KubernetesClientException("boom", 500, null);
        })).as("other API errors still fail the reconcile, to be retried").isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class);
    }

    private static Secret secret(String... keys) {
        var b = new SecretBuilder().withNewMetadata().withName("s").endMetadata();
        for (String k : keys) {
            b.addToData(k, "eA==");
        }
        return b.build();
    }
}

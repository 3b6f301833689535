package dev.kelp.operator.policy;

import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Secrets a policy names and the keys its agents need from each (docs/operator.md), and
 * what is missing of them. Looks Secrets up by name only and never reads a value: a key counts
 * as present when the Secret has it.
 */
public final class RequiredSecrets {

    /** One Secret a policy field names, with the keys the agent cannot start without. */
    public record Requirement(String field, String secret, List<String> keys) {
    }

    /**
     * Something missing: a whole Secret (no keys listed), some keys of one, or a Secret the
     * operator may not read here (its RBAC does not cover this namespace).
     */
    public record Problem(Requirement requirement, List<String> missingKeys, boolean forbidden) {

        public Problem(Requirement requirement, List<String> missingKeys) {
            this(requirement, missingKeys, false);
        }

        public boolean secretMissing() {
            return !forbidden && missingKeys.isEmpty();
        }

        public String describe() {
            if (forbidden) {
                return "the operator may not read Secret " + requirement.secret() + " (" + requirement.field() + ") in this namespace:"
                    + " grant it get on secrets here (Helm: add the namespace to rbac.secretReaders.namespaces)";
            }
            return secretMissing()
                ? "Secret " + requirement.secret() + " (" + requirement.field() + ") does not exist"
                : "Secret " + requirement.secret() + " (" + requirement.field() + ") has no key " + String.join(", ", missingKeys);
        }
    }

    private RequiredSecrets() {
    }

    public static List<Requirement> of(StoragePolicySpec spec) {
        var out = new ArrayList<Requirement>();
        out.add(new Requirement("seaweedfs.credentialsSecret", spec.getSeaweedfs().getCredentialsSecret(), List.of("accessKey", "secretKey")));
        if (spec.getMetadata() != null) {
            out.add(new Requirement("metadata.connectionSecret", spec.getMetadata().getConnectionSecret(), List.of("url", "username", "password")));
        }
        if (spec.getEvents() != null) {
            // username and password are optional for Cassandra (docs/operator.md): not checked.
            out.add(new Requirement("events.connectionSecret", spec.getEvents().getConnectionSecret(), List.of("contactPoints", "localDatacenter")));
        }
        if (spec.getSignedUrls() != null) {
            out.add(new Requirement("signedUrls.keySecret", spec.getSignedUrls().getKeySecret(), List.of("key")));
        }
        if (spec.getEncryption() != null) {
            out.add(new Requirement("encryption.keySecret", spec.getEncryption().getKeySecret(), List.of("key")));
        }
        if (spec.getAccess() != null && spec.getAccess().getPrincipalsSecret() != null) {
            out.add(new Requirement("access.principalsSecret", spec.getAccess().getPrincipalsSecret(),
                List.of(dev.kelp.operator.inject.InjectionContract.PRINCIPALS_ENTRY)));
        }
        if (spec.getS3() != null && spec.getS3().getCredentialsSecret() != null && !Boolean.FALSE.equals(spec.getS3().getEnabled())) {
            out.add(new Requirement("s3.credentialsSecret", spec.getS3().getCredentialsSecret(), List.of("accessKey", "secretKey")));
        }
        return out;
    }

    /**
     * What is missing, looking each distinct Secret up once through {@code lookup} (which answers
     * null for a Secret that does not exist, and throws the API server's 403 for one the operator
     * may not read).
     */
    public static List<Problem> check(List<Requirement> requirements, Function<String, Secret> lookup) {
        Map<String, Secret> seen = new LinkedHashMap<>();
        var forbidden = new java.util.HashSet<String>();
        var problems = new ArrayList<Problem>();
        for (Requirement r : requirements) {
            if (!seen.containsKey(r.secret()) && !forbidden.contains(r.secret())) {
                try {
                    seen.put(r.secret(), lookup.apply(r.secret()));
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 403) {
                        throw e;
                    }
                    forbidden.add(r.secret());
                }
            }
            if (forbidden.contains(r.secret())) {
                problems.add(new Problem(r, List.of(), true));
                continue;
            }
            Secret secret = seen.get(r.secret());
            if (secret == null) {
                problems.add(new Problem(r, List.of()));
                continue;
            }
            var missing = r.keys().stream().filter(k -> !has(secret, k)).toList();
            if (!missing.isEmpty()) {
                problems.add(new Problem(r, missing));
            }
        }
        return problems;
    }

    private static boolean has(Secret secret, String key) {
        return (secret.getData() != null && secret.getData().containsKey(key))
            || (secret.getStringData() != null && secret.getStringData().containsKey(key));
    }
}

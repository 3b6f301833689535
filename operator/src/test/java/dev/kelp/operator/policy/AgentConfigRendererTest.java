package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.BlockDedupSpec;
import dev.kelp.crds.v1alpha1.DedupSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.testkit.ProvingGround;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AgentConfigRendererTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ReportTarget REPORT = new ReportTarget("https://kelp-operator.kelp-system.svc:9443/v1/reports",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

    /** Sections the agent does not read yet: rendered for the agent's later issues (docs/operator.md). */
    // A target's credentialsSecret is rendered by name; the webhook does not mount it for the agent yet (docs/backups.md, docs/tiering.md).
    private static final List<String> NOT_YET_READ_BY_THE_AGENT = List.of("kelp.report.");

    @Test
    void completePolicyRendersWhatTheAgentReadsAndNoSecret() throws Exception {
        var policy = Fixtures.valid("storagepolicy-complete", StoragePolicy.class);

        String yaml = AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.empty());
        var flat = flatten(read(yaml));

        assertThat(flat).containsEntry("kelp.storage.buckets", List.of("templates", "backgrounds", "user.uploads-2024"))
            .containsEntry("kelp.storage.quota-max-bytes", 500L << 30)
            .containsEntry("kelp.storage.quota-max-objects", 10_000_000)
            .containsEntry("kelp.fallback.dir", "/var/lib/kelp")
            .containsEntry("kelp.fallback.max-bytes", 18L << 30)
            .containsEntry("kelp.seaweedfs.endpoint", "https://seaweedfs-s3.storage.svc:8333")
            .containsEntry("kelp.seaweedfs.region", "eu-west-1")
            .containsEntry("kelp.events.cassandra.ttl", "2160h")
            .containsEntry("kelp.signed-urls.default-ttl", "10m")
            .containsEntry("kelp.sync.concurrency", 64)
            .containsEntry("kelp.versioning.enabled", true)
            .containsEntry("kelp.versioning.keep-last", 5)
            .containsEntry("kelp.versioning.keep-for", "90m")
            .containsEntry("kelp.encryption.enabled", true)
            .containsEntry("kelp.encryption.key-dir", "/etc/kelp-encryption")
            .containsEntry("kelp.access.principals-file", "/etc/kelp-access/principals.yaml")
            .containsEntry("kelp.access.sharing", "read")
            .containsEntry("kelp.access.owner-quota-max-bytes", 10L << 30)
            .containsEntry("kelp.access.owner-quota-max-objects", 100_000)
            .containsEntry("kelp.dedup.blocks.enabled", true)
            .containsEntry("kelp.dedup.blocks.min-object-size", 16 << 20)
            .containsEntry("kelp.dedup.blocks.average-chunk", 512 << 10)
            .containsEntry("kelp.s3.enabled", true)
            .containsEntry("kelp.s3.port", 9790)
            .containsEntry("kelp.s3.auth", "sigv4")
            .containsEntry("micronaut.server.port", 9780)
            .containsEntry("micronaut.caches.small-objects.maximum-weight", 128 << 20)
            .containsEntry("kelp.cache.disk.max-bytes", 4L << 30);
        assertThat(yaml).doesNotContain("seaweedfs-credentials", "kelp-postgres", "kelp-cassandra", "kelp-encryption-key",
            "kelp-url-signing-key", "kelp-s3-keys", "kelp-principals", "access-key", "secret-key", "password");
        assertThat(flat.keySet()).noneMatch(k -> k.startsWith("kelp.report"));
    }

    @Test
    void everyRenderedPropertyIsOneTheAgentConfigPageDocuments() throws Exception {
        var documented = documentedProperties();
        var policy = Fixtures.valid("storagepolicy-complete", StoragePolicy.class);
        String yaml = AgentConfigRenderer.render(policy, List.of(Fixtures.valid("tierrule-complete", TierRule.class)),
            List.of(Fixtures.valid("backupschedule-complete", BackupSchedule.class)), Optional.of(REPORT));

        var undocumented = flatten(read(yaml)).keySet().stream()
            .filter(k -> NOT_YET_READ_BY_THE_AGENT.stream().noneMatch(k::startsWith))
            .filter(k -> !documented.contains(k))
            .toList();

        assertThat(documented).contains("kelp.storage.buckets", "kelp.seaweedfs.endpoint", "micronaut.server.port");
        assertThat(undocumented).as("rendered, but not in docs/agent-config.md").isEmpty();
    }

    @Test
    void minimalPolicyRendersOnlyWhatItSays() throws Exception {
        var policy = Fixtures.valid("storagepolicy-minimal", StoragePolicy.class);

        var flat = flatten(read(AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.empty())));

        assertThat(flat.keySet()).containsExactlyInAnyOrder("kelp.storage.buckets", "kelp.fallback.dir", "kelp.fallback.max-bytes",
            "kelp.cache.disk.max-bytes", "kelp.seaweedfs.endpoint", "kelp.seaweedfs.region", "kelp.s3.enabled", "micronaut.server.port");
        assertThat(flat).as("nine tenths of the 1Gi emptyDir the webhook mounts: past its limit the kubelet evicts the pod")
            .containsEntry("kelp.fallback.max-bytes", (1 << 30) / 10 * 9)
            .as("a quarter of that for copies of SeaweedFS objects").containsEntry("kelp.cache.disk.max-bytes", (1 << 30) / 10 * 9 / 4);
        assertThat(flat).containsEntry("kelp.seaweedfs.region", "us-east-1").containsEntry("micronaut.server.port", 8780)
            .as("off, and said so: the agent's own default port is the health port in a pod").containsEntry("kelp.s3.enabled", false);
    }

    @Test
    void fallbackLimitFollowsTheEmptyDirSizeLimitUnlessSetAndIsLeftToAClaimsFilesystem() throws Exception {
        var policy = Fixtures.valid("storagepolicy-emptydir", StoragePolicy.class);
        assertThat(flatten(read(AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.empty()))))
            .as("set by the policy").containsEntry("kelp.fallback.max-bytes", 1 << 30);

        policy.getSpec().getFallback().setMaxBytes(null);
        assertThat(flatten(read(AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.empty()))))
            .as("nine tenths of 1.5Gi").containsEntry("kelp.fallback.max-bytes", (3 << 29) / 10 * 9);

        var claim = Fixtures.valid("storagepolicy-complete", StoragePolicy.class);
        claim.getSpec().getFallback().setMaxBytes(null);
        claim.getSpec().getCache().setDiskMaxBytes(null);
        assertThat(flatten(read(AgentConfigRenderer.render(claim, List.of(), List.of(), Optional.empty()))))
            .as("a claim is a filesystem of its own: the agent's free-space reserve guards it")
            .doesNotContainKey("kelp.fallback.max-bytes")
            .as("encryption at rest is on: plaintext copies would undo it").doesNotContainKey("kelp.cache.disk.max-bytes");
    }

    @Test
    void diskCacheIsAQuarterOfTheFallbackLimitUnlessThePolicySetsIt() throws Exception {
        var claim = Fixtures.valid("storagepolicy-complete", StoragePolicy.class);
        claim.getSpec().setEncryption(null);
        claim.getSpec().getCache().setDiskMaxBytes(null);
        assertThat(flatten(read(AgentConfigRenderer.render(claim, List.of(), List.of(), Optional.empty()))))
            .as("a quarter of maxBytes 18Gi").containsEntry("kelp.cache.disk.max-bytes", (18L << 30) / 4);
        claim.getSpec().getFallback().setMaxBytes(null);
        assertThat(flatten(read(AgentConfigRenderer.render(claim, List.of(), List.of(), Optional.empty()))))
            .as("a quarter of the claim's 20Gi").containsEntry("kelp.cache.disk.max-bytes", (20L << 30) / 4);
        claim.getSpec().getFallback().getPvc().setSize(null);
        claim.getSpec().getFallback().getPvc().setClaimName("kelp-fallback");
        assertThat(flatten(read(AgentConfigRenderer.render(claim, List.of(), List.of(), Optional.empty()))))
            .as("an existing claim of a size the operator does not know").doesNotContainKey("kelp.cache.disk.max-bytes");

        claim.getSpec().getCache().setDiskMaxBytes(new Quantity("0"));
        assertThat(flatten(read(AgentConfigRenderer.render(claim, List.of(), List.of(), Optional.empty()))))
            .as("turned off by the policy").containsEntry("kelp.cache.disk.max-bytes", 0);
        claim.getSpec().getCache().setDiskMaxBytes(new Quantity("2Gi"));
        assertThat(flatten(read(AgentConfigRenderer.render(claim, List.of(), List.of(), Optional.empty()))))
            .containsEntry("kelp.cache.disk.max-bytes", 2L << 30);
    }

    @Test
    void blockLevelDedupRendersItsSizesInBytes() throws Exception {
        var policy = Fixtures.valid("storagepolicy-block-dedup-in-bytes", StoragePolicy.class);

        var flat = flatten(read(AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.empty())));

        assertThat(flat).containsEntry("kelp.dedup.blocks.enabled", true)
            .containsEntry("kelp.dedup.blocks.min-object-size", 1 << 20)
            .containsEntry("kelp.dedup.blocks.average-chunk", 64 << 10);
    }

    @Test
    void blockLevelDedupRendersOnlyWhatIsSetAndDecimalUnitsAsTheirBytes() throws Exception {
        var policy = Fixtures.valid("storagepolicy-minimal", StoragePolicy.class);
        var blocks = new BlockDedupSpec();
        blocks.setEnabled(false);
        blocks.setMinObjectSize(new Quantity("10M"));
        var dedup = new DedupSpec();
        dedup.setBlocks(blocks);
        policy.getSpec().setDedup(dedup);

        var flat = flatten(read(AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.empty())));

        assertThat(flat).containsEntry("kelp.dedup.blocks.enabled", false)
            .as("Kubernetes' M is 10^6; the agent would read 10M as 10 MiB")
            .containsEntry("kelp.dedup.blocks.min-object-size", 10_000_000)
            .doesNotContainKey("kelp.dedup.blocks.average-chunk");
    }

    @Test
    void withoutBlocksNothingOfDedupIsRenderedWholeObjectDedupHasNoSetting() throws Exception {
        var policy = Fixtures.valid("storagepolicy-minimal", StoragePolicy.class);
        policy.getSpec().setDedup(new DedupSpec());
        String yaml = AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.empty());
        // As a policy stored when dedup was a boolean (always true) reads.
        var legacy = Serialization.unmarshal(Files.readString(ProvingGround.repoRoot()
            .resolve("crds/src/test/resources/valid/storagepolicy-minimal.yaml")) + "  dedup: true\n", StoragePolicy.class);

        assertThat(flatten(read(yaml)).keySet()).noneMatch(k -> k.startsWith("kelp.dedup"));
        assertThat(legacy.getSpec().getDedup()).isNotNull();
        assertThat(AgentConfigRenderer.render(legacy, List.of(), List.of(), Optional.empty())).isEqualTo(yaml)
            .isEqualTo(AgentConfigRenderer.render(Fixtures.valid("storagepolicy-minimal", StoragePolicy.class), List.of(), List.of(),
                Optional.empty()));
    }

    @Test
    void reportTargetRendersUrlAndTheMountedCaFile() throws Exception {
        var policy = Fixtures.valid("storagepolicy-minimal", StoragePolicy.class);

        var flat = flatten(read(AgentConfigRenderer.render(policy, List.of(), List.of(), Optional.of(REPORT))));

        assertThat(flat).containsEntry("kelp.report.url", REPORT.url()).containsEntry("kelp.report.ca-file", "/etc/kelp/operator-ca.crt");
    }

    @Test
    @SuppressWarnings("unchecked")
    void tierRulesAndBackupSchedulesKeepTheShapeOfTheirSpecs() throws Exception {
        var policy = Fixtures.valid("storagepolicy-complete", StoragePolicy.class);
        var rule = Fixtures.valid("tierrule-complete", TierRule.class);
        var backup = Fixtures.valid("backupschedule-complete", BackupSchedule.class);

        Map<String, Object> kelp = (Map<String, Object>) read(
            AgentConfigRenderer.render(policy, List.of(rule), List.of(backup), Optional.empty())).get("kelp");

        var rules = (List<Map<String, Object>>) ((Map<String, Object>) kelp.get("tiering")).get("rules");
        assertThat(rules).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("name", "invoices-to-cold").containsEntry("cold-after", "720h").containsEntry("expire-after", "61320h")
                .containsEntry("promote-on-read", false);
            assertThat((Map<String, Object>) r.get("match")).containsEntry("prefix", "invoices/")
                .containsEntry("content-types", List.of("application/pdf", "image/*"))
                .containsEntry("min-size", 1 << 20).containsEntry("max-size", 5L << 30);
            assertThat((Map<String, Object>) r.get("target")).containsEntry("bucket", "cards-cold")
                .containsEntry("endpoint", "https://s3.eu-west-1.amazonaws.com").containsEntry("credentials-secret", "aws-cold-credentials")
                .containsEntry("credentials-dir", "/etc/kelp-targets/aws-cold-credentials");
        });
        var schedules = (List<Map<String, Object>>) ((Map<String, Object>) kelp.get("backups")).get("schedules");
        assertThat(schedules).singleElement().satisfies(s -> {
            assertThat(s).containsEntry("name", "nightly").containsEntry("schedule", "0 3 * * *")
                .containsEntry("verify", true).containsEntry("suspend", false);
            assertThat((Map<String, Object>) s.get("retention")).containsEntry("keep-last", 7).containsEntry("keep-for", "2160h")
                .containsEntry("daily", 7).containsEntry("weekly", 4).containsEntry("monthly", 12);
            assertThat((Map<String, Object>) s.get("target")).containsEntry("credentials-dir", "/etc/kelp-targets/backup-credentials");
        });
        // What the webhook mounts, and the ConfigMap says so for it.
        assertThat(AgentConfigRenderer.targetSecrets(List.of(rule), List.of(backup))).containsExactly("aws-cold-credentials", "backup-credentials");
        var configMap = AgentConfigMap.desired(policy, "kelp: {}\n", Optional.empty(), AgentConfigRenderer.targetSecrets(List.of(rule), List.of(backup)));
        assertThat(configMap.getMetadata().getAnnotations()).containsEntry("kelp.dev/target-secrets", "aws-cold-credentials,backup-credentials");
        assertThat(AgentConfigMap.desired(policy, "kelp: {}\n", Optional.empty()).getMetadata().getAnnotations())
            .doesNotContainKey("kelp.dev/target-secrets");
    }

    @Test
    void sameInputRendersTheSameBytesWhateverTheOrderOfRules() {
        var policy = Fixtures.valid("storagepolicy-complete", StoragePolicy.class);
        var a = Fixtures.valid("tierrule-complete", TierRule.class);
        var b = Fixtures.valid("tierrule-same-seaweedfs", TierRule.class);

        assertThat(AgentConfigRenderer.render(policy, List.of(a, b), List.of(), Optional.empty()))
            .isEqualTo(AgentConfigRenderer.render(policy, List.of(b, a), List.of(), Optional.empty()));
    }

    /** Property names from the tables of docs/agent-config.md, each under its section's prefix. */
    private static Set<String> documentedProperties() throws Exception {
        var section = Pattern.compile("^## `([a-z0-9.-]+)`");
        var row = Pattern.compile("^\\| `([a-z0-9.\\[\\]-]+)`(?:, `([a-z0-9.\\[\\]-]+)`)? \\|");
        var out = new HashSet<String>();
        String prefix = "";
        for (String line : Files.readAllLines(ProvingGround.repoRoot().resolve("docs/agent-config.md"))) {
            var s = section.matcher(line);
            if (s.find()) {
                prefix = s.group(1) + ".";
                continue;
            }
            if (line.startsWith("## ")) {
                prefix = "";
            }
            var r = row.matcher(line);
            if (r.find()) {
                for (int g = 1; g <= 2; g++) {
                    if (r.group(g) != null) {
                        out.add(r.group(g).contains(".") && prefix.isEmpty() ? r.group(g) : prefix + r.group(g));
                    }
                }
            }
        }
        // Cassandra's settings are documented on their own page, as a YAML block.
        if (Files.readString(ProvingGround.repoRoot().resolve("docs/events.md")).contains("kelp.events.cassandra.ttl")) {
            out.add("kelp.events.cassandra.ttl");
        }
        // The cache is Micronaut's own, bounded by weight (agent application.yml, caches.small-objects).
        out.add("micronaut.caches.small-objects.maximum-weight");
        return out;
    }

    private static Map<String, Object> read(String yaml) throws Exception {
        return YAML.readValue(yaml, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
    }

    private static Map<String, Object> flatten(Map<String, Object> tree) {
        var out = new java.util.LinkedHashMap<String, Object>();
        flatten("", tree, out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> tree, Map<String, Object> out) {
        tree.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                flatten(prefix + k + ".", (Map<String, Object>) m, out);
            } else if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(Map.class::isInstance)) {
                // A list of entries (kelp.backups.schedules): its properties as the page names them, schedules[].name.
                l.forEach(entry -> flatten(prefix + k + "[].", (Map<String, Object>) entry, out));
            } else {
                out.put(prefix + k, v instanceof List<?> l ? new ArrayList<>(l) : v);
            }
        });
    }
}

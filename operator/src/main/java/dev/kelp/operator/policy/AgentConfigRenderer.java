package dev.kelp.operator.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.kelp.crds.v1alpha1.BackupRetention;
import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.BlockDedupSpec;
import dev.kelp.crds.v1alpha1.FallbackSpec;
import dev.kelp.crds.v1alpha1.PvcFallback;
import dev.kelp.crds.v1alpha1.S3EndpointAuth;
import dev.kelp.crds.v1alpha1.S3EndpointSpec;
import dev.kelp.crds.v1alpha1.S3Target;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.crds.v1alpha1.TierMatch;
import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.operator.inject.AgentVolumes;
import dev.kelp.operator.inject.InjectionContract;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Turns a StoragePolicy, with the TierRules and BackupSchedules that name it, into the
 * {@code agent.yml} its agents read (docs/agent-config.md). Pure: the same input renders the
 * same bytes, so the config hash only changes when the configuration does.
 *
 * <p>Secret values never appear: the webhook passes them as environment variables, which
 * Micronaut maps onto the same properties ({@code KELP_SEAWEEDFS_SECRET_KEY} is
 * {@code kelp.seaweedfs.secret-key}). Quantities are rendered as plain bytes because the agent
 * reads {@code M} as MiB where Kubernetes means 10^6; Go durations are rewritten in one unit.
 */
public final class AgentConfigRenderer {

    /** Where the webhook mounts the fallback volume. */
    public static final String FALLBACK_DIR = "/var/lib/kelp";

    static final int DEFAULT_AGENT_PORT = 8780;
    static final String DEFAULT_REGION = "us-east-1";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private AgentConfigRenderer() {
    }

    public static String render(StoragePolicy policy, List<TierRule> tierRules, List<BackupSchedule> backupSchedules,
                                Optional<ReportTarget> report) {
        StoragePolicySpec spec = policy.getSpec();
        var kelp = new LinkedHashMap<String, Object>();

        var storage = section(kelp, "storage");
        storage.put("buckets", List.copyOf(spec.getBuckets()));
        if (spec.getQuota() != null) {
            putBytes(storage, "quota-max-bytes", spec.getQuota().getMaxBytes());
            putIfSet(storage, "quota-max-objects", spec.getQuota().getMaxObjects());
        }

        var fallback = section(kelp, "fallback");
        fallback.put("dir", FALLBACK_DIR);
        Optional<Long> fallbackMaxBytes = fallbackMaxBytes(spec.getFallback());
        fallbackMaxBytes.ifPresent(max -> fallback.put("max-bytes", max));
        diskCacheMaxBytes(spec, fallbackMaxBytes).ifPresent(max -> section(section(kelp, "cache"), "disk").put("max-bytes", max));

        var seaweedfs = section(kelp, "seaweedfs");
        seaweedfs.put("endpoint", spec.getSeaweedfs().getEndpoint());
        seaweedfs.put("region", Optional.ofNullable(spec.getSeaweedfs().getRegion()).orElse(DEFAULT_REGION));

        if (spec.getEvents() != null && spec.getEvents().getTtl() != null) {
            section(section(kelp, "events"), "cassandra").put("ttl", GoDuration.forAgent(spec.getEvents().getTtl()));
        }
        if (spec.getSignedUrls() != null && spec.getSignedUrls().getDefaultTtl() != null) {
            section(kelp, "signed-urls").put("default-ttl", GoDuration.forAgent(spec.getSignedUrls().getDefaultTtl()));
        }
        if (spec.getSync() != null) {
            putIfSet(section(kelp, "sync"), "concurrency", spec.getSync().getConcurrency());
        }
        if (spec.getVersioning() != null) {
            var versioning = section(kelp, "versioning");
            versioning.put("enabled", true);
            putIfSet(versioning, "keep-last", spec.getVersioning().getKeepLast());
            if (spec.getVersioning().getKeepFor() != null) {
                versioning.put("keep-for", GoDuration.forAgent(spec.getVersioning().getKeepFor()));
            }
        }
        if (spec.getDedup() != null && spec.getDedup().getBlocks() != null) {
            // Whole-object dedup has no setting: the agent always does it. Block-level dedup is kelp.dedup.blocks.
            BlockDedupSpec blockSpec = spec.getDedup().getBlocks();
            var blocks = section(section(kelp, "dedup"), "blocks");
            putIfSet(blocks, "enabled", blockSpec.getEnabled());
            putBytes(blocks, "min-object-size", blockSpec.getMinObjectSize());
            putBytes(blocks, "average-chunk", blockSpec.getAverageChunkSize());
        }
        if (spec.getEncryption() != null) {
            var encryption = section(kelp, "encryption");
            encryption.put("enabled", true);
            encryption.put("key-dir", InjectionContract.ENCRYPTION_DIR);
        }
        if (spec.getAccess() != null) {
            // The principals stay in their Secret, mounted; only its path is rendered here.
            var access = section(kelp, "access");
            if (spec.getAccess().getPrincipalsSecret() != null) {
                access.put("principals-file", InjectionContract.ACCESS_DIR + "/" + InjectionContract.PRINCIPALS_ENTRY);
            }
            putIfSet(access, "sharing", spec.getAccess().getSharing());
            if (spec.getAccess().getOwnerQuota() != null) {
                putBytes(access, "owner-quota-max-bytes", spec.getAccess().getOwnerQuota().getMaxBytes());
                putIfSet(access, "owner-quota-max-objects", spec.getAccess().getOwnerQuota().getMaxObjects());
            }
        }
        report.ifPresent(r -> {
            var reportSection = section(kelp, "report");
            reportSection.put("url", r.url());
            reportSection.put("ca-file", ReportTarget.CA_FILE);
        });
        if (!tierRules.isEmpty()) {
            section(kelp, "tiering").put("rules", tierRules.stream()
                .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
                .map(AgentConfigRenderer::tierRule).toList());
        }
        if (!backupSchedules.isEmpty()) {
            section(kelp, "backups").put("schedules", backupSchedules.stream()
                .sorted(Comparator.comparing(b -> b.getMetadata().getName()))
                .map(AgentConfigRenderer::backupSchedule).toList());
        }

        int port = spec.getAgent() != null && spec.getAgent().getPort() != null ? spec.getAgent().getPort() : DEFAULT_AGENT_PORT;
        // Always rendered: the agent's own default port (8781) is the health port in a pod.
        var s3 = section(kelp, "s3");
        S3EndpointSpec s3Spec = spec.getS3();
        boolean s3Enabled = s3Spec != null && !Boolean.FALSE.equals(s3Spec.getEnabled());
        s3.put("enabled", s3Enabled);
        if (s3Enabled) {
            s3.put("port", s3Spec.getPort() != null ? s3Spec.getPort() : port + 2);
            s3.put("auth", s3Spec.getAuth() == S3EndpointAuth.NONE ? "none" : "sigv4");
        }

        var micronaut = new LinkedHashMap<String, Object>();
        section(micronaut, "server").put("port", port);
        if (spec.getCache() != null && spec.getCache().getMaxBytes() != null) {
            // The agent's small-object cache is the Micronaut cache named small-objects, bounded by weight in bytes.
            putBytes(section(section(micronaut, "caches"), "small-objects"), "maximum-weight", spec.getCache().getMaxBytes());
        }

        var root = new LinkedHashMap<String, Object>();
        root.put("kelp", kelp);
        root.put("micronaut", micronaut);
        pruneEmpty(root);
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write agent.yml for " + policy.getMetadata().getName(), e);
        }
    }

    private static Map<String, Object> tierRule(TierRule rule) {
        var spec = rule.getSpec();
        var out = new LinkedHashMap<String, Object>();
        out.put("name", rule.getMetadata().getName());
        TierMatch match = spec.getMatch();
        if (match != null) {
            var m = new LinkedHashMap<String, Object>();
            putIfSet(m, "prefix", match.getPrefix());
            if (match.getContentTypes() != null && !match.getContentTypes().isEmpty()) {
                m.put("content-types", List.copyOf(match.getContentTypes()));
            }
            putBytes(m, "min-size", match.getMinSize());
            putBytes(m, "max-size", match.getMaxSize());
            if (!m.isEmpty()) {
                out.put("match", m);
            }
        }
        out.put("cold-after", GoDuration.forAgent(spec.getColdAfter()));
        if (spec.getExpireAfter() != null) {
            out.put("expire-after", GoDuration.forAgent(spec.getExpireAfter()));
        }
        if (spec.getPromoteOnRead() != null) {
            out.put("promote-on-read", spec.getPromoteOnRead());
        }
        out.put("target", target(spec.getTarget()));
        return out;
    }

    private static Map<String, Object> backupSchedule(BackupSchedule schedule) {
        var spec = schedule.getSpec();
        var out = new LinkedHashMap<String, Object>();
        out.put("name", schedule.getMetadata().getName());
        out.put("schedule", spec.getSchedule());
        out.put("target", target(spec.getTarget()));
        BackupRetention retention = spec.getRetention();
        if (retention != null) {
            var r = new LinkedHashMap<String, Object>();
            putIfSet(r, "keep-last", retention.getKeepLast());
            if (retention.getKeepFor() != null) {
                r.put("keep-for", GoDuration.forAgent(retention.getKeepFor()));
            }
            putIfSet(r, "daily", retention.getDaily());
            putIfSet(r, "weekly", retention.getWeekly());
            putIfSet(r, "monthly", retention.getMonthly());
            if (!r.isEmpty()) {
                out.put("retention", r);
            }
        }
        out.put("verify", spec.getVerify() == null || spec.getVerify());
        out.put("suspend", spec.getSuspend() != null && spec.getSuspend());
        return out;
    }

    /**
     * A target names its credentials Secret, never its keys: the webhook mounts the Secret and
     * the agent reads the keys from {@code credentials-dir}.
     */
    private static Map<String, Object> target(S3Target target) {
        var out = new LinkedHashMap<String, Object>();
        out.put("bucket", target.getBucket());
        putIfSet(out, "prefix", target.getPrefix());
        putIfSet(out, "endpoint", target.getEndpoint());
        if (target.getEndpoint() != null) {
            out.put("region", Optional.ofNullable(target.getRegion()).orElse(DEFAULT_REGION));
        }
        putIfSet(out, "credentials-secret", target.getCredentialsSecret());
        if (target.getCredentialsSecret() != null) {
            out.put("credentials-dir", InjectionContract.TARGETS_DIR + "/" + target.getCredentialsSecret());
        }
        return out;
    }

    /** The credentials Secrets the targets of these rules and schedules name, sorted: what the webhook mounts. */
    public static SortedSet<String> targetSecrets(List<TierRule> tierRules, List<BackupSchedule> backupSchedules) {
        var secrets = new TreeSet<String>();
        Stream.concat(tierRules.stream().map(r -> r.getSpec().getTarget()), backupSchedules.stream().map(b -> b.getSpec().getTarget()))
            .filter(t -> t != null && t.getCredentialsSecret() != null)
            .forEach(t -> secrets.add(t.getCredentialsSecret()));
        return secrets;
    }

    /** Sections opened for optional settings that were all absent are left out, not rendered as {}. */
    private static void pruneEmpty(Map<String, Object> map) {
        map.values().forEach(v -> {
            if (v instanceof Map<?, ?> child) {
                @SuppressWarnings("unchecked")
                var typed = (Map<String, Object>) child;
                pruneEmpty(typed);
            }
        });
        map.values().removeIf(v -> v instanceof Map<?, ?> child && child.isEmpty());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> parent, String name) {
        return (Map<String, Object>) parent.computeIfAbsent(name, n -> new LinkedHashMap<String, Object>());
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /**
     * An emptyDir's size limit is not a filesystem's: the disk under it shows the node's free
     * space, and the kubelet evicts the pod once the volume outgrows it, unsynced objects and all.
     * So without a maxBytes the agent is still held below the limit, with a tenth left for what
     * the volume holds besides objects (sync queue, journal, event spool).
     */
    static Optional<Long> fallbackMaxBytes(FallbackSpec fallback) {
        if (fallback != null && fallback.getMaxBytes() != null) {
            return Optional.of(bytes(fallback.getMaxBytes()));
        }
        return AgentVolumes.emptyDirSizeLimit(fallback).map(limit -> bytes(limit) / 10 * 9);
    }

    /**
     * The disk cache takes a quarter of the fallback limit unless the policy says otherwise:
     * its copies give way to writes, so the share only decides how much is worth keeping. With
     * encryption at rest the agent keeps it off (plaintext copies), so nothing is rendered.
     */
    static Optional<Long> diskCacheMaxBytes(StoragePolicySpec spec, Optional<Long> fallbackMaxBytes) {
        if (spec.getCache() != null && spec.getCache().getDiskMaxBytes() != null) {
            return Optional.of(bytes(spec.getCache().getDiskMaxBytes()));
        }
        if (spec.getEncryption() != null) {
            return Optional.empty();
        }
        Optional<Long> limit = fallbackMaxBytes.or(() -> Optional.ofNullable(spec.getFallback())
            .map(FallbackSpec::getPvc).map(PvcFallback::getSize).map(AgentConfigRenderer::bytes));
        return limit.map(max -> max / 4);
    }

    private static void putBytes(Map<String, Object> map, String key, Quantity quantity) {
        if (quantity != null) {
            map.put(key, bytes(quantity));
        }
    }

    static long bytes(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).setScale(0, RoundingMode.CEILING).longValueExact();
    }
}

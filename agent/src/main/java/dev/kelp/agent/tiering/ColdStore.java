package dev.kelp.agent.tiering;

import dev.kelp.agent.blob.remote.SeaweedFsConfig;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.EncryptedSource;
import dev.kelp.agent.metadata.TierMetadata;
import dev.kelp.agent.metadata.TierMetadata.ColdBlob;
import dev.kelp.agent.object.ContentHash;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blob content on the rules' cold targets, at {@code <prefix><hot bucket>/blobs/<sharded hash>}.
 * With encryption at rest on, a blob is sealed again on its way there, in the envelope format
 * of docs/encryption.md under the active key and bound to its cold location
 * ({@code <sharded hash>.enc}), as backups do: the cold target never holds the plaintext. A key
 * rotation re-wraps these copies too ({@link ColdKeyRecords}); their key records are in
 * {@code cold_blobs}.
 * Clients are made once per endpoint and bucket.
 */
@Singleton
public class ColdStore {

    private final TierRules rules;
    private final Optional<SeaweedFsConfig> seaweedfs;
    private final BlobEncryption encryption;
    private final TierMetadata metadata;
    private final Map<String, ColdTarget> targets = new ConcurrentHashMap<>();

    ColdStore(TierRules rules, Optional<SeaweedFsConfig> seaweedfs, BlobEncryption encryption, TierMetadata metadata) {
        this.rules = rules;
        this.seaweedfs = seaweedfs;
        this.encryption = encryption;
        this.metadata = metadata;
    }

    /** The rule's target, its bucket made if missing. */
    ColdTarget targetOf(TierRule rule) {
        var t = rule.target();
        String endpoint = t.endpoint() == null ? null : t.endpoint().toString();
        if (t.endpoint() != null && !t.hasCredentials()) {
            throw new IllegalStateException("tier rule " + rule.name() + ": target " + t.endpoint() + " needs keys: target.credentials-dir"
                + " (the mounted credentialsSecret, as the operator renders it) or target.access-key and target.secret-key (docs/tiering.md)");
        }
        return targets.computeIfAbsent(endpoint + "|" + t.bucket(), k -> {
            ColdTarget target = t.endpoint() != null
                ? ColdTarget.open(endpoint, t.endpoint(), t.region(), t.credentials(), t.bucket())
                : policySeaweedFs(rule.name(), t.bucket());
            try {
                target.ensureBucket();
            } catch (RuntimeException unreachable) {
                // Not kept: the next run makes a new client and tries again.
                target.close();
                throw unreachable;
            }
            return target;
        });
    }

    /**
     * The target a recorded cold copy is on. Its credentials are those of a configured rule with
     * that endpoint (or the policy's SeaweedFS): removing every rule that names an endpoint leaves
     * its cold copies unreadable until one is configured again (docs/tiering.md).
     */
    ColdTarget targetOf(ColdBlob blob) {
        return targets.computeIfAbsent(blob.targetEndpoint() + "|" + blob.targetBucket(), k -> {
            if (blob.targetEndpoint() == null) {
                return policySeaweedFs(blob.rule(), blob.targetBucket());
            }
            var rule = rules.all().stream().map(TierRule::target)
                .filter(t -> t.endpoint() != null && t.endpoint().toString().equals(blob.targetEndpoint())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no tier rule of this agent names the cold endpoint " + blob.targetEndpoint()
                    + " any more, so there are no credentials for it (kelp.tiering.rules[].target)"));
            return ColdTarget.open(blob.targetEndpoint(), URI.create(blob.targetEndpoint()), rule.region(), rule.credentials(),
                blob.targetBucket());
        });
    }

    private ColdTarget policySeaweedFs(String rule, String bucket) {
        var weed = seaweedfs.orElseThrow(() -> new IllegalStateException("tier rule " + rule
            + " has no target endpoint and the agent has no SeaweedFS (kelp.seaweedfs.endpoint)"));
        return ColdTarget.open(null, weed.endpoint(), weed.region(), weed.accessKey(), weed.secretKey(), bucket);
    }

    /**
     * Where one move of a hot bucket's blob goes: named by the hash and by the move, so that a
     * later move of the same content (after a promotion) never shares a location with an earlier
     * one whose deletion may still be on its way.
     */
    static String key(TierRuleConfig.Target target, String hotBucket, ContentHash hash, String moveId, boolean sealed) {
        String prefix = target.prefix() == null ? "" : target.prefix();
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        return prefix + hotBucket + "/blobs/" + hash.shardedPath() + "." + moveId + (sealed ? BlobEncryption.ENCRYPTED_SUFFIX : "");
    }

    /**
     * Writes the plaintext ({@code size} bytes, SHA-256 {@code hash}) to the rule's target, sealed
     * when the policy encrypts; returns where, for {@code cold_blobs} once it is verified.
     */
    ColdBlob write(TierRule rule, String hotBucket, ContentHash hash, long size, InputStream plaintext, Instant now) {
        ColdTarget target = targetOf(rule);
        boolean sealed = encryption.encryptsWrites();
        String moveId = Long.toString(now.toEpochMilli(), 36) + "-" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 16));
        String key = key(rule.target(), hotBucket, hash, moveId, sealed);
        if (sealed) {
            var sealing = encryption.seal(binding(target.bucket(), key), hash, size);
            target.put(key, sealing.encrypt(plaintext), sealing.storedSize());
        } else {
            target.put(key, plaintext, size);
        }
        return new ColdBlob(hotBucket, hash, size, rule.name(), target.endpoint(), target.bucket(), key, sealed, now);
    }

    /** The plaintext of {@code length} bytes from {@code offset} ({@code < 0}: to the end) of a cold copy. */
    InputStream open(ColdBlob blob, long offset, long length) {
        ColdTarget target = targetOf(blob);
        if (!blob.sealed()) {
            return target.open(blob.targetKey(), blob.hash(), offset, length);
        }
        EncryptedSource source = new EncryptedSource() {
            @Override
            public InputStream open(long from, long n) {
                return target.open(blob.targetKey(), blob.hash(), from, n);
            }

            @Override
            public Optional<byte[]> override() {
                // Asked only when the header's own key is not held: after a rotation removed it.
                return metadata.coldKeyRecord(blob.bucket(), blob.hash(), blob.targetKey());
            }
        };
        try {
            return encryption.open(binding(blob.targetBucket(), blob.targetKey()), blob.hash(), source, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cold copy of blob " + blob.hash(), e);
        }
    }

    /** True when the cold copy reads back whole with its SHA-256 (for a sealed one: decrypts and authenticates). */
    boolean verify(ColdBlob blob) {
        try (InputStream in = open(blob, 0, -1)) {
            var digest = ContentHash.newDigest();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                total += n;
            }
            return total == blob.size() && ContentHash.of(digest).equals(blob.hash());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back the cold copy of blob " + blob.hash(), e);
        }
    }

    void delete(ColdBlob blob) {
        targetOf(blob).delete(blob.targetKey());
    }

    /** What a sealed cold blob's key wrap is bound to: its own location, so it cannot pass for another blob. */
    static String binding(String bucket, String key) {
        return "tier:" + bucket + "/" + key;
    }

    @PreDestroy
    void close() {
        targets.values().forEach(ColdTarget::close);
    }
}

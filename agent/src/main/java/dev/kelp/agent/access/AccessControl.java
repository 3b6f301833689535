package dev.kelp.agent.access;

import dev.kelp.agent.access.Principals.S3Key;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The principals in force, the sharing mode and the quota of each owner. The principals file is
 * read at startup (a file that cannot be used stops the agent: better than running open) and read
 * again when it changes, at most once per kelp.access.reload-interval and only on a lookup; a
 * changed file that cannot be used is logged and the previous principals stay.
 * The legacy single credentials ({@code kelp.api.token}, {@code kelp.s3.access-key-id}) are
 * principals of the default owner.
 */
@Singleton
public class AccessControl {

    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

    private final AccessConfig config;
    private final Sharing sharing;
    private final Principals legacy;
    private final Clock clock;
    private volatile Principals current;
    private volatile Instant nextCheck;
    private volatile String loadedStamp;

    public AccessControl(AccessConfig config, @Nullable @Value("${kelp.api.token:}") String apiToken,
                         @Nullable @Value("${kelp.s3.access-key-id:}") String s3AccessKeyId,
                         @Nullable @Value("${kelp.s3.secret-access-key:}") String s3SecretAccessKey) {
        this(config, legacy(apiToken, s3AccessKeyId, s3SecretAccessKey), Clock.systemUTC());
    }

    AccessControl(AccessConfig config, Principals legacy, Clock clock) {
        this.config = config;
        this.sharing = config.sharingMode();
        this.legacy = legacy;
        this.clock = clock;
        this.current = legacy;
        if (config.principalsFile() != null) {
            String stamp = stamp(config.principalsFile());
            this.current = merge(legacy, PrincipalsFile.parse(read(config.principalsFile())));
            this.loadedStamp = stamp;
            LOG.info("principals from {}: {}", config.principalsFile(), current);
        }
        this.nextCheck = clock.instant().plus(config.reloadInterval());
    }

    /** No principals file, no owner quota: every caller is the default owner and nothing is filtered. */
    public static AccessControl open() {
        return new AccessControl(new AccessConfig(null, "private", 0, 0, java.time.Duration.ofSeconds(10)), Principals.NONE, Clock.systemUTC());
    }

    /**
     * Whether owners are told apart at all: only with a principals file. Without one every caller
     * is the default owner and the agent behaves as it did before owners existed, whatever owners
     * objects written under an earlier configuration record.
     */
    public boolean enforced() {
        return config.principalsFile() != null;
    }

    public Sharing sharing() {
        return sharing;
    }

    public Principals principals() {
        reloadIfDue();
        return current;
    }

    public java.util.Optional<S3Key> s3Key(String accessKeyId) {
        return principals().byAccessKey(accessKeyId);
    }

    /** The owner's quota: its own from the principals file, else kelp.access.owner-quota-*. */
    public OwnerQuota quotaOf(String owner) {
        return principals().quotaOf(owner).orElse(config.defaultOwnerQuota());
    }

    /** Whether any owner has a quota at all (otherwise a write skips the per-owner usage lookup). */
    public boolean anyOwnerQuota() {
        return !config.defaultOwnerQuota().unlimited() || principals().quotas().values().stream().anyMatch(q -> !q.unlimited());
    }

    private void reloadIfDue() {
        Path file = config.principalsFile();
        if (file == null || clock.instant().isBefore(nextCheck)) {
            return;
        }
        synchronized (this) {
            if (clock.instant().isBefore(nextCheck)) {
                return;
            }
            nextCheck = clock.instant().plus(config.reloadInterval());
            try {
                String stamp = stamp(file);
                if (stamp.equals(loadedStamp)) {
                    return;
                }
                current = merge(legacy, PrincipalsFile.parse(read(file)));
                loadedStamp = stamp;
                LOG.info("principals reloaded from {}: {}", file, current);
            } catch (RuntimeException e) {
                LOG.error("principals file {} changed but cannot be used; the previous principals stay: {}", file, e.getMessage());
            }
        }
    }

    /** Modification time and size: a Secret update swaps the file (Kubernetes' ..data symlink), which changes both or one. */
    private static String stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the principals file " + file + " (kelp.access.principals-file): " + e, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the principals file " + file + " (kelp.access.principals-file): " + e, e);
        }
    }

    static Principals legacy(String apiToken, String s3AccessKeyId, String s3Secret) {
        Map<String, Caller> tokens = new HashMap<>();
        if (apiToken != null && !apiToken.isEmpty()) {
            tokens.put(Principals.sha256(apiToken), Caller.of(Caller.DEFAULT_OWNER, "token:kelp.api.token"));
        }
        Map<String, S3Key> keys = new HashMap<>();
        if (s3AccessKeyId != null && !s3AccessKeyId.isEmpty() && s3Secret != null) {
            keys.put(s3AccessKeyId, new S3Key(s3AccessKeyId, s3Secret, Caller.of(Caller.DEFAULT_OWNER, "s3:" + s3AccessKeyId)));
        }
        return new Principals(tokens, keys, Map.of());
    }

    /** The file's principals plus the legacy ones; the file wins where both name the same credential. */
    static Principals merge(Principals legacy, Principals file) {
        Map<String, Caller> tokens = new HashMap<>(legacy.tokensBySha256());
        tokens.putAll(file.tokensBySha256());
        Map<String, S3Key> keys = new HashMap<>(legacy.s3Keys());
        keys.putAll(file.s3Keys());
        return new Principals(tokens, keys, file.quotas());
    }
}

package dev.kelp.agent.backup;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.EachProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One entry of {@code kelp.backups.schedules}, as the operator renders a BackupSchedule (see
 * docs/backups.md): when to back up, where to, what to keep.
 *
 * @param name      the BackupSchedule's name: names the lease, and the folder under the target prefix
 * @param schedule  5-field cron expression, UTC
 * @param target    where backups go
 * @param retention which backups to keep; absent rules keep everything
 * @param verify    read every blob back after the backup and compare its SHA-256
 * @param suspend   start no new runs
 */
@EachProperty(value = "kelp.backups.schedules", list = true)
public record BackupScheduleConfig(
    String name,
    String schedule,
    @Nullable Target target,
    @Nullable Retention retention,
    @Bindable(defaultValue = "false") boolean verify,
    @Bindable(defaultValue = "false") boolean suspend) {

    /**
     * @param bucket    target bucket
     * @param prefix    key prefix inside it ("" for the root)
     * @param endpoint  another S3 endpoint; absent: the policy's SeaweedFS, with its credentials
     * @param region    region to sign for at {@code endpoint}
     * @param accessKey access key for {@code endpoint}
     * @param secretKey secret key for {@code endpoint}
     * @param credentialsSecret the Secret the keys come from, when they are not given here
     * @param credentialsDir    where that Secret is mounted: files accessKey and secretKey
     */
    @ConfigurationProperties("target")
    public record Target(
        String bucket,
        @Bindable(defaultValue = "") String prefix,
        @Nullable URI endpoint,
        @Bindable(defaultValue = "us-east-1") String region,
        @Nullable String accessKey,
        @Nullable String secretKey,
        @Nullable String credentialsSecret,
        @Nullable Path credentialsDir) {
    }

    /** A backup is kept while any rule that is set keeps it (docs/backups.md). */
    @ConfigurationProperties("retention")
    public record Retention(
        @Nullable Integer keepLast,
        @Nullable Duration keepFor,
        @Nullable Integer daily,
        @Nullable Integer weekly,
        @Nullable Integer monthly) {

        public static final Retention KEEP_ALL = new Retention(null, null, null, null, null);
    }
}

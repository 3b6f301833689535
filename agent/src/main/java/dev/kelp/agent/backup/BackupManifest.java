package dev.kelp.agent.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.annotation.Introspected;
import io.micronaut.serde.annotation.Serdeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * What one backup run wrote, kept beside its snapshot on the target: the target alone, with no
 * metadata database, says which backups exist and what they hold (a restore after losing
 * everything else starts here). Times are RFC 3339 strings, as in the BackupSchedule status.
 *
 * @param id            sortable by start time: {@code yyyyMMdd'T'HHmmss'Z'-<4 hex>}
 * @param phase         Running, Succeeded or Failed
 * @param runner        the agent that ran it
 * @param snapshotAt    the instant the metadata snapshot is consistent at: what a restore to a point in time compares
 * @param objects       objects in the snapshot
 * @param bytes         their bytes
 * @param uploadedBlobs blobs this run copied (the others were there from earlier runs)
 * @param uploadedBytes bytes this run copied
 * @param verified      every blob the snapshot needs was read back and matched its SHA-256; null when not asked
 * @param message       why it failed, or what it skipped
 */
@Serdeable
@Introspected
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
    String id,
    String schedule,
    String phase,
    String runner,
    String startedAt,
    String snapshotAt,
    String finishedAt,
    long objects,
    long bytes,
    long uploadedBlobs,
    long uploadedBytes,
    Boolean verified,
    String message) {

    public static final String RUNNING = "Running";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    static BackupManifest running(String id, String schedule, String runner, Instant startedAt) {
        return new BackupManifest(id, schedule, RUNNING, runner, startedAt.toString(), null, null, 0, 0, 0, 0, null, null);
    }

    BackupManifest finished(String phase, Instant snapshotAt, Instant finishedAt, long objects, long bytes, long uploadedBlobs,
                            long uploadedBytes, Boolean verified, String message) {
        return new BackupManifest(id, schedule, phase, runner, startedAt, snapshotAt == null ? null : snapshotAt.toString(),
            finishedAt.toString(), objects, bytes, uploadedBlobs, uploadedBytes, verified, message);
    }

    /** The same run marked Failed, e.g. because its runner died with it Running. */
    BackupManifest failed(Instant at, String why) {
        return new BackupManifest(id, schedule, FAILED, runner, startedAt, snapshotAt, at.toString(), objects, bytes,
            uploadedBlobs, uploadedBytes, verified, why);
    }

    boolean succeeded() {
        return SUCCEEDED.equals(phase);
    }

    Instant snapshotInstant() {
        return snapshotAt == null ? null : Instant.parse(snapshotAt);
    }

    byte[] toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BackupManifest fromJson(byte[] json) {
        try {
            return JSON.readValue(json, BackupManifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a backup manifest", e);
        }
    }
}

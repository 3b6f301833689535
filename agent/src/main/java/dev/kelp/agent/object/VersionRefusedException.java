package dev.kelp.agent.object;

/** A request about one version the agent refuses: no such version, or a delete marker where content is needed. */
public final class VersionRefusedException extends KelpException {

    private final boolean deleteMarker;
    private final String version;

    private VersionRefusedException(int status, String code, String message, boolean deleteMarker, String version) {
        super(status, code, message);
        this.deleteMarker = deleteMarker;
        this.version = version;
    }

    /** 404; also for a version id that belongs to another key. */
    public static VersionRefusedException noSuchVersion(String bucket, String key, String version) {
        return new VersionRefusedException(404, "NoSuchVersion", "object " + key + " in bucket " + bucket + " has no version " + version,
            false, null);
    }

    /** 405, as S3 answers a GET of a delete marker: there is nothing to read. */
    public static VersionRefusedException readOfDeleteMarker(String key, String version) {
        return new VersionRefusedException(405, "DeleteMarker", "version " + version + " of " + key + " is a delete marker: it has no content",
            true, version);
    }

    /** 409: rollback or diff needs content, and the version is a delete marker. */
    public static VersionRefusedException needsContent(String what, String key, String version) {
        return new VersionRefusedException(409, "DeleteMarker", "cannot " + what + " version " + version + " of " + key
            + ": it is a delete marker, which has no content", true, version);
    }

    public boolean deleteMarker() {
        return deleteMarker;
    }

    /** The version the refusal is about, when it is a delete marker. */
    public String version() {
        return version;
    }
}

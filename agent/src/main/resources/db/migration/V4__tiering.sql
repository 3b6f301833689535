-- Tiering (docs/tiering.md): when each object was last read, and which blobs have a verified
-- copy on a TierRule's cold target.
--
-- last_accessed: the last read the agents flushed (in batches, never on the read itself); NULL
--   for an object never read, whose write time (the current version's created_at) counts instead.
--   An overwrite keeps the row, so the later of the two is an object's last use.
ALTER TABLE objects ADD COLUMN last_accessed TIMESTAMP WITH TIME ZONE;

-- A blob (bucket, hash) with a copy on a cold target, verified by SHA-256 before this row was
-- written; only then may the hot copy go. Reads that miss the hot copy read it here.
-- target_endpoint NULL: the policy's own SeaweedFS. sealed: stored in the envelope format of
-- docs/encryption.md, bound to the cold location.
CREATE TABLE cold_blobs (
    bucket          VARCHAR(63) NOT NULL,
    hash            CHAR(64) NOT NULL,
    size            BIGINT NOT NULL CHECK (size >= 0),
    rule            VARCHAR(253) NOT NULL,
    target_endpoint VARCHAR(2048),
    target_bucket   VARCHAR(63) NOT NULL,
    target_key      VARCHAR(2048) NOT NULL,
    sealed          BOOLEAN NOT NULL,
    moved_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (bucket, hash)
);

-- Which current objects share a blob: asked before a shared blob's hot copy is released.
CREATE INDEX object_versions_by_hash ON object_versions (bucket, hash);

-- Tier rules take leases in the same table as backup schedules, as 'tier/<rule>'.
ALTER TABLE backup_leases ALTER COLUMN schedule SET DATA TYPE VARCHAR(300);

-- Owners (docs/access-control.md): every version records the owner whose credential wrote it, and
-- usage is kept per bucket and owner for per-owner quotas, in step with bucket_usage.
--
-- owner: for a delete marker, the owner of the object it deleted (NULL for markers older than owners); versions written before owners existed belong to the
--   default owner, which is what the single kelp.api.token / kelp.s3 key pair names.
ALTER TABLE object_versions ADD COLUMN owner VARCHAR(63);
UPDATE object_versions SET owner = 'default' WHERE delete_marker = FALSE;

-- Bytes of the versions each owner wrote that are kept, and objects whose current version it wrote.
CREATE TABLE owner_usage (
    bucket  VARCHAR(63) NOT NULL,
    owner   VARCHAR(63) NOT NULL,
    bytes   BIGINT NOT NULL,
    objects BIGINT NOT NULL,
    PRIMARY KEY (bucket, owner)
);
INSERT INTO owner_usage (bucket, owner, bytes, objects) SELECT bucket, 'default', bytes, objects FROM bucket_usage;

-- A private bucket lists one owner's objects: the listing walks the key index and filters by owner,
-- which this index of the version rows serves when an owner holds few of many keys.
CREATE INDEX object_versions_by_owner ON object_versions (bucket, owner, object_key);

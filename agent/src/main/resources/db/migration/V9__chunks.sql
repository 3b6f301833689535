-- Block-level dedup (docs/agent-config.md, kelp.dedup.blocks): a large blob on SeaweedFS may be
-- kept as content-defined chunks plus a manifest instead of one object. A chunk is stored once
-- per bucket and content hash, like a blob, and lives while some chunked blob uses it.
--
-- chunk_uses says which chunked blob uses which chunk (once, however often the chunk repeats in
-- it), so storing a blob twice, or releasing it twice, counts once. chunks.refs is the number of
-- its uses; a chunk whose refs fall to 0 waits (unreferenced_since) to be reclaimed, as a blob does.
CREATE TABLE chunks (
    bucket             VARCHAR(63) NOT NULL,
    hash               CHAR(64) NOT NULL,
    size               BIGINT NOT NULL CHECK (size >= 0),
    refs               BIGINT NOT NULL CHECK (refs >= 0),
    unreferenced_since TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (bucket, hash)
);
CREATE INDEX chunks_unreferenced ON chunks (unreferenced_since);

CREATE TABLE chunk_uses (
    bucket     VARCHAR(63) NOT NULL,
    blob_hash  CHAR(64) NOT NULL,
    chunk_hash CHAR(64) NOT NULL,
    PRIMARY KEY (bucket, blob_hash, chunk_hash)
);

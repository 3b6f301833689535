-- Every write of a new key adds to its bucket's usage row and its owner's: with one row each,
-- every concurrent writer of a bucket waited on the row lock of the one before until that one
-- had committed (pg_stat_activity: Lock:transactionid, docs/benchmarks.md "2026-12-03,
-- evening"). A bucket's usage, and an owner's in a bucket, is now the sum of up to 16 rows
-- (shards); a write adds to one of them. Writes checked against a quota all take shard 0, so
-- that they still take turns and the figure each one checks is exact.
CREATE TABLE bucket_usage_shards (
    bucket  VARCHAR(63) NOT NULL,
    shard   SMALLINT NOT NULL,
    bytes   BIGINT NOT NULL,
    objects BIGINT NOT NULL,
    PRIMARY KEY (bucket, shard)
);
INSERT INTO bucket_usage_shards (bucket, shard, bytes, objects) SELECT bucket, 0, bytes, objects FROM bucket_usage;
DROP TABLE bucket_usage;
ALTER TABLE bucket_usage_shards RENAME TO bucket_usage;

CREATE TABLE owner_usage_shards (
    bucket  VARCHAR(63) NOT NULL,
    owner   VARCHAR(63) NOT NULL,
    shard   SMALLINT NOT NULL,
    bytes   BIGINT NOT NULL,
    objects BIGINT NOT NULL,
    PRIMARY KEY (bucket, owner, shard)
);
INSERT INTO owner_usage_shards (bucket, owner, shard, bytes, objects) SELECT bucket, owner, 0, bytes, objects FROM owner_usage;
DROP TABLE owner_usage;
ALTER TABLE owner_usage_shards RENAME TO owner_usage;

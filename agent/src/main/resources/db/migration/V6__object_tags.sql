-- Object tags (S3's PutObjectTagging, x-amz-tagging; docs/s3.md): the tag set of each version,
-- as a JSON object of key to value in the order the client gave them, NULL for none. Per version,
-- like user metadata; unlike it, a version's tags can be replaced after the write.
-- One statement that PostgreSQL 15 and H2 in PostgreSQL mode both run.
ALTER TABLE object_versions ADD COLUMN tags TEXT;

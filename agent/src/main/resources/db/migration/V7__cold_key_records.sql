-- A sealed cold copy's key record (docs/encryption.md, "Key rotation"): its data key wrapped
-- again under the active key by the re-wrapper, so a rotation covers the cold tier as it does
-- the hot stores and the old key can go. Kept here, not on the target: a cold read looks its
-- copy up in this row anyway, so the record costs it no request.
ALTER TABLE cold_blobs ADD COLUMN key_record BYTEA;

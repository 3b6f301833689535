-- Whether the hot copy of a blob with a recorded cold copy has been deleted (docs/tiering.md,
-- "Crashes"). A run sets it once the hot delete is done, and the next run of any agent finishes
-- what a crash or a failed delete left: a hot copy no longer costs space for good. Rows from
-- before are looked at once (a delete of a copy already gone changes nothing).
ALTER TABLE cold_blobs ADD COLUMN hot_released BOOLEAN DEFAULT FALSE NOT NULL;

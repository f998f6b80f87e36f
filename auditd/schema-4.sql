-- auditd's database, schema version 4: reserved for issue 10 (per-device
-- state), whose schema-4.sql replaces this file when both are merged.  In
-- this branch it changes nothing, so that version 5 follows it.
SELECT 1;

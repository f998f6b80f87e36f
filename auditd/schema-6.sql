-- auditd's database, schema version 6: the data that needs its own
-- consent (issue 11): job data sealed to its own key.

-- a printer's job data in a report ("send job-data yes", DEV_JOBDATA):
-- the plaintext collectd sealed (the JSON of callhome-jobdata(5)), kept
-- here only, for the customer, and the sealed form that the upload
-- document carries, with its SHA-256; both in the cycle's readings
-- digest, so that "callhomectl verify" finds a changed one
CREATE TABLE jobdata (
	report_id	INTEGER PRIMARY KEY REFERENCES reports (id)
	    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	sealed_sha256	TEXT NOT NULL,		-- of sealed, lowercase hex
	sealed		BLOB NOT NULL,		-- exactly as sent
	plain		TEXT NOT NULL
);

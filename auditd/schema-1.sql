-- auditd's database, schema version 1: the readings.
--
-- Unsigned 64-bit values are stored as their bit pattern in INTEGER.  In
-- the readings tables (reports, meters, supplies, alerts) every field of
-- the structures of common/report.h is kept losslessly, in structure
-- order (common/txlog.h has the column lists): integers a device did not
-- report (REPORT_NONE) are NULL, unknown error bits (-1) are NULL,
-- strings are stored as received ('' when empty), so that the rows
-- re-encode to exactly the DEV_* payloads that arrived and the chained
-- digest of each cycle can be checked (callhomectl verify).
--
-- Deleting a cycle deletes its reports and their rows (ON DELETE
-- CASCADE).  The rows' foreign keys are deferred to the commit, and
-- their inserts are INSERT OR ROLLBACK of up to DB_BATCH rows: a
-- statement that cannot fail half-way needs no statement journal.
-- The transaction log's table, txlog, is common/txlog.c's.

-- one row per collection cycle, written in the cycle's transaction
CREATE TABLE cycles (
	id		INTEGER PRIMARY KEY,	-- the cycle number
	token		INTEGER NOT NULL,	-- callhomed's id for it (u64)
	reason		TEXT NOT NULL,		-- schedule, manual, ...
	started		INTEGER NOT NULL,	-- unix time
	finished	INTEGER,		-- unix time
	planned		INTEGER NOT NULL,	-- devices planned
	ndevices	INTEGER,		-- devices reported
	n_ok		INTEGER,		-- devices per outcome
	n_partial	INTEGER,
	n_timeout	INTEGER,
	n_refused	INTEGER,
	n_not_printer	INTEGER,
	n_error		INTEGER,
	probed		INTEGER,		-- discovery: addresses probed
	requests	INTEGER,		-- SNMP requests sent (u64)
	readings_sha256	TEXT,			-- of its DEV_* payloads
	txseq		INTEGER			-- its "collect" record
);

-- every device ever reported, one row per identity
CREATE TABLE devices (
	id		INTEGER PRIMARY KEY,
	-- "serial:vendor:serial" with a serial number, else
	-- "address:<address>"
	key		TEXT NOT NULL UNIQUE,
	vendor		TEXT NOT NULL,		-- the last non-empty values
	model		TEXT NOT NULL,
	serial		TEXT NOT NULL,
	first_seen	INTEGER NOT NULL,	-- unix time of its reports
	last_seen	INTEGER NOT NULL,
	last_address	TEXT NOT NULL,
	last_report	INTEGER			-- a hint: pruning may leave it
);

-- one per device per cycle (DEV_BEGIN, struct rpt_device)
CREATE TABLE reports (
	id		INTEGER PRIMARY KEY,
	cycle_id	INTEGER NOT NULL
			REFERENCES cycles (id) ON DELETE CASCADE,
	device_id	INTEGER NOT NULL REFERENCES devices (id),
	ordinal		INTEGER NOT NULL,	-- arrival order, from 0
	address		TEXT NOT NULL,
	outcome		INTEGER NOT NULL,	-- enum dev_outcome
	reason		TEXT NOT NULL,
	collected	INTEGER NOT NULL,
	requests	INTEGER NOT NULL,
	sysdescr	TEXT NOT NULL,
	sysobjectid	TEXT NOT NULL,
	enterprise	INTEGER,
	vendor		TEXT NOT NULL,
	model		TEXT NOT NULL,
	model_source	TEXT NOT NULL,
	serial		TEXT NOT NULL,
	serial_source	TEXT NOT NULL,
	firmware	TEXT NOT NULL,
	firmware_source	TEXT NOT NULL,
	profile		TEXT NOT NULL,
	sysname		TEXT NOT NULL,		-- PII: '' unless sent
	syscontact	TEXT NOT NULL,
	syslocation	TEXT NOT NULL,
	uptime		INTEGER,
	device_status	INTEGER,
	printer_status	INTEGER,
	errors		INTEGER,		-- bit n: prt_error_name(n)
	UNIQUE (cycle_id, ordinal)
);
CREATE INDEX reports_device ON reports (device_id, id);

-- the rows of one report (DEV_METER), in arrival order
CREATE TABLE meters (
	report_id	INTEGER NOT NULL REFERENCES reports (id)
	    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	ordinal		INTEGER NOT NULL,
	name		TEXT NOT NULL,
	unit		TEXT NOT NULL,
	value		INTEGER,
	source		TEXT NOT NULL,
	PRIMARY KEY (report_id, ordinal)
) WITHOUT ROWID;

-- DEV_SUPPLY; idx is the structure's "index"
CREATE TABLE supplies (
	report_id	INTEGER NOT NULL REFERENCES reports (id)
	    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	ordinal		INTEGER NOT NULL,
	idx		TEXT NOT NULL,
	description	TEXT NOT NULL,
	class		TEXT NOT NULL,
	type		TEXT NOT NULL,
	color		TEXT NOT NULL,
	unit		TEXT NOT NULL,
	max		INTEGER,
	level		INTEGER,
	percent		INTEGER,
	PRIMARY KEY (report_id, ordinal)
) WITHOUT ROWID;

-- DEV_ALERT; grp is the structure's "group"
CREATE TABLE alerts (
	report_id	INTEGER NOT NULL REFERENCES reports (id)
	    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	ordinal		INTEGER NOT NULL,
	idx		TEXT NOT NULL,
	severity	TEXT NOT NULL,
	grp		TEXT NOT NULL,
	code		TEXT NOT NULL,
	description	TEXT NOT NULL,
	time		INTEGER,
	PRIMARY KEY (report_id, ordinal)
) WITHOUT ROWID;

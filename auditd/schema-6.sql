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

-- Incidents: service incidents and supply requests, typed in by the
-- administrator (callhomectl incident) or made by auditd when a supply
-- falls to its threshold ("supply requests yes").  Each is carried by
-- the upload document of one cycle (cycle_id), the next one stored after
-- it; the server keeps each once by (gateway, id).
CREATE TABLE incidents (
	id		INTEGER PRIMARY KEY,	-- the gateway's number for it
	created		INTEGER NOT NULL,	-- unix time
	kind		TEXT NOT NULL CHECK (kind IN ('service', 'supply')),
	origin		TEXT NOT NULL CHECK (origin IN ('operator',
			    'automatic')),
	uid		INTEGER,		-- who typed it (operator)
	device_id	INTEGER NOT NULL REFERENCES devices (id),
	problem		TEXT NOT NULL DEFAULT '',	-- service only
	-- personal data, typed in for this incident only (all NULL: none)
	contact_name	TEXT,
	contact_email	TEXT,
	contact_phone	TEXT,
	-- the cycle whose documents carry it; NULL: waits for the next
	-- (a hint, not a foreign key, as the outbox's)
	cycle_id	INTEGER,
	txseq		INTEGER NOT NULL,	-- its "incident" record
	-- the server's status, from its answer to a check-in (NULL: none
	-- heard yet), and when it last said it
	server_status	TEXT CHECK (server_status IN ('received', 'shipped',
			    'closed')),
	server_seen	INTEGER,
	CHECK (kind = 'service' OR (problem = '' AND contact_name IS NULL))
);
CREATE INDEX incidents_cycle ON incidents (cycle_id, id);

-- the supplies a supply request names, as the device's last report
-- gave them when it was made
CREATE TABLE incident_supplies (
	incident_id	INTEGER NOT NULL REFERENCES incidents (id)
	    ON DELETE CASCADE,
	idx		TEXT NOT NULL,
	description	TEXT NOT NULL,
	type		TEXT NOT NULL,
	color		TEXT NOT NULL,
	max		INTEGER,
	level		INTEGER,
	percent		INTEGER,
	PRIMARY KEY (incident_id, idx)
) WITHOUT ROWID;

-- automatic supply requests: each supply of a device that fell to its
-- threshold is "low" until its level rises above it again (a refill,
-- recorded in the transaction log); a low supply makes no second request
CREATE TABLE supply_watch (
	device_id	INTEGER NOT NULL REFERENCES devices (id),
	idx		TEXT NOT NULL,
	low		INTEGER NOT NULL CHECK (low IN (0, 1)),
	percent		INTEGER,		-- the last known; NULL: by alert
	incident_id	INTEGER,		-- the request of the low spell
	since		INTEGER NOT NULL,	-- unix time of the change
	PRIMARY KEY (device_id, idx)
) WITHOUT ROWID;

-- Site information ("send site-info yes"): the gateway's own facts when
-- a cycle was stored, which its documents carry (ch:SiteInfo).  auditd
-- gathers them inside its sandbox: the kernel's names and memory
-- (uname, sysinfo), the state directory's file system (statvfs of its
-- root), the database's size, the targets and the last discovery; the
-- time zone's name comes from the parent.  host_name only with "send
-- pii yes"; no address is ever gathered.
CREATE TABLE site_info (
	cycle_id	INTEGER PRIMARY KEY REFERENCES cycles (id)
	    ON DELETE CASCADE,
	software	TEXT NOT NULL,		-- "callhome/0.1"
	os_name		TEXT NOT NULL,		-- uname: "Linux"
	os_release	TEXT NOT NULL,		-- "6.1.0-18-amd64"
	machine		TEXT NOT NULL,		-- "x86_64"
	cpus		INTEGER,		-- processors it may run on
	memory		INTEGER,		-- bytes
	memory_available INTEGER,		-- free and buffers, bytes
	disk		INTEGER,		-- the state directory's file
	disk_free	INTEGER,		-- system, bytes (for users)
	time_zone	TEXT NOT NULL,		-- IANA name, "" unknown
	database	INTEGER NOT NULL,	-- bytes, with its WAL
	in_scope	INTEGER NOT NULL,	-- targets that are printers
	out_of_scope	INTEGER NOT NULL,	-- answered, not printers
	last_discovery	INTEGER,		-- unix time, NULL none
	host_name	TEXT			-- with "send pii yes" only
);

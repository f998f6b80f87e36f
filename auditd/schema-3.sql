-- auditd's database, schema version 3: check-in, signed instructions and
-- packages (auditd/gateway.h).

-- one row: what check-ins and instructions left behind
CREATE TABLE gateway_state (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	-- the sequence of the last bundle signerd accepted: a bundle must
	-- be above it (replay)
	last_seq	INTEGER NOT NULL DEFAULT 0,
	-- "schedule daily HH:MM" an instruction set, the minute of the
	-- day; -1: none (callhome.conf's schedule)
	sched_minute	INTEGER NOT NULL DEFAULT -1,
	-- "checkin every" an instruction set, seconds; 0: none
	checkin_every	INTEGER NOT NULL DEFAULT 0,
	-- the last check-in: unix time (0 never), enum upload_status (-1
	-- none), the bundles its answer held, why it failed
	checkin_time	INTEGER NOT NULL DEFAULT 0,
	checkin_result	INTEGER NOT NULL DEFAULT -1,
	checkin_bundles	INTEGER NOT NULL DEFAULT 0,
	checkin_error	TEXT NOT NULL DEFAULT '',
	-- the last instruction, done or refused: unix time (0 none) and
	-- what became of it
	instruction_time INTEGER NOT NULL DEFAULT 0,
	instruction	TEXT NOT NULL DEFAULT ''
);
INSERT INTO gateway_state (id) VALUES (1);

-- every package installed; the highest version of a name is the one in
-- use.  Its file is packages/NAME-VERSION in the state directory, written
-- to a temporary file, synced and renamed before this row is inserted:
-- a file without its row is not installed.
CREATE TABLE packages (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('profile', 'software')),
	name		TEXT NOT NULL,
	version		INTEGER NOT NULL CHECK (version > 0),
	sha256		TEXT NOT NULL,		-- of the file, as signed
	size		INTEGER NOT NULL,	-- bytes, as signed
	installed	INTEGER NOT NULL,	-- unix time
	txseq		INTEGER NOT NULL,	-- its "download" record
	UNIQUE (name, version)
);

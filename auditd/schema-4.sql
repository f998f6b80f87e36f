-- auditd's database, schema version 4: SNMPv3 outcomes, discovery counts,
-- each address's state across cycles, and meters that are not usage.
-- (Version 3, schema-3.sql, is the check-in state and package store.)

-- devices refused by an SNMPv3 agent (dev_outcome auth-failure), and
-- what discovery found (NULL in the cycles before this version)
ALTER TABLE cycles ADD COLUMN n_auth_failure INTEGER;
ALTER TABLE cycles ADD COLUMN answered INTEGER;	-- an agent answered
ALTER TABLE cycles ADD COLUMN printers INTEGER;	-- printers found
ALTER TABLE cycles ADD COLUMN skipped INTEGER;	-- agents, not printers
ALTER TABLE cycles ADD COLUMN duplicates INTEGER;	-- found twice

-- in each report: collectd waited longer for a silent device (waited),
-- and the state auditd gave the address then (enum dev_state) with the
-- time it entered it; all three NULL in older reports
ALTER TABLE reports ADD COLUMN waited INTEGER;
ALTER TABLE reports ADD COLUMN state INTEGER;
ALTER TABLE reports ADD COLUMN state_since INTEGER;

-- a meter that is not usage since the device's previous reading: flag
-- 1 reset (lower than before), 2 replaced (another serial number at
-- the address than before), with that previous value; NULL otherwise
ALTER TABLE meters ADD COLUMN flag INTEGER;
ALTER TABLE meters ADD COLUMN previous INTEGER;

-- each address polled: its state now (enum dev_state: 1 answering,
-- 2 asleep, 3 unreachable, 4 auth-failure, 5 not-a-printer), since when
-- (unix time), and the device last identified there by a serial number
CREATE TABLE targets (
	address		TEXT PRIMARY KEY,
	state		INTEGER NOT NULL,
	since		INTEGER NOT NULL,
	device_id	INTEGER			-- a hint, as devices.last_report
) WITHOUT ROWID;

-- auditd's database, schema version 5: cycles uploaded in parts, documents
-- set aside, and retention (auditd/outbox.h, auditd/retention.h).

-- A cycle's readings pruned by retention: the time of its "prune" record,
-- after which its reports and their rows are deleted, a few at a time.
-- The cycle's row stays (its "collect" record names it); NULL: kept.
ALTER TABLE cycles ADD COLUMN pruned INTEGER;

-- The outbox again, with parts: each cycle's data is one or more upload
-- documents ("part i of n"), each with its own bytes, hash, receipt and
-- delivery.  Rows of version 2 become part 1 of 1.
CREATE TABLE outbox_v5 (
	id		INTEGER PRIMARY KEY,	-- also uplinkd's job number
	-- the cycle it was built from (a hint, not a foreign key: pruning
	-- old readings keeps the document's row)
	cycle_id	INTEGER NOT NULL,
	part		INTEGER NOT NULL DEFAULT 1 CHECK (part >= 1),
	parts		INTEGER NOT NULL DEFAULT 1 CHECK (parts >= part),
	-- the cycle's devices it holds: ordinals first_device and on
	first_device	INTEGER NOT NULL DEFAULT 0,
	devices		INTEGER,		-- NULL: from before version 5
	created		INTEGER NOT NULL,	-- unix time
	sha256		TEXT NOT NULL,		-- kept when the bytes go
	size		INTEGER NOT NULL,	-- bytes
	document	BLOB,			-- the exact bytes; NULL pruned
	-- pending: waits to be delivered; delivered: the receipt named its
	-- hash; refused: set aside after a permanent refusal (413, 400, or
	-- larger than an upload may carry), its bytes kept until the
	-- operator requeues or drops it; pruned: deleted unsent (spool
	-- limit, or dropped by the operator)
	state		TEXT NOT NULL CHECK (state IN
			    ('pending', 'delivered', 'pruned', 'refused')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt	INTEGER NOT NULL DEFAULT 0,	-- 0: due now
	last_attempt	INTEGER,
	last_status	INTEGER,		-- enum upload_status
	last_error	TEXT,			-- NULL once delivered
	delivered	INTEGER,		-- unix time of the receipt
	receipt_sha256	TEXT,			-- the hash the receipt names
	server_doc_id	INTEGER,
	server_time	TEXT,			-- the receipt's ServerTime
	duplicate	INTEGER,		-- the server had it already
	cert_hash	TEXT,			-- of the last attempt
	tls_version	TEXT,
	refused		INTEGER,		-- when it was set aside
	-- when its bytes were deleted, and why: "spool limit", "dropped",
	-- "retention" (delivered documents only), "too large" (before 5)
	pruned		INTEGER,
	prune_reason	TEXT,
	UNIQUE (cycle_id, part),
	CHECK ((document IS NULL) = (pruned IS NOT NULL)),
	CHECK (state != 'pruned' OR document IS NULL),
	CHECK (document IS NOT NULL OR state IN ('pruned', 'delivered'))
);
INSERT INTO outbox_v5 (id, cycle_id, created, sha256, size, document,
    state, attempts, next_attempt, last_attempt, last_status, last_error,
    delivered, receipt_sha256, server_doc_id, server_time, duplicate,
    cert_hash, tls_version, pruned, prune_reason)
    SELECT id, cycle_id, created, sha256, size, document, state, attempts,
    next_attempt, last_attempt, last_status, last_error, delivered,
    receipt_sha256, server_doc_id, server_time, duplicate, cert_hash,
    tls_version, CASE state WHEN 'pruned' THEN created END,
    CASE state WHEN 'pruned' THEN 'before version 5' END FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;
CREATE INDEX outbox_state ON outbox (state, id);

-- auditd's database, schema version 2: the outbox (auditd/outbox.h).

-- the upload document of each cycle, built in the cycle's own transaction
-- (so a committed cycle always has its document)
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,	-- also uplinkd's job number
	-- the cycle it was built from (a hint, not a foreign key: pruning
	-- old readings keeps the document)
	cycle_id	INTEGER NOT NULL UNIQUE,
	created		INTEGER NOT NULL,	-- unix time
	sha256		TEXT NOT NULL,		-- kept when the bytes go
	size		INTEGER NOT NULL,	-- bytes
	document	BLOB,			-- the exact bytes; NULL pruned
	state		TEXT NOT NULL CHECK (state IN
			    ('pending', 'delivered', 'pruned')),
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
	CHECK ((document IS NULL) = (state = 'pruned'))
);
CREATE INDEX outbox_state ON outbox (state, id);

-- values that never leave the gateway: 'device-key-salt', the 32
-- random bytes that key the anonymous device keys of the documents
CREATE TABLE secrets (
	name		TEXT PRIMARY KEY,
	value		BLOB NOT NULL
) WITHOUT ROWID;

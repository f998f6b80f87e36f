/*
 * Table walks and gets for one device, on top of the engine.
 *
 * A walk follows several columns in parallel, each from its own base OID
 * (never from the MIB root): GetBulk with the scalars as non-repeaters and
 * the columns as repeaters (v2c), or GetNext (v1, or an agent that does
 * not answer GetBulk: the walk falls back by itself and tells the device).
 * A column ends when an answer leaves its subtree, reaches endOfMibView,
 * does not increase, or has more than WALK_MAX_ROWS rows.  A get asks for
 * exact OIDs and drops those the agent lacks (v1 noSuchName included).
 */
#ifndef COLLECTD_WALK_H
#define COLLECTD_WALK_H

#include <stdint.h>

#include "engine.h"
#include "snmp.h"

#define WALK_MAX_COLS		56	/* 32 meters, 16 identity OIDs, 3 more */
#define WALK_MAX_IDX		16	/* arcs of a row index */
#define WALK_MAX_ROWS		1024	/* per column */
#define WALK_MAX_VARBINDS	64	/* per request: agents cap there */
#define WALK_MAX_REQUESTS	512

/* what a device's agent does with GetBulk (shared by its walks) */
#define BULK_UNKNOWN		0
#define BULK_YES		1
#define BULK_NO			2

enum walk_mode { WALK_COLUMNS, WALK_GET };

enum walk_status {
	WALK_OK,
	WALK_TIMEOUT,
	WALK_REFUSED,
	WALK_UNREACHABLE,
	WALK_ERROR,		/* an error-status, or a broken agent */
	WALK_AUTH,		/* SNMPv3: the agent refused the user */
};

/* a row: the column, the index after the column's base, the value */
typedef void	(*walk_row_cb)(void *, uint16_t col, const uint32_t *idx,
		    size_t idxlen, const struct snmp_value *);
typedef void	(*walk_done_cb)(void *, enum walk_status, const char *why);

struct walk_col {
	const struct snmp_oid	*base;	/* lives as long as the walk */
	uint16_t		 id;
	uint8_t			 scalar;	/* first answer only */
	uint8_t			 done;
	uint8_t			 idxlen;	/* where the column is now */
	uint16_t		 rows;
	uint32_t		 idx[WALK_MAX_IDX];
};

/* what the request in flight asked for: answer position -> column */
struct walk_sent {
	uint8_t			 pdu;
	uint8_t			 nonrep;	/* scalars first (GetBulk) */
	uint8_t			 nrep;		/* repeating columns after */
	uint8_t			 n;		/* varbinds asked for */
	uint8_t			 map[WALK_MAX_VARBINDS];
};

struct walk {
	struct engine		*eng;
	const struct etarget	*t;
	enum walk_mode		 mode;
	int			*bulk;		/* the device's BULK_* */
	walk_row_cb		 row;
	walk_done_cb		 done;
	void			(*step)(void *);	/* after each answer */
	void			*arg;
	uint32_t		 requests;	/* sent by this walk */
	int			 flags;		/* ENGINE_* of its requests */
	int			 maxrep;	/* halved on tooBig */
	char			 why[96];	/* of the last failure */
	struct walk_sent	 sent;		/* one request in flight */
	size_t			 ncols;
	size_t			 maxcols;
	struct walk_col		 cols[];	/* maxcols of them */
};

/* a walk for at most maxcols (<= WALK_MAX_COLS) columns; then add the
 * columns; then start.  It must stay allocated until its done callback
 * has run. */
struct walk *walk_new(enum walk_mode, size_t maxcols, struct engine *,
	    const struct etarget *, int *bulk, walk_row_cb, walk_done_cb,
	    void *);
void	walk_free(struct walk *);
int	walk_add(struct walk *, uint16_t id, const struct snmp_oid *,
	    int scalar);
void	walk_start(struct walk *);
const char *walk_status_name(enum walk_status);

#endif /* COLLECTD_WALK_H */

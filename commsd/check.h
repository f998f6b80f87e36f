/*
 * The check of an uploaded document, as a worker process runs it
 * (worker.c), and what it hands back to the server.  Everything here is
 * a pure function on memory, so that unit tests and fuzzers call it
 * directly.
 *
 *	prescan.c	a linear pass over the bytes that bounds what libxml2
 *			will be given: attributes per element, the length of
 *			names, the nesting depth and the total of nodes.
 *			libxml2's handling of attributes is quadratic in
 *			their number on one element, so a document of a
 *			valid size could otherwise keep it busy for minutes.
 *	check.c		prescan, then the strict SOAP parser and the schema
 *			(common/xmlsafe.c), then the extract
 *	extract.c	the extract: what store.c stores of a valid document,
 *			as a flat list of records (encoded by the worker,
 *			checked and decoded by the server, which never
 *			parses XML from the network itself)
 */
#ifndef COMMSD_CHECK_H
#define COMMSD_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "buf.h"

struct xschema;

/*
 * prescan.c
 */
#define COMMS_SCAN_MAX_NAME	256	/* bytes of an element or attribute
					   name, prefix included */
#define COMMS_DEFAULT_MAX_ATTRS	64	/* per element, xmlns ones too */
#define COMMS_DEFAULT_MAX_NODES	1000000	/* elements, attributes, text
					   runs, comments, PIs */

struct comms_scan_limits {
	uint32_t	 max_attrs;
	uint32_t	 max_nodes;
	uint32_t	 max_name;
	uint32_t	 max_depth;
};

enum comms_scan_why {
	COMMS_SCAN_OK,
	COMMS_SCAN_LIMIT,	/* beyond a limit */
	COMMS_SCAN_MALFORMED,	/* not well-formed XML */
	COMMS_SCAN_DECLARATION	/* <!DOCTYPE, <!ENTITY...: refused */
};

struct comms_scan {
	enum comms_scan_why why;	/* when refused */
	uint64_t	 nodes;		/* counted so far (all when it passed) */
	uint32_t	 max_attrs_seen;
	uint32_t	 max_depth_seen;
	size_t		 where;		/* the offending byte when refused */
};

/*
 * 0 when the document stays within the limits (it may still be
 * malformed: libxml2 decides that), -1 with a reason otherwise.  Never
 * counts fewer attributes, nodes or levels than libxml2 would build, and
 * never calls MALFORMED what libxml2 parses.
 */
int	comms_prescan(const uint8_t *, size_t, const struct comms_scan_limits *,
	    struct comms_scan *, char *, size_t);
void	comms_scan_limits_default(struct comms_scan_limits *);

/*
 * extract.c: the records.  Each is
 *
 *	tag (1 byte)  nfields (1 byte)  field...
 *	field:  column (1 byte)  length (LEB128, at most 4 bytes)  bytes
 *
 * with only the present fields, in increasing column order; an absent
 * field is SQL NULL.  An upload's extract is the one upload record (U),
 * then each incident (I) followed by its supplies (N), then each device
 * (D) followed by its readings (M, S, A) and its job data (J); a
 * check-in's
 * is the one check-in record (C), then each installed package (P).  A
 * field holds no NUL byte; integers are their text as the document gave
 * it.
 */
enum comms_rec {
	COMMS_REC_UPLOAD = 'U',
	COMMS_REC_DEVICE = 'D',
	COMMS_REC_METER = 'M',
	COMMS_REC_SUPPLY = 'S',
	COMMS_REC_ALERT = 'A',
	COMMS_REC_CHECKIN = 'C',
	COMMS_REC_PACKAGE = 'P',
	COMMS_REC_JOBDATA = 'J',	/* a device's, after its readings */
	COMMS_REC_INCIDENT = 'I',	/* after the upload record, before */
	COMMS_REC_INCSUPPLY = 'N'	/* the devices; N after its I */
};

/* the columns of each record */
/* XU_PART..: ch:Part's number, of, firstDevice, devices (absent: none) */
enum { XU_GATEWAY, XU_SOFTWARE, XU_SITE, XU_CYCLE, XU_REASON, XU_STARTED,
	XU_FINISHED, XU_CATEGORIES, XU_PART, XU_PARTS, XU_FIRST_DEVICE,
	XU_PART_DEVICES, XU_NCOLS };
enum { XD_KEY, XD_OUTCOME, XD_COLLECTED, XD_ADDRESS, XD_REASON, XD_VENDOR,
	XD_MODEL, XD_MODEL_SOURCE, XD_SERIAL, XD_SERIAL_SOURCE, XD_FIRMWARE,
	XD_FIRMWARE_SOURCE, XD_SYSOBJECTID, XD_ENTERPRISE, XD_SYSDESCR,
	XD_SYSNAME, XD_SYSCONTACT, XD_SYSLOCATION, XD_DEVICE_STATUS,
	XD_PRINTER_STATUS, XD_UPTIME, XD_ERRORS, XD_STATE, XD_STATE_SINCE,
	XD_NCOLS };
enum { XM_NAME, XM_UNIT, XM_VALUE, XM_SOURCE, XM_FLAG, XM_PREVIOUS,
	XM_NCOLS };
enum { XS_INDEX, XS_DESCRIPTION, XS_CLASS, XS_TYPE, XS_COLOR, XS_UNIT, XS_MAX,
	XS_LEVEL, XS_PERCENT, XS_NCOLS };
enum { XA_INDEX, XA_SEVERITY, XA_GROUP, XA_CODE, XA_DESCRIPTION, XA_TIME,
	XA_NCOLS };
enum { XC_GATEWAY, XC_SOFTWARE, XC_LAST_SEQUENCE, XC_NCOLS };
enum { XP_NAME, XP_VERSION, XP_NCOLS };
enum { XJ_DATA, XJ_NCOLS };		/* ch:JobData's text, as it came */
enum { XI_ID, XI_KIND, XI_ORIGIN, XI_DEVICE, XI_CREATED, XI_PROBLEM,
	XI_NAME, XI_EMAIL, XI_PHONE, XI_NCOLS };
enum { XN_INDEX, XN_DESCRIPTION, XN_TYPE, XN_COLOR, XN_MAX, XN_LEVEL,
	XN_PERCENT, XN_NCOLS };

#define COMMS_REC_MAXCOLS	XD_NCOLS
#define COMMS_FIELD_MAX		(1U << 28)	/* bytes of one field */

struct comms_field {
	const char	*s;		/* NULL: absent */
	size_t		 len;
};

struct comms_record {
	int			 tag;	/* enum comms_rec */
	struct comms_field	 f[COMMS_REC_MAXCOLS];
};

/* the columns of a record tag, 0 for an unknown tag */
size_t	comms_rec_ncols(int);
/*
 * The whole extract, checked: the grammar above, the order of records,
 * the fields each record requires.  0, or -1 with a reason.  *ndevices
 * is the number of D records.  Its first record's tag says which
 * document it was (U or C).
 */
int	comms_extract_check(const uint8_t *, size_t, uint64_t *ndevices,
	    char *, size_t);
/* the record at *off of a checked extract: 1, or 0 at its end */
int	comms_extract_next(const uint8_t *, size_t, size_t *off,
	    struct comms_record *);
/* append one record (used by the encoder and the tests) */
void	comms_extract_put(struct wbuf *, const struct comms_record *);
/*
 * The extract of a validated ch:Upload or ch:CheckIn element.  0, or -1
 * with a reason (a field too long, out of memory).
 */
int	comms_extract_encode(xmlNodePtr, struct wbuf *, char *, size_t);
int	comms_extract_checkin(xmlNodePtr, struct wbuf *, char *, size_t);

/*
 * check.c
 */
struct comms_check_limits {
	struct comms_scan_limits scan;
	size_t		 max_document;
};

/*
 * Prescan, parse, validate against the schema (an Upload or a CheckIn),
 * extract.  0 with the extract in out (its length never more than the
 * document's), or -1 with the HTTP status to answer (400 or 413; 500 if
 * the extract were larger than the document, which cannot be) and a
 * reason.
 */
int	comms_check_document(struct xschema *,
	    const struct comms_check_limits *, const uint8_t *, size_t,
	    struct wbuf *out, int *status, char *, size_t);

#endif /* COMMSD_CHECK_H */

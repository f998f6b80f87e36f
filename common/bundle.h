/*
 * The message of a signed instruction bundle (callhome-instructions(5)):
 * printable ASCII text, one item a line, each line ended by LF:
 *
 *	callhome-instructions 1
 *	gateway GATEWAY-ID
 *	sequence N
 *	issued YYYY-MM-DDTHH:MM:SSZ
 *	expires YYYY-MM-DDTHH:MM:SSZ
 *	INSTRUCTION
 *	...
 *
 * and 1 to BUNDLE_MAX_ITEMS instructions, each one of
 *
 *	collect now
 *	upload now
 *	schedule daily HH:MM
 *	checkin every DURATION
 *	package KIND NAME VERSION SHA256 SIZE
 *
 * Words are separated by one space; no line is empty or longer than
 * BUNDLE_LINE_MAX.  The parser reads the text only: whether the bundle
 * is signed, meant for this gateway, new and fresh is signerd's
 * verify_bundle() (signerd/verify.h), which calls it only on a message
 * whose signature verified.
 */
#ifndef CALLHOME_BUNDLE_H
#define CALLHOME_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define BUNDLE_MAX		(64 * 1024)	/* the signed file, and so its message */
#define BUNDLE_MAX_ITEMS	64		/* instructions in one bundle */
#define BUNDLE_LINE_MAX		512		/* bytes of a line, without LF */
#define BUNDLE_GATEWAY_MAX	255		/* as callhome.conf's "gateway" */
#define BUNDLE_NAME_MAX		64		/* a package name */
#define BUNDLE_SEQ_MAX		INT64_MAX	/* sequence and version numbers */
#define BUNDLE_PKG_SIZE_MAX	(32 * 1024 * 1024)	/* one package file */
/* checkin every: the bounds of callhome.conf's, in seconds */
#define BUNDLE_CHECKIN_MIN	10
#define BUNDLE_CHECKIN_MAX	(30 * 86400)
#define BUNDLE_VERSION		1		/* callhome-instructions 1 */

enum bundle_result {
	BUNDLE_OK,
	BUNDLE_MALFORMED,		/* "malformed" */
	BUNDLE_UNKNOWN_INSTRUCTION	/* "unknown-instruction" */
};

enum bundle_kind {
	BI_COLLECT_NOW,
	BI_UPLOAD_NOW,
	BI_SCHEDULE_DAILY,
	BI_CHECKIN_EVERY,
	BI_PACKAGE
};

enum package_kind {
	PKG_PROFILE,
	PKG_SOFTWARE
};

struct bundle_package {
	enum package_kind	 kind;
	char			 name[BUNDLE_NAME_MAX + 1];
	uint64_t		 version;	/* 1..BUNDLE_SEQ_MAX */
	char			 sha256[65];	/* 64 lowercase hex digits */
	uint64_t		 size;		/* 1..BUNDLE_PKG_SIZE_MAX */
};

struct bundle_item {
	enum bundle_kind	 kind;
	union {
		int			 minute;	/* schedule daily: 0..1439 */
		uint32_t		 seconds;	/* checkin every */
		struct bundle_package	 pkg;		/* package */
	} u;
};

struct bundle {
	char			 gateway[BUNDLE_GATEWAY_MAX + 1];
	uint64_t		 sequence;	/* 1..BUNDLE_SEQ_MAX */
	int64_t			 issued;	/* unix seconds */
	int64_t			 expires;	/* after issued */
	size_t			 nitems;	/* 1..BUNDLE_MAX_ITEMS */
	struct bundle_item	 items[BUNDLE_MAX_ITEMS];
};

/*
 * Parse a bundle's message (len bytes, no NUL needed).  BUNDLE_OK and *b
 * filled; otherwise *b zeroed and a reason in err, naming the line.  The
 * first line at fault decides the result: BUNDLE_UNKNOWN_INSTRUCTION for
 * a line that is no header and no instruction of the list above,
 * BUNDLE_MALFORMED for anything else (a byte that is not printable ASCII
 * or LF, a CR, a NUL, a missing, misplaced or repeated header, a bad
 * value, an instruction given twice, no instruction or too many, a last
 * line without its LF, more than BUNDLE_MAX bytes).
 */
enum bundle_result bundle_parse(const uint8_t *msg, size_t len,
		    struct bundle *b, char *err, size_t errlen);

/* "ok", "malformed", "unknown-instruction" */
const char	*bundle_result_name(enum bundle_result);
/* "collect now", "upload now", "schedule daily", "checkin every", "package" */
const char	*bundle_kind_name(enum bundle_kind);
/* "profile", "software" */
const char	*package_kind_name(enum package_kind);

/*
 * A package name: 1 to BUNDLE_NAME_MAX of [A-Za-z0-9._-], the first
 * neither "." nor "-" (no hidden file, no option, no "..").  The file
 * of a package is NAME-VERSION, its signature NAME-VERSION.sig.
 */
int		 bundle_valid_name(const char *);

/*
 * "YYYY-MM-DDTHH:MM:SSZ" (exactly, a real date of the years 1970 to
 * 9999) into unix seconds; 0, or -1.
 */
int		 bundle_parse_time(const char *, size_t, int64_t *);

#endif /* CALLHOME_BUNDLE_H */

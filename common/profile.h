/*
 * Vendor profiles: data files in etc/profiles/, one per vendor, naming
 * where a vendor keeps what the standard MIBs lack (serial number, model,
 * firmware) and its billing meters.  The parent reads the directory
 * (profile_load_dir) and sends the parsed set to collectd with its
 * configuration; collectd picks one per device (profile_match).
 *
 * The file format (see etc/profiles/README and profile.5 when written):
 *
 *	# comment
 *	vendor "Sharp"				required, once
 *	match enterprise 2385			sysObjectID under 1.3.6.1.4.1.N
 *	match oid 1.3.6.1.4.1.2385.3		sysObjectID under this prefix
 *	match descr "SHARP"			sysDescr contains (any case)
 *	brand "Savin" descr "SAVIN"		vendor name when descr matches
 *	serial 1.3.6.1.4.1.2385.1.1.1.2.0	fallbacks, tried in order
 *	model 1.3.6.1.4.1....
 *	firmware 1.3.6.1.4.1....
 *	device-id 1.3.6.1.4.1....		an IEEE 1284 device id
 *	descr-model after "Attached to " cut " Rev."	model out of sysDescr
 *	descr-serial after "SN:" cut ","		serial out of sysDescr
 *	model-edit drop-prefix "ZTC "		applied to every model
 *	not-model "Generic"			a driver name, no model
 *	meter total 1.3.6.1.4.1....0 unit impressions
 *	meter-table 1.3.6.1.4.1.2385.1.1.19.2.1.3 \
 *	    names 1.3.6.1.4.1.2385.1.1.19.2.1.4 unit impressions {
 *		"Black & White Total Count"	black
 *		"Full Color Total Count"	color
 *	}
 *
 * Matching: a "match descr" scores 3, "match oid" 2, "match enterprise"
 * 1 (an enterprise number may name the network card's maker, a sysDescr
 * rarely lies); the highest score wins, ties go to the longer OID prefix,
 * then to the first profile in file-name order.  (The kinds add up; a
 * brand's descr counts as a "match descr"; an enterprise is a prefix of
 * 7 arcs.  etc/profiles/README has the whole format.)
 */
#ifndef CALLHOME_PROFILE_H
#define CALLHOME_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "report.h"
#include "snmp.h"

#define PROFILE_MAX		64	/* profiles in a set */
#define PROFILE_MAX_MATCH	8	/* of each kind of match */
#define PROFILE_MAX_BRANDS	8
#define PROFILE_MAX_IDENT	4	/* serial, model, firmware OIDs each */
#define PROFILE_MAX_METERS	32
#define PROFILE_MAX_TABLES	4
#define PROFILE_MAX_MAP		64
#define PROFILE_MAX_RULES	8	/* descr-model, descr-serial, model-edit */
#define PROFILE_MAX_OPS		6	/* operations in one rule */
#define PROFILE_MAX_NOTMODEL	8
#define PROFILE_FILE_MAX	(64 * 1024)

struct profile_brand {
	char		 name[REPORT_NAME];
	char		 descr[REPORT_NAME];
};

struct profile_meter {
	char		 name[REPORT_NAME];	/* [a-z0-9-]+ */
	char		 unit[REPORT_NAME];
	struct snmp_oid	 oid;
};

struct profile_map {
	char		 text[REPORT_NAME];	/* the vendor's row name */
	char		 name[REPORT_NAME];	/* our meter name */
};

/* a table of value/name pairs sharing their index (Sharp, Canon...) */
struct profile_table {
	struct snmp_oid	 values;	/* column of counters */
	struct snmp_oid	 names;		/* column of their names */
	char		 unit[REPORT_NAME];
	struct profile_map map[PROFILE_MAX_MAP];
	size_t		 nmap;
};

/*
 * The operations of a text rule (descr-model, descr-serial, model-edit),
 * each with its text.  In a text, ASCII letters match in any case and "#"
 * matches a run of one or more digits (common/identity.c applies them).
 */
enum profile_op_kind {
	PROFILE_OP_AFTER = 1,	/* what follows the first match; none: fail */
	PROFILE_OP_BEFORE,	/* what precedes the first match; none: fail */
	PROFILE_OP_CUT,		/* what precedes the first match, if any */
	PROFILE_OP_DROP_PREFIX,	/* without a match at the start, if any */
	PROFILE_OP_DROP_SUFFIX,	/* without a match at the end, if any */
	PROFILE_OP_UNLESS,	/* fail if the text matches anywhere */
	PROFILE_OP_REQUIRE,	/* fail unless the text matches somewhere */
	PROFILE_OP_MAX = PROFILE_OP_REQUIRE
};

struct profile_op {
	uint8_t		 kind;			/* enum profile_op_kind */
	char		 text[REPORT_NAME];
};

struct profile_rule {
	struct profile_op op[PROFILE_MAX_OPS];
	size_t		 nop;			/* 1..PROFILE_MAX_OPS */
};

struct profile {
	char		 name[REPORT_NAME];	/* file name without .profile */
	char		 vendor[REPORT_NAME];
	uint32_t	 enterprise[PROFILE_MAX_MATCH];
	size_t		 nenterprise;
	struct snmp_oid	 oid[PROFILE_MAX_MATCH];
	size_t		 noid;
	char		 descr[PROFILE_MAX_MATCH][REPORT_NAME];
	size_t		 ndescr;
	struct profile_brand brand[PROFILE_MAX_BRANDS];
	size_t		 nbrand;
	struct snmp_oid	 serial[PROFILE_MAX_IDENT];
	size_t		 nserial;
	struct snmp_oid	 model[PROFILE_MAX_IDENT];
	size_t		 nmodel;
	struct snmp_oid	 firmware[PROFILE_MAX_IDENT];
	size_t		 nfirmware;
	struct profile_meter meter[PROFILE_MAX_METERS];
	size_t		 nmeter;
	struct profile_table table[PROFILE_MAX_TABLES];
	size_t		 ntable;
	/* identity (common/identity.h) */
	struct snmp_oid	 devid[PROFILE_MAX_IDENT];	/* IEEE 1284 ids */
	size_t		 ndevid;
	struct profile_rule descr_model[PROFILE_MAX_RULES];
	size_t		 ndescr_model;
	struct profile_rule descr_serial[PROFILE_MAX_RULES];
	size_t		 ndescr_serial;
	struct profile_rule model_edit[PROFILE_MAX_RULES];
	size_t		 nmodel_edit;
	char		 not_model[PROFILE_MAX_NOTMODEL][REPORT_NAME];
	size_t		 nnot_model;
};

struct profile_set {
	struct profile	*p;	/* array of n, sorted by name */
	size_t		 n;
};

/*
 * Load every *.profile file of dir (regular files owned by root, not
 * writable by group or others).  Errors are logged as "file:line: why",
 * all of them; returns -1 if any file had one.
 */
int	profile_load_dir(const char *dir, struct profile_set *);
/* parse one file's text; name is used in messages and as profile name */
int	profile_parse(const char *name, const char *buf, size_t len,
	    struct profile *);
void	profile_set_free(struct profile_set *);
/* the best profile for a device, or NULL; *vendor gets the brand or the
 * profile's vendor */
const struct profile *profile_match(const struct profile_set *,
	    const struct snmp_oid *sysobjectid, const char *sysdescr,
	    const char **vendor);
/* the name of an operation ("after", "drop-prefix"...), NULL if none */
const char	*profile_op_name(int kind);
/* the name to use for a vendor row name: the map's, else "x-" + slug */
void	profile_table_name(const struct profile_table *, const char *text,
	    char *, size_t);

/* carried inside IMSG_CONF_COLLECTD */
void	msg_profiles_encode(struct wbuf *, const struct profile_set *);
int	msg_profiles_decode(struct rbuf *, struct profile_set *);

#endif /* CALLHOME_PROFILE_H */

/*
 * Collecting one device.
 *
 * Phase 1, one request for most printers: GetBulk with the identity and
 * status objects as non-repeaters (their first instance) and the Printer-
 * MIB tables as repeating columns (supplies, colorants, markers, alerts).
 * The walk goes on by itself until every column has ended.
 *
 * Phase 2 starts after the first answer, in parallel with the rest of the
 * walk: knowing sysObjectID and sysDescr, the vendor profile gives the
 * exact OIDs to get (serial, model, firmware fallbacks, billing meters)
 * and value/name tables to walk.
 *
 * Only the categories switched on are asked for, except sysDescr and
 * sysObjectID, which recognise a printer and its vendor; what is not
 * switched on never leaves collectd (report_build).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectd.h"
#include "chan/collectd_auditd.h"
#include "clock.h"
#include "log.h"
#include "net.h"

/* the objects of phase 1 */
enum col {
	C_NONE,
	C_SYSDESCR, C_SYSOBJECTID, C_SYSUPTIME, C_SYSCONTACT, C_SYSNAME,
	C_SYSLOCATION, C_HRDEVTYPE, C_HRDEVDESCR, C_HRDEVSTATUS,
	C_HRPRTSTATUS, C_HRPRTERR, C_PRTSERIAL,
	C_SUP_COLORANT, C_SUP_CLASS, C_SUP_TYPE, C_SUP_DESCR, C_SUP_UNIT,
	C_SUP_MAX, C_SUP_LEVEL, C_COLORANT, C_MARK_UNIT, C_MARK_LIFE,
	C_ALERT_SEV, C_ALERT_GROUP, C_ALERT_CODE, C_ALERT_DESCR,
	C_ALERT_TIME,
	C_STD_MAX,
	/* phase 2 */
	C_HRDEVSTATUS_I = 60, C_HRDEVDESCR_I,
	C_V_SERIAL = 100,		/* + k */
	C_V_MODEL = 110,
	C_V_FIRMWARE = 120,
	C_V_METER = 200,		/* + k, k < PROFILE_MAX_METERS */
	C_V_TABLE = 300,		/* + 2k values, + 2k + 1 names */
};

struct std_col {
	enum col	 id;
	const char	*oid;
	int		 scalar;	/* non-repeater: first instance */
	int		 category;	/* needed for it, or -1: always */
};

static const struct std_col std_cols[] = {
	{ C_SYSDESCR,	"1.3.6.1.2.1.1.1", 1, -1 },
	{ C_SYSOBJECTID, "1.3.6.1.2.1.1.2", 1, -1 },
	{ C_SYSUPTIME,	"1.3.6.1.2.1.1.3", 1, CAT_ALERTS },
	{ C_SYSCONTACT,	"1.3.6.1.2.1.1.4", 1, CAT_PII },
	{ C_SYSNAME,	"1.3.6.1.2.1.1.5", 1, CAT_PII },
	{ C_SYSLOCATION, "1.3.6.1.2.1.1.6", 1, CAT_PII },
	{ C_HRDEVTYPE,	"1.3.6.1.2.1.25.3.2.1.2", 1, -1 },
	{ C_HRDEVDESCR,	"1.3.6.1.2.1.25.3.2.1.3", 1, CAT_IDENTITY },
	{ C_HRDEVSTATUS, "1.3.6.1.2.1.25.3.2.1.5", 1, CAT_ALERTS },
	{ C_HRPRTSTATUS, "1.3.6.1.2.1.25.3.5.1.1", 1, -1 },
	{ C_HRPRTERR,	"1.3.6.1.2.1.25.3.5.1.2", 1, CAT_ALERTS },
	{ C_PRTSERIAL,	"1.3.6.1.2.1.43.5.1.1.17", 1, -1 },
	{ C_SUP_COLORANT, "1.3.6.1.2.1.43.11.1.1.3", 0, CAT_SUPPLIES },
	{ C_SUP_CLASS,	"1.3.6.1.2.1.43.11.1.1.4", 0, CAT_SUPPLIES },
	{ C_SUP_TYPE,	"1.3.6.1.2.1.43.11.1.1.5", 0, CAT_SUPPLIES },
	{ C_SUP_DESCR,	"1.3.6.1.2.1.43.11.1.1.6", 0, CAT_SUPPLIES },
	{ C_SUP_UNIT,	"1.3.6.1.2.1.43.11.1.1.7", 0, CAT_SUPPLIES },
	{ C_SUP_MAX,	"1.3.6.1.2.1.43.11.1.1.8", 0, CAT_SUPPLIES },
	{ C_SUP_LEVEL,	"1.3.6.1.2.1.43.11.1.1.9", 0, CAT_SUPPLIES },
	{ C_COLORANT,	"1.3.6.1.2.1.43.12.1.1.4", 0, CAT_SUPPLIES },
	{ C_MARK_UNIT,	"1.3.6.1.2.1.43.10.2.1.3", 0, CAT_METERS },
	{ C_MARK_LIFE,	"1.3.6.1.2.1.43.10.2.1.4", 0, CAT_METERS },
	{ C_ALERT_SEV,	"1.3.6.1.2.1.43.18.1.1.2", 0, CAT_ALERTS },
	{ C_ALERT_GROUP, "1.3.6.1.2.1.43.18.1.1.4", 0, CAT_ALERTS },
	{ C_ALERT_CODE,	"1.3.6.1.2.1.43.18.1.1.7", 0, CAT_ALERTS },
	{ C_ALERT_DESCR, "1.3.6.1.2.1.43.18.1.1.8", 0, CAT_ALERTS },
	{ C_ALERT_TIME,	"1.3.6.1.2.1.43.18.1.1.9", 0, CAT_ALERTS },
};
#define NSTD	(sizeof(std_cols) / sizeof(std_cols[0]))

static struct snmp_oid	 std_oid[C_STD_MAX];
static struct snmp_oid	 oid_enterprises;	/* 1.3.6.1.4.1 */
static struct snmp_oid	 oid_hrprinter;		/* hrDeviceType printer */
static struct snmp_oid	 oid_hrdevstatus, oid_hrdevdescr, oid_marklife;

void
device_init_oids(void)
{
	size_t	 i;

	for (i = 0; i < NSTD; i++)
		if (snmp_oid_parse(std_cols[i].oid, &std_oid[std_cols[i].id])
		    == -1)
			fatalx("bad built-in OID %s", std_cols[i].oid);
	if (snmp_oid_parse("1.3.6.1.4.1", &oid_enterprises) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.25.3.1.5", &oid_hrprinter) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.25.3.2.1.5", &oid_hrdevstatus) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.25.3.2.1.3", &oid_hrdevdescr) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.43.10.2.1.4", &oid_marklife) == -1)
		fatalx("bad built-in OID");
}

/* every phase-2 object of the largest profile fits in one get */
_Static_assert(WALK_MAX_COLS >= PROFILE_MAX_METERS + 3 * PROFILE_MAX_IDENT + 2,
    "WALK_MAX_COLS is below what a vendor profile may ask for");

/* a table row, by its index after the column */
struct rowkey {
	uint8_t		 len;
	uint32_t	 a[WALK_MAX_IDX];
};

struct row {
	struct rowkey	 k;
	int64_t		 v[6];		/* the table's integer columns */
	char		*s[2];		/* and its strings */
};

/* integer slots of each table's row */
enum { SUP_COLORANT, SUP_CLASS, SUP_TYPE, SUP_UNIT, SUP_MAX, SUP_LEVEL };
enum { MRK_UNIT, MRK_LIFE };
enum { ALR_SEV, ALR_GROUP, ALR_CODE, ALR_TIME };
enum { TBL_VALUE };

struct rowset {
	struct row	*r;
	size_t		 n, cap;
};

/* a scalar answer: the value and the instance it came from */
#define SKEY_MAX	6
struct scalar {
	int64_t		 i;		/* integers; octets: first two */
	char		*s;		/* cleaned strings, OIDs as text */
	uint32_t	 k[SKEY_MAX];	/* instance (first-instance objects) */
	uint8_t		 klen;
	uint8_t		 have;
	uint8_t		 type;
};

struct device {
	struct collectd		*cd;
	struct etarget		 t;
	int			 v3;		/* configured for SNMPv3 */
	int			 bulk;		/* BULK_* */
	int			 pending;	/* walks running */
	int			 phase2;	/* started: phase 1 answered */
	enum walk_status	 first_status;
	char			 partial[256];	/* what failed, if anything */
	uint32_t		 requests;
	const struct profile	*profile;
	const char		*vendor;
	uint32_t		 prt_index;	/* the printer's hrDeviceIndex */
	struct snmp_oid		*hr_i;		/* its hrDevice status, descr */
	struct scalar		 sc[C_STD_MAX];
	struct scalar		 hrdevstatus_i, hrdevdescr_i;
	/* the vendor profile's objects, sized by the profile */
	struct scalar		*vs;
	struct scalar		*vserial, *vmodel, *vfw, *vmeter;
	size_t			 nvs;
	struct rowset		 supplies, colorants, markers, alerts;
	struct rowset		 vtable[PROFILE_MAX_TABLES];
	struct walk		*w_main, *w_get, *w_tables;
};

static uint32_t
wanted(const struct device *d)
{
	return d->cd->conf->send;
}

static int
want(const struct device *d, int cat)
{
	return cat < 0 || (wanted(d) & CAT_BIT(cat)) != 0;
}

struct device *
device_new(struct collectd *cd, const struct sockaddr_storage *ss,
    socklen_t sslen, const struct snmp_target_opts *o, int discovered)
{
	struct device			*d;
	const struct collectd_conf	*c = cd->conf;
	const char			*comm;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("device_new");
	d->cd = cd;
	d->t.addr = *ss;
	d->t.addrlen = sslen;
	d->t.version = (o->version == SNMPV_1 || (o->version == SNMPV_DEFAULT
	    && c->snmp_version == SNMPV_1)) ? SNMP_V1 : SNMP_V2C;
	d->v3 = o->version == SNMPV_3 || o->user[0] != '\0' ||
	    (o->version == SNMPV_DEFAULT && c->snmp_version == SNMPV_3);
	comm = o->community[0] != '\0' ? o->community : c->snmp_community;
	(void)strlcpy(d->t.community, comm, sizeof(d->t.community));
	d->t.discovery = discovered;
	d->prt_index = 1;
	return d;
}

static void
rowset_free(struct rowset *rs)
{
	size_t	 i;

	for (i = 0; i < rs->n; i++) {
		free(rs->r[i].s[0]);
		free(rs->r[i].s[1]);
	}
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

static void
scalar_free(struct scalar *s)
{
	free(s->s);
	memset(s, 0, sizeof(*s));
}

void
device_free(struct device *d)
{
	size_t	 i;

	for (i = 0; i < C_STD_MAX; i++)
		scalar_free(&d->sc[i]);
	scalar_free(&d->hrdevstatus_i);
	scalar_free(&d->hrdevdescr_i);
	for (i = 0; i < d->nvs; i++)
		scalar_free(&d->vs[i]);
	free(d->vs);
	free(d->hr_i);
	if (d->w_main != NULL)
		walk_free(d->w_main);
	if (d->w_get != NULL)
		walk_free(d->w_get);
	if (d->w_tables != NULL)
		walk_free(d->w_tables);
	rowset_free(&d->supplies);
	rowset_free(&d->colorants);
	rowset_free(&d->markers);
	rowset_free(&d->alerts);
	for (i = 0; i < PROFILE_MAX_TABLES; i++)
		rowset_free(&d->vtable[i]);
	explicit_bzero(d->t.community, sizeof(d->t.community));
	free(d);
}

/* --- storing answers --- */

/* the cleaned string, cut (between characters) to fit max bytes */
static char *
clean_dup(const struct snmp_value *v, size_t max)
{
	char	 buf[REPORT_STR];
	char	*s;

	report_str_clean(v->s, v->slen, buf, max < sizeof(buf) ? max :
	    sizeof(buf));
	if ((s = strdup(buf)) == NULL)
		fatal(NULL);
	return s;
}

static int
value_int(const struct snmp_value *v, int64_t *out)
{
	switch (v->type) {
	case SNMP_T_INTEGER:
		*out = v->i;
		return 0;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
		*out = (int64_t)v->u;
		return 0;
	case SNMP_T_COUNTER64:
		if (v->u > INT64_MAX)
			return -1;
		*out = (int64_t)v->u;
		return 0;
	}
	return -1;
}

static void
scalar_set(struct scalar *s, const uint32_t *idx, size_t idxlen,
    const struct snmp_value *v)
{
	char	 buf[SNMP_OID_STRLEN];

	scalar_free(s);
	if (idxlen > SKEY_MAX)
		return;		/* no first instance is that deep */
	s->type = v->type;
	s->klen = (uint8_t)idxlen;
	if (idxlen > 0)
		memcpy(s->k, idx, idxlen * sizeof(*idx));
	if (v->type == SNMP_T_OCTETS || v->type == SNMP_T_OPAQUE) {
		s->s = clean_dup(v, REPORT_STR);
		/* BITS (hrPrinterDetectedErrorState) need the raw octets */
		s->i = (v->slen > 0 ? (int64_t)v->s[0] << 8 : 0) |
		    (v->slen > 1 ? v->s[1] : 0);
		s->have = 1;
	} else if (v->type == SNMP_T_OID) {
		if (snmp_oid_fmt(&v->oid, buf, sizeof(buf)) == -1)
			return;
		if ((s->s = strdup(buf)) == NULL)
			fatal(NULL);
		s->have = 1;
	} else if (value_int(v, &s->i) == 0)
		s->have = 1;
}

static struct row *
row_get(struct rowset *rs, const uint32_t *idx, size_t idxlen)
{
	struct row	*r;
	size_t		 i, j, ncap;

	/* answers of each column come in index order: look from the end */
	for (i = rs->n; i > 0; i--) {
		r = &rs->r[i - 1];
		if (r->k.len == idxlen &&
		    memcmp(r->k.a, idx, idxlen * sizeof(*idx)) == 0)
			return r;
	}
	if (rs->n >= WALK_MAX_ROWS)
		return NULL;
	if (rs->n == rs->cap) {
		ncap = rs->cap ? rs->cap * 2 : 8;
		if ((r = reallocarray(rs->r, ncap, sizeof(*r))) == NULL)
			fatal(NULL);
		rs->r = r;
		rs->cap = ncap;
	}
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->k.len = (uint8_t)idxlen;
	memcpy(r->k.a, idx, idxlen * sizeof(*idx));
	for (j = 0; j < sizeof(r->v) / sizeof(r->v[0]); j++)
		r->v[j] = REPORT_NONE;
	return r;
}

static void
row_int(struct rowset *rs, const uint32_t *idx, size_t idxlen, int slot,
    const struct snmp_value *v)
{
	struct row	*r;
	int64_t		 x;

	if (value_int(v, &x) == -1 || (r = row_get(rs, idx, idxlen)) == NULL)
		return;
	r->v[slot] = x;
}

static void
row_str(struct rowset *rs, const uint32_t *idx, size_t idxlen, int slot,
    const struct snmp_value *v, size_t max)
{
	struct row	*r;

	if (v->type != SNMP_T_OCTETS || (r = row_get(rs, idx, idxlen)) == NULL)
		return;
	free(r->s[slot]);
	r->s[slot] = clean_dup(v, max);
}

static void
on_row(void *arg, uint16_t col, const uint32_t *idx, size_t idxlen,
    const struct snmp_value *v)
{
	struct device	*d = arg;
	int		 k;

	if (col < C_STD_MAX) {
		switch (col) {
		case C_SUP_COLORANT:
			row_int(&d->supplies, idx, idxlen, SUP_COLORANT, v);
			return;
		case C_SUP_CLASS:
			row_int(&d->supplies, idx, idxlen, SUP_CLASS, v);
			return;
		case C_SUP_TYPE:
			row_int(&d->supplies, idx, idxlen, SUP_TYPE, v);
			return;
		case C_SUP_UNIT:
			row_int(&d->supplies, idx, idxlen, SUP_UNIT, v);
			return;
		case C_SUP_MAX:
			row_int(&d->supplies, idx, idxlen, SUP_MAX, v);
			return;
		case C_SUP_LEVEL:
			row_int(&d->supplies, idx, idxlen, SUP_LEVEL, v);
			return;
		case C_SUP_DESCR:
			row_str(&d->supplies, idx, idxlen, 0, v, REPORT_STR);
			return;
		case C_COLORANT:
			/* it goes into rpt_supply's color[REPORT_NAME] */
			row_str(&d->colorants, idx, idxlen, 0, v, REPORT_NAME);
			return;
		case C_MARK_UNIT:
			row_int(&d->markers, idx, idxlen, MRK_UNIT, v);
			return;
		case C_MARK_LIFE:
			row_int(&d->markers, idx, idxlen, MRK_LIFE, v);
			return;
		case C_ALERT_SEV:
			row_int(&d->alerts, idx, idxlen, ALR_SEV, v);
			return;
		case C_ALERT_GROUP:
			row_int(&d->alerts, idx, idxlen, ALR_GROUP, v);
			return;
		case C_ALERT_CODE:
			row_int(&d->alerts, idx, idxlen, ALR_CODE, v);
			return;
		case C_ALERT_TIME:
			row_int(&d->alerts, idx, idxlen, ALR_TIME, v);
			return;
		case C_ALERT_DESCR:
			row_str(&d->alerts, idx, idxlen, 0, v, REPORT_STR);
			return;
		default:
			scalar_set(&d->sc[col], idx, idxlen, v);
			return;
		}
	}
	if (col == C_HRDEVSTATUS_I || col == C_HRDEVDESCR_I) {
		/* an exact instance: the printer's own row */
		struct scalar	*sc = col == C_HRDEVSTATUS_I ?
		    &d->hrdevstatus_i : &d->hrdevdescr_i;

		scalar_set(sc, &d->prt_index, 1, v);
	} else if (d->vs == NULL)
		return;		/* no profile: nothing else was asked */
	else if (col >= C_V_SERIAL && col < C_V_SERIAL + PROFILE_MAX_IDENT)
		scalar_set(&d->vserial[col - C_V_SERIAL], idx, idxlen, v);
	else if (col >= C_V_MODEL && col < C_V_MODEL + PROFILE_MAX_IDENT)
		scalar_set(&d->vmodel[col - C_V_MODEL], idx, idxlen, v);
	else if (col >= C_V_FIRMWARE && col < C_V_FIRMWARE + PROFILE_MAX_IDENT)
		scalar_set(&d->vfw[col - C_V_FIRMWARE], idx, idxlen, v);
	else if (col >= C_V_METER && col < C_V_METER + PROFILE_MAX_METERS)
		scalar_set(&d->vmeter[col - C_V_METER], idx, idxlen, v);
	else if (col >= C_V_TABLE && col < C_V_TABLE + 2 * PROFILE_MAX_TABLES) {
		k = (col - C_V_TABLE) / 2;
		if ((col - C_V_TABLE) % 2 == 0)
			row_int(&d->vtable[k], idx, idxlen, TBL_VALUE, v);
		else
			row_str(&d->vtable[k], idx, idxlen, 0, v, REPORT_STR);
	}
}

/* --- the flow of a device --- */

static void	device_finish(struct device *);

static void
note_partial(struct device *d, const char *what, enum walk_status st,
    const char *why)
{
	size_t	 n = strlen(d->partial);

	(void)snprintf(d->partial + n, sizeof(d->partial) - n, "%s%s: %s",
	    n ? "; " : "", what, why ? why : walk_status_name(st));
}

static void
walk_ended(struct device *d)
{
	if (--d->pending == 0)
		device_finish(d);
}

static void
get_done(void *arg, enum walk_status st, const char *why)
{
	struct device	*d = arg;

	d->requests += d->w_get->requests;
	if (st != WALK_OK)
		note_partial(d, "vendor objects", st, why);
	walk_ended(d);
}

static void
tables_done(void *arg, enum walk_status st, const char *why)
{
	struct device	*d = arg;

	d->requests += d->w_tables->requests;
	if (st != WALK_OK)
		note_partial(d, "vendor meter tables", st, why);
	walk_ended(d);
}

/* evidence that the agent is a printer, or a profile that says so */
static int
is_printer(const struct device *d)
{
	const struct scalar	*t = &d->sc[C_HRDEVTYPE];
	struct snmp_oid		 o;

	if (d->profile != NULL || d->sc[C_HRPRTSTATUS].have ||
	    d->sc[C_PRTSERIAL].have || d->supplies.n > 0 ||
	    d->markers.n > 0 || d->sc[C_HRPRTERR].have)
		return 1;
	if (t->have && t->s != NULL && snmp_oid_parse(t->s, &o) == 0 &&
	    snmp_oid_cmp(&o, &oid_hrprinter) == 0)
		return 1;
	return 0;
}

/* the printer's hrDeviceIndex: from the printer tables, else 1 */
static void
find_printer_index(struct device *d)
{
	if (d->sc[C_HRPRTSTATUS].have && d->sc[C_HRPRTSTATUS].klen >= 1)
		d->prt_index = d->sc[C_HRPRTSTATUS].k[0];
	else if (d->sc[C_PRTSERIAL].have && d->sc[C_PRTSERIAL].klen >= 1)
		d->prt_index = d->sc[C_PRTSERIAL].k[0];
	else if (d->supplies.n > 0 && d->supplies.r[0].k.len >= 1)
		d->prt_index = d->supplies.r[0].k.a[0];
}

static int
str_empty(const char *s)
{
	if (s == NULL)
		return 1;
	while (*s == ' ')
		s++;
	return *s == '\0';
}

/*
 * A fleet repeats its models: the profile of a (sysObjectID, sysDescr)
 * pair is remembered until the profiles change (device_forget_profiles).
 */
#define MATCH_CACHE	256
struct match_entry {
	char			*key;		/* sysObjectID NUL sysDescr */
	size_t			 keylen;
	const struct profile	*p;
	const char		*vendor;
};
static struct match_entry		 match_cache[MATCH_CACHE];

/* the profiles are about to change: nothing remembered may stay */
void
device_forget_profiles(void)
{
	size_t	 i;

	for (i = 0; i < MATCH_CACHE; i++) {
		free(match_cache[i].key);
		memset(&match_cache[i], 0, sizeof(match_cache[i]));
	}
}

static const struct profile *
match_profile(const struct profile_set *set, const struct snmp_oid *soid,
    const char *oidtext, const char *descr, const char **vendor)
{
	struct match_entry	*e;
	char			 key[REPORT_OID + REPORT_STR];
	size_t			 ol = strlen(oidtext), dl = strlen(descr), i;
	uint32_t		 h = 2166136261U;

	if (ol + 1 + dl > sizeof(key))
		return profile_match(set, soid, descr, vendor);
	memcpy(key, oidtext, ol + 1);
	memcpy(key + ol + 1, descr, dl);
	for (i = 0; i < ol + 1 + dl; i++)
		h = (h ^ (uint8_t)key[i]) * 16777619U;
	e = &match_cache[h % MATCH_CACHE];
	if (e->key != NULL && e->keylen == ol + 1 + dl &&
	    memcmp(e->key, key, e->keylen) == 0) {
		*vendor = e->vendor;
		return e->p;
	}
	free(e->key);
	if ((e->key = malloc(ol + 1 + dl)) == NULL)
		fatal(NULL);
	memcpy(e->key, key, ol + 1 + dl);
	e->keylen = ol + 1 + dl;
	e->vendor = NULL;
	e->p = profile_match(set, soid, descr, &e->vendor);
	*vendor = e->vendor;
	return e->p;
}

/* after the first answer: vendor profile, then the gets and tables */
static void
start_phase2(struct device *d)
{
	const struct profile	*p;
	struct snmp_oid		 soid;
	size_t			 i;
	int			 nget = 0;

	d->phase2 = 1;
	if (!d->sc[C_SYSOBJECTID].have || d->sc[C_SYSOBJECTID].s == NULL ||
	    snmp_oid_parse(d->sc[C_SYSOBJECTID].s, &soid) == -1)
		soid.len = 0;
	p = NULL;
	if (d->cd->conf->profile_set != NULL)
		p = match_profile(d->cd->conf->profile_set, &soid,
		    soid.len ? d->sc[C_SYSOBJECTID].s : "",
		    d->sc[C_SYSDESCR].s ? d->sc[C_SYSDESCR].s : "", &d->vendor);
	d->profile = p;
	find_printer_index(d);
	if (!is_printer(d))
		return;

	/* the vendor's objects, sized by its profile */
	if (p != NULL) {
		d->nvs = p->nserial + p->nmodel + p->nfirmware + p->nmeter;
		if ((d->vs = calloc(d->nvs ? d->nvs : 1, sizeof(*d->vs))) ==
		    NULL)
			fatal(NULL);
		d->vserial = d->vs;
		d->vmodel = d->vserial + p->nserial;
		d->vfw = d->vmodel + p->nmodel;
		d->vmeter = d->vfw + p->nfirmware;
	}
	d->w_get = walk_new(WALK_GET, WALK_MAX_COLS, d->cd->eng, &d->t,
	    &d->bulk, on_row, get_done, d);
	/* the printer is not the first hrDevice row: ask for its own */
	if (d->sc[C_HRDEVTYPE].have && (d->sc[C_HRDEVTYPE].klen != 1 ||
	    d->sc[C_HRDEVTYPE].k[0] != d->prt_index)) {
		if ((d->hr_i = calloc(2, sizeof(*d->hr_i))) == NULL)
			fatal(NULL);
		d->hr_i[0] = oid_hrdevstatus;
		d->hr_i[1] = oid_hrdevdescr;
		(void)snmp_oid_append(&d->hr_i[0], d->prt_index);
		(void)snmp_oid_append(&d->hr_i[1], d->prt_index);
		if (want(d, CAT_ALERTS))
			nget += walk_add(d->w_get, C_HRDEVSTATUS_I,
			    &d->hr_i[0], 0) == 0;
		if (want(d, CAT_IDENTITY))
			nget += walk_add(d->w_get, C_HRDEVDESCR_I,
			    &d->hr_i[1], 0) == 0;
	}
	if (p != NULL) {
		if (want(d, CAT_IDENTITY)) {
			if (str_empty(d->sc[C_PRTSERIAL].s))
				for (i = 0; i < p->nserial; i++)
					nget += walk_add(d->w_get,
					    C_V_SERIAL + i, &p->serial[i], 0)
					    == 0;
			for (i = 0; i < p->nmodel; i++)
				nget += walk_add(d->w_get, C_V_MODEL + i,
				    &p->model[i], 0) == 0;
			for (i = 0; i < p->nfirmware; i++)
				nget += walk_add(d->w_get, C_V_FIRMWARE + i,
				    &p->firmware[i], 0) == 0;
		}
		if (want(d, CAT_METERS))
			for (i = 0; i < p->nmeter; i++)
				nget += walk_add(d->w_get, C_V_METER + i,
				    &p->meter[i].oid, 0) == 0;
	}
	if (nget > 0) {
		d->pending++;
		walk_start(d->w_get);
	} else {
		walk_free(d->w_get);
		d->w_get = NULL;
	}
	if (p != NULL && want(d, CAT_METERS) && p->ntable > 0) {
		d->w_tables = walk_new(WALK_COLUMNS, 2 * p->ntable,
		    d->cd->eng, &d->t, &d->bulk, on_row, tables_done, d);
		/* sized for them: these cannot fail */
		for (i = 0; i < p->ntable; i++) {
			(void)walk_add(d->w_tables, C_V_TABLE + 2 * i,
			    &p->table[i].values, 0);
			(void)walk_add(d->w_tables, C_V_TABLE + 2 * i + 1,
			    &p->table[i].names, 0);
		}
		d->pending++;
		walk_start(d->w_tables);
	}
}

static void
main_done(void *arg, enum walk_status st, const char *why)
{
	struct device	*d = arg;

	d->requests += d->w_main->requests;
	if (!d->phase2) {
		/* not a single answer */
		d->first_status = st;
		if (why != NULL)
			note_partial(d, "first request", st, why);
	} else if (st != WALK_OK)
		note_partial(d, "Printer-MIB tables", st, why);
	walk_ended(d);
}

/* after each answer of the main walk: the first one starts phase 2 */
static void
main_step(void *arg)
{
	struct device	*d = arg;

	if (!d->phase2)
		start_phase2(d);
}

void
device_start(struct device *d)
{
	size_t	 i;

	/*
	 * Never fall back to v2c for a device configured for v3: that would
	 * hand it a community it was never meant to see.
	 */
	if (d->v3) {
		d->first_status = WALK_ERROR;
		note_partial(d, "not polled", WALK_ERROR, "SNMPv3 is not "
		    "implemented yet");
		device_finish(d);
		return;
	}

	d->w_main = walk_new(WALK_COLUMNS, NSTD, d->cd->eng, &d->t,
	    &d->bulk, on_row, main_done, d);
	d->w_main->step = main_step;
	for (i = 0; i < NSTD; i++) {
		if (!want(d, std_cols[i].category))
			continue;
		if (walk_add(d->w_main, std_cols[i].id,
		    &std_oid[std_cols[i].id], std_cols[i].scalar) == -1)
			fatalx("too many columns");
	}
	d->pending = 1;
	walk_start(d->w_main);
}

/* --- the report --- */

static const char *
enum_text(const char *name, int64_t v, char *buf, size_t bufsz)
{
	if (name != NULL)
		return name;
	if (v == REPORT_NONE)
		return "";
	(void)snprintf(buf, bufsz, "%lld", (long long)v);
	return buf;
}

static void
fmt_index(const uint32_t *a, size_t len, char *buf, size_t bufsz)
{
	size_t	 i, o = 0;
	int	 n;

	buf[0] = '\0';
	for (i = 0; i < len; i++) {
		n = snprintf(buf + o, bufsz - o, "%s%u", i ? "." : "", a[i]);
		if (n < 0 || (size_t)n >= bufsz - o)
			break;
		o += (size_t)n;
	}
}

/* OID text of base + index (or + .0 style instance of a scalar) */
static void
fmt_source(const struct snmp_oid *base, const uint32_t *a, size_t len,
    char *buf, size_t bufsz)
{
	struct snmp_oid	 o;
	size_t		 i;

	snmp_oid_copy(&o, base);
	for (i = 0; i < len && o.len < SNMP_MAX_SUBIDS; i++)
		o.sub[o.len++] = a[i];
	if (snmp_oid_fmt(&o, buf, bufsz) == -1)
		buf[0] = '\0';
}

static void
copy_str(char *dst, size_t dstsz, const char *src)
{
	(void)strlcpy(dst, src ? src : "", dstsz);
}

static void
build_identity(struct device *d, struct rpt_device *r)
{
	const struct profile	*p = d->profile;
	const struct scalar	*s;
	struct snmp_oid		 soid;
	size_t			 i;

	copy_str(r->sysdescr, sizeof(r->sysdescr), d->sc[C_SYSDESCR].s);
	copy_str(r->sysobjectid, sizeof(r->sysobjectid),
	    d->sc[C_SYSOBJECTID].s);
	r->enterprise = REPORT_NONE;
	if (d->sc[C_SYSOBJECTID].s != NULL &&
	    snmp_oid_parse(d->sc[C_SYSOBJECTID].s, &soid) == 0 &&
	    soid.len > oid_enterprises.len &&
	    snmp_oid_is_prefix(&oid_enterprises, &soid))
		r->enterprise = soid.sub[oid_enterprises.len];
	copy_str(r->vendor, sizeof(r->vendor), d->vendor);
	if (p != NULL)
		copy_str(r->profile, sizeof(r->profile), p->name);

	/* serial: Printer-MIB first, then the vendor's */
	s = &d->sc[C_PRTSERIAL];
	if (s->have && !str_empty(s->s)) {
		copy_str(r->serial, sizeof(r->serial), s->s);
		fmt_source(&std_oid[C_PRTSERIAL], s->k, s->klen, r->serial_source,
		    sizeof(r->serial_source));
	} else if (p != NULL) {
		for (i = 0; i < p->nserial; i++) {
			s = &d->vserial[i];
			if (s->have && !str_empty(s->s)) {
				copy_str(r->serial, sizeof(r->serial), s->s);
				(void)snmp_oid_fmt(&p->serial[i],
				    r->serial_source, sizeof(r->serial_source));
				break;
			}
		}
	}
	/* model: the vendor's, else the printer's hrDeviceDescr, else sysDescr */
	r->model[0] = '\0';
	if (p != NULL) {
		for (i = 0; i < p->nmodel; i++) {
			s = &d->vmodel[i];
			if (s->have && !str_empty(s->s)) {
				copy_str(r->model, sizeof(r->model), s->s);
				(void)snmp_oid_fmt(&p->model[i],
				    r->model_source, sizeof(r->model_source));
				break;
			}
		}
	}
	if (r->model[0] == '\0') {
		s = &d->sc[C_HRDEVDESCR];
		if (d->hrdevdescr_i.have)
			s = &d->hrdevdescr_i;
		if (s->have && !str_empty(s->s) && s->klen == 1 &&
		    s->k[0] == d->prt_index) {
			copy_str(r->model, sizeof(r->model), s->s);
			fmt_source(&oid_hrdevdescr, s->k, s->klen, r->model_source,
			    sizeof(r->model_source));
		} else if (!str_empty(d->sc[C_SYSDESCR].s)) {
			copy_str(r->model, sizeof(r->model),
			    d->sc[C_SYSDESCR].s);
			fmt_source(&std_oid[C_SYSDESCR], d->sc[C_SYSDESCR].k,
			    d->sc[C_SYSDESCR].klen, r->model_source,
			    sizeof(r->model_source));
		}
	}
	if (p != NULL) {
		for (i = 0; i < p->nfirmware; i++) {
			s = &d->vfw[i];
			if (s->have && !str_empty(s->s)) {
				copy_str(r->firmware, sizeof(r->firmware),
				    s->s);
				(void)snmp_oid_fmt(&p->firmware[i],
				    r->firmware_source,
				    sizeof(r->firmware_source));
				break;
			}
		}
	}
}

/* status objects of the printer's own row */
static void
build_status(struct device *d, struct rpt_device *r)
{
	const struct scalar	*s;
	int			 n;

	r->uptime = d->sc[C_SYSUPTIME].have ? d->sc[C_SYSUPTIME].i :
	    REPORT_NONE;
	s = d->hrdevstatus_i.have ? &d->hrdevstatus_i : &d->sc[C_HRDEVSTATUS];
	r->device_status = s->have && s->s == NULL && (s->klen == 0 ||
	    (s->klen == 1 && s->k[0] == d->prt_index)) ? s->i : REPORT_NONE;
	s = &d->sc[C_HRPRTSTATUS];
	r->printer_status = s->have && s->s == NULL ? s->i : REPORT_NONE;
	/* BITS: bit n is bit 7 - n % 8 of octet n / 8 */
	r->errors = -1;
	s = &d->sc[C_HRPRTERR];
	if (s->have && s->type == SNMP_T_OCTETS && s->klen == 1 &&
	    s->k[0] == d->prt_index) {
		r->errors = 0;
		for (n = 0; n < PRT_ERR_BITS; n++)
			if ((s->i >> (15 - n)) & 1)
				r->errors |= 1 << n;
	}
}

/* meter names already sent for this device (a vendor table may repeat) */
struct names {
	char	(*n)[REPORT_NAME];
	size_t	 len, cap;
};

static int
names_add(struct names *ns, const char *name)
{
	void	*p;
	size_t	 i;

	for (i = 0; i < ns->len; i++)
		if (strcmp(ns->n[i], name) == 0)
			return -1;
	if (ns->len == ns->cap) {
		if ((p = reallocarray(ns->n, ns->cap ? ns->cap * 2 : 16,
		    sizeof(*ns->n))) == NULL)
			fatal(NULL);
		ns->n = p;
		ns->cap = ns->cap ? ns->cap * 2 : 16;
	}
	(void)strlcpy(ns->n[ns->len++], name, REPORT_NAME);
	return 0;
}

/* send a meter under a name no other meter of the device has */
static void
send_meter(struct device *d, struct names *ns, struct rpt_meter *m,
    const struct rowkey *k)
{
	char	 idx[32], name[REPORT_NAME];

	if (names_add(ns, m->name) == -1) {
		if (k == NULL)
			return;
		fmt_index(k->a, k->len, idx, sizeof(idx));
		(void)snprintf(name, sizeof(name), "%.30s.%s", m->name, idx);
		if (names_add(ns, name) == -1)
			return;
		(void)strlcpy(m->name, name, sizeof(m->name));
	}
	msg_dev_meter_send(&d->cd->auditd, m);
}

static void
build_meters(struct device *d)
{
	const struct profile	*p = d->profile;
	struct rpt_meter	 m;
	struct names		 ns = { NULL, 0, 0 };
	char			 text[REPORT_NAME];
	size_t			 i, k, nmark = 0;
	int			 vendor_total = 0;
	int64_t			 sum = 0;
	const char		*unit;

	if (p != NULL) {
		for (i = 0; i < p->nmeter; i++) {
			if (!d->vmeter[i].have || d->vmeter[i].s != NULL ||
			    d->vmeter[i].i < 0)
				continue;
			memset(&m, 0, sizeof(m));
			copy_str(m.name, sizeof(m.name), p->meter[i].name);
			copy_str(m.unit, sizeof(m.unit), p->meter[i].unit);
			m.value = d->vmeter[i].i;
			(void)snmp_oid_fmt(&p->meter[i].oid, m.source,
			    sizeof(m.source));
			if (strcmp(m.name, "total") == 0)
				vendor_total = 1;
			send_meter(d, &ns, &m, NULL);
		}
		for (k = 0; k < p->ntable; k++) {
			struct rowset	*rs = &d->vtable[k];

			for (i = 0; i < rs->n; i++) {
				struct row	*r = &rs->r[i];

				if (r->v[TBL_VALUE] == REPORT_NONE ||
				    r->v[TBL_VALUE] < 0 || r->s[0] == NULL)
					continue;
				memset(&m, 0, sizeof(m));
				profile_table_name(&p->table[k], r->s[0], text,
				    sizeof(text));
				copy_str(m.name, sizeof(m.name), text);
				copy_str(m.unit, sizeof(m.unit),
				    p->table[k].unit);
				m.value = r->v[TBL_VALUE];
				fmt_source(&p->table[k].values, r->k.a,
				    r->k.len, m.source, sizeof(m.source));
				if (strcmp(m.name, "total") == 0)
					vendor_total = 1;
				send_meter(d, &ns, &m, &r->k);
			}
		}
	}
	/* Printer-MIB marker life counts: the fallback "total" */
	for (i = 0; i < d->markers.n; i++)
		if (d->markers.r[i].v[MRK_LIFE] != REPORT_NONE &&
		    d->markers.r[i].v[MRK_LIFE] >= 0)
			nmark++;
	for (i = 0; i < d->markers.n; i++) {
		struct row	*r = &d->markers.r[i];
		char		 idx[32];

		if (r->v[MRK_LIFE] == REPORT_NONE || r->v[MRK_LIFE] < 0)
			continue;
		memset(&m, 0, sizeof(m));
		fmt_index(r->k.a, r->k.len, idx, sizeof(idx));
		if (nmark == 1 && !vendor_total)
			(void)strlcpy(m.name, "total", sizeof(m.name));
		else if (nmark == 1)
			(void)strlcpy(m.name, "lifecount", sizeof(m.name));
		else
			(void)snprintf(m.name, sizeof(m.name), "lifecount.%s",
			    idx);
		unit = prt_marker_unit_name(r->v[MRK_UNIT]);
		copy_str(m.unit, sizeof(m.unit), unit ? unit : "");
		m.value = r->v[MRK_LIFE];
		fmt_source(&oid_marklife, r->k.a, r->k.len, m.source, sizeof(m.source));
		sum += r->v[MRK_LIFE];
		send_meter(d, &ns, &m, &r->k);
	}
	if (nmark > 1 && !vendor_total) {
		memset(&m, 0, sizeof(m));
		(void)strlcpy(m.name, "total", sizeof(m.name));
		unit = prt_marker_unit_name(d->markers.r[0].v[MRK_UNIT]);
		copy_str(m.unit, sizeof(m.unit), unit ? unit : "");
		m.value = sum;
		(void)snmp_oid_fmt(&oid_marklife, m.source, sizeof(m.source));
		send_meter(d, &ns, &m, NULL);
	}
	free(ns.n);
}

static const char *
colorant_of(struct device *d, const struct row *sup)
{
	uint32_t	 key[2];
	size_t		 i;

	if (sup->v[SUP_COLORANT] == REPORT_NONE || sup->v[SUP_COLORANT] <= 0 ||
	    sup->k.len < 1)
		return NULL;
	key[0] = sup->k.a[0];
	key[1] = (uint32_t)sup->v[SUP_COLORANT];
	for (i = 0; i < d->colorants.n; i++) {
		const struct row	*c = &d->colorants.r[i];

		if (c->k.len == 2 && c->k.a[0] == key[0] && c->k.a[1] == key[1])
			return c->s[0];
	}
	return NULL;
}

static void
build_supplies(struct device *d)
{
	struct rpt_supply	 s;
	char			 num[24];
	size_t			 i;

	for (i = 0; i < d->supplies.n; i++) {
		struct row	*r = &d->supplies.r[i];

		memset(&s, 0, sizeof(s));
		fmt_index(r->k.a, r->k.len, s.index, sizeof(s.index));
		copy_str(s.description, sizeof(s.description), r->s[0]);
		copy_str(s.class, sizeof(s.class), enum_text(
		    prt_supply_class_name(r->v[SUP_CLASS]), r->v[SUP_CLASS],
		    num, sizeof(num)));
		copy_str(s.type, sizeof(s.type), enum_text(
		    prt_supply_type_name(r->v[SUP_TYPE]), r->v[SUP_TYPE], num,
		    sizeof(num)));
		copy_str(s.color, sizeof(s.color), colorant_of(d, r));
		copy_str(s.unit, sizeof(s.unit), enum_text(
		    prt_supply_unit_name(r->v[SUP_UNIT]), r->v[SUP_UNIT], num,
		    sizeof(num)));
		s.max = r->v[SUP_MAX];
		s.level = r->v[SUP_LEVEL];
		s.percent = report_percent(s.level, s.max);
		msg_dev_supply_send(&d->cd->auditd, &s);
	}
}

static void
build_alerts(struct device *d)
{
	struct rpt_alert	 a;
	char			 num[24];
	size_t			 i;

	for (i = 0; i < d->alerts.n; i++) {
		struct row	*r = &d->alerts.r[i];

		memset(&a, 0, sizeof(a));
		fmt_index(r->k.a, r->k.len, a.index, sizeof(a.index));
		copy_str(a.severity, sizeof(a.severity), enum_text(
		    prt_alert_severity_name(r->v[ALR_SEV]), r->v[ALR_SEV], num,
		    sizeof(num)));
		copy_str(a.group, sizeof(a.group), enum_text(
		    prt_alert_group_name(r->v[ALR_GROUP]), r->v[ALR_GROUP], num,
		    sizeof(num)));
		copy_str(a.code, sizeof(a.code), enum_text(
		    prt_alert_code_name(r->v[ALR_CODE]), r->v[ALR_CODE], num,
		    sizeof(num)));
		copy_str(a.description, sizeof(a.description), r->s[0]);
		a.time = r->v[ALR_TIME];
		msg_dev_alert_send(&d->cd->auditd, &a);
	}
}

static int
first_outcome(enum walk_status st)
{
	switch (st) {
	case WALK_TIMEOUT:
		return DEV_TIMEOUT;
	case WALK_REFUSED:
	case WALK_UNREACHABLE:
		return DEV_REFUSED;
	default:
		return DEV_ERROR;
	}
}

static void
device_finish(struct device *d)
{
	static struct rpt_device	 r;
	int				 outcome;

	memset(&r, 0, sizeof(r));
	(void)addr_fmt((const struct sockaddr *)&d->t.addr, r.address,
	    sizeof(r.address));
	r.collected = clock_now();
	r.requests = d->requests;
	r.enterprise = r.uptime = r.device_status = r.printer_status =
	    REPORT_NONE;
	r.errors = -1;
	if (!d->phase2) {	/* phase 1 never answered */
		outcome = first_outcome(d->first_status);
		if (outcome == DEV_TIMEOUT)
			(void)snprintf(r.reason, sizeof(r.reason), "no answer "
			    "after %u tries (agent down or filtered, or a "
			    "wrong community)", d->cd->conf->snmp_retries + 1);
		else if (d->first_status == WALK_REFUSED)
			(void)strlcpy(r.reason, "port unreachable: no SNMP "
			    "agent at this address", sizeof(r.reason));
		else if (d->first_status == WALK_UNREACHABLE)
			(void)strlcpy(r.reason, "address unreachable",
			    sizeof(r.reason));
		else
			copy_str(r.reason, sizeof(r.reason), d->partial);
	} else if (!is_printer(d)) {
		outcome = DEV_NOT_PRINTER;
		(void)snprintf(r.reason, sizeof(r.reason), "no Printer-MIB or "
		    "printer HOST-RESOURCES data, and no vendor profile for "
		    "sysObjectID %s", d->sc[C_SYSOBJECTID].s ?
		    d->sc[C_SYSOBJECTID].s : "(none)");
	} else if (d->partial[0] != '\0') {
		outcome = DEV_PARTIAL;
		copy_str(r.reason, sizeof(r.reason), d->partial);
	} else
		outcome = DEV_OK;
	r.outcome = (uint8_t)outcome;

	/* discovery reports printers only */
	if (d->t.discovery && outcome != DEV_OK && outcome != DEV_PARTIAL) {
		cycle_device_done(d->cd, d, 0, outcome);
		return;
	}
	if (d->phase2) {
		if (want(d, CAT_IDENTITY))
			build_identity(d, &r);
		if (want(d, CAT_PII)) {
			copy_str(r.sysname, sizeof(r.sysname),
			    d->sc[C_SYSNAME].s);
			copy_str(r.syscontact, sizeof(r.syscontact),
			    d->sc[C_SYSCONTACT].s);
			copy_str(r.syslocation, sizeof(r.syslocation),
			    d->sc[C_SYSLOCATION].s);
		}
		if (want(d, CAT_ALERTS) && outcome != DEV_NOT_PRINTER)
			build_status(d, &r);
	}
	msg_dev_begin_send(&d->cd->auditd, &r);
	if (outcome == DEV_OK || outcome == DEV_PARTIAL) {
		if (want(d, CAT_METERS))
			build_meters(d);
		if (want(d, CAT_SUPPLIES))
			build_supplies(d);
		if (want(d, CAT_ALERTS))
			build_alerts(d);
	}
	msg_dev_end_send(&d->cd->auditd);
	cycle_device_done(d->cd, d, 1, outcome);
}

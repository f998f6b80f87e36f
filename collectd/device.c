/*
 * Collecting one device.
 *
 * SNMPv3 first discovers the agent's engine (engine_probe), then goes on
 * as the other versions do.
 *
 * Phase 1, one request for most printers: GetBulk with the identity and
 * status objects as non-repeaters (their first instance) and the Printer-
 * MIB tables as repeating columns (supplies, colorants, markers, alerts).
 * The walk goes on by itself until every column has ended.
 *
 * Phase 2 starts after the first answer, in parallel with the rest of the
 * walk: knowing sysObjectID and sysDescr, the vendor profile gives the
 * exact OIDs to get (serial, model, firmware, device id, billing meters)
 * and value/name tables to walk; the printer's own hrDevice row is asked
 * for when it is not the first one.
 *
 * Every column, of either phase, is a row of a column table that says
 * where its answers go (struct col_dest): a scalar, a slot of a table's
 * row, or one of the profile's objects.  The answers are kept in struct
 * dev_data (build.h); build.c makes the report of them, and this file
 * sends it.
 *
 * A device that answered nothing: a device that answered in an earlier
 * cycle and then went silent gets one more request, with a longer
 * timeout, before it is reported as silent (printers in deep sleep take
 * seconds to wake up); an SNMPv3 device with privacy gets an authNoPriv
 * request, which tells a wrong privacy password (the agent drops what it
 * cannot decrypt, and says nothing) from an agent that is not there.
 *
 * Only the categories switched on are asked for, except sysDescr,
 * sysObjectID, hrDeviceType and prtGeneralSerialNumber, which recognise a
 * printer and its vendor; what is not switched on never leaves collectd
 * (build.c).
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
#include "jobseal.h"
#include "log.h"
#include "net.h"

/* where the answers of a column go */
enum col_kind {
	CD_SCALAR,	/* d->sc[idx], at the instance answered */
	CD_SCALAR_PRT,	/* d->sc[idx], an exact instance: the printer's */
	CD_VSCALAR,	/* d->vs[idx], an exact OID of the profile */
	CD_ROWINT,	/* integer slot of table idx */
	CD_ROWSTR,	/* string slot of table idx, cut to max bytes */
};

struct col_dest {
	uint8_t		 kind;
	uint8_t		 idx;
	uint8_t		 slot;
	uint16_t	 max;
};

/* jobmonMIB's jmJobEntry and jmAttributeEntry */
#define JM_JOB		"1.3.6.1.4.1.2699.1.1.1.3.1.1"
#define JM_ATTR		"1.3.6.1.4.1.2699.1.1.1.4.1.1"

/* the objects of phase 1 */
struct std_col {
	const char	*oid;
	int		 scalar;	/* non-repeater: first instance */
	uint32_t	 cats;		/* needed for one of them; 0: always */
	struct col_dest	 to;
};

#define SC(x)		{ CD_SCALAR, (x), 0, 0 }
#define RI(t, s)	{ CD_ROWINT, (t), (s), 0 }
#define RS(t, max)	{ CD_ROWSTR, (t), 0, (max) }
#define CB(c)		CAT_BIT(c)

static const struct std_col std_cols[] = {
	{ "1.3.6.1.2.1.1.1", 1, 0, SC(SC_SYSDESCR) },
	{ "1.3.6.1.2.1.1.2", 1, 0, SC(SC_SYSOBJECTID) },
	/* sysUpTime: the Job MIB's times are seconds since the boot */
	{ "1.3.6.1.2.1.1.3", 1, CB(CAT_ALERTS) | CB(CAT_JOB_DATA),
	    SC(SC_SYSUPTIME) },
	{ "1.3.6.1.2.1.1.4", 1, CB(CAT_PII), SC(SC_SYSCONTACT) },
	{ "1.3.6.1.2.1.1.5", 1, CB(CAT_PII), SC(SC_SYSNAME) },
	{ "1.3.6.1.2.1.1.6", 1, CB(CAT_PII), SC(SC_SYSLOCATION) },
	{ "1.3.6.1.2.1.25.3.2.1.2", 1, 0, SC(SC_HRDEVTYPE) },
	{ "1.3.6.1.2.1.25.3.2.1.3", 1, CB(CAT_IDENTITY), SC(SC_HRDEVDESCR) },
	{ "1.3.6.1.2.1.25.3.2.1.5", 1, CB(CAT_ALERTS), SC(SC_HRDEVSTATUS) },
	{ "1.3.6.1.2.1.25.3.5.1.1", 1, 0, SC(SC_HRPRTSTATUS) },
	{ "1.3.6.1.2.1.25.3.5.1.2", 1, CB(CAT_ALERTS), SC(SC_HRPRTERR) },
	{ "1.3.6.1.2.1.43.5.1.1.17", 1, 0, SC(SC_PRTSERIAL) },
	{ IDENTITY_OID_PPM_DEVID, 1, CB(CAT_IDENTITY), SC(SC_PPMDEVID) },
	{ "1.3.6.1.2.1.43.11.1.1.3", 0, CB(CAT_SUPPLIES),
	    RI(RS_SUPPLIES, SUP_COLORANT) },
	{ "1.3.6.1.2.1.43.11.1.1.4", 0, CB(CAT_SUPPLIES),
	    RI(RS_SUPPLIES, SUP_CLASS) },
	{ "1.3.6.1.2.1.43.11.1.1.5", 0, CB(CAT_SUPPLIES),
	    RI(RS_SUPPLIES, SUP_TYPE) },
	{ "1.3.6.1.2.1.43.11.1.1.6", 0, CB(CAT_SUPPLIES),
	    RS(RS_SUPPLIES, REPORT_STR) },
	{ "1.3.6.1.2.1.43.11.1.1.7", 0, CB(CAT_SUPPLIES),
	    RI(RS_SUPPLIES, SUP_UNIT) },
	{ "1.3.6.1.2.1.43.11.1.1.8", 0, CB(CAT_SUPPLIES),
	    RI(RS_SUPPLIES, SUP_MAX) },
	{ "1.3.6.1.2.1.43.11.1.1.9", 0, CB(CAT_SUPPLIES),
	    RI(RS_SUPPLIES, SUP_LEVEL) },
	/* it goes into rpt_supply's color[REPORT_NAME] */
	{ "1.3.6.1.2.1.43.12.1.1.4", 0, CB(CAT_SUPPLIES),
	    RS(RS_COLORANTS, REPORT_NAME) },
	{ "1.3.6.1.2.1.43.10.2.1.3", 0, CB(CAT_METERS),
	    RI(RS_MARKERS, MRK_UNIT) },
	{ "1.3.6.1.2.1.43.10.2.1.4", 0, CB(CAT_METERS),
	    RI(RS_MARKERS, MRK_LIFE) },
	{ "1.3.6.1.2.1.43.18.1.1.2", 0, CB(CAT_ALERTS),
	    RI(RS_ALERTS, ALR_SEV) },
	{ "1.3.6.1.2.1.43.18.1.1.4", 0, CB(CAT_ALERTS),
	    RI(RS_ALERTS, ALR_GROUP) },
	{ "1.3.6.1.2.1.43.18.1.1.7", 0, CB(CAT_ALERTS),
	    RI(RS_ALERTS, ALR_CODE) },
	{ "1.3.6.1.2.1.43.18.1.1.8", 0, CB(CAT_ALERTS),
	    RS(RS_ALERTS, REPORT_STR) },
	{ "1.3.6.1.2.1.43.18.1.1.9", 0, CB(CAT_ALERTS),
	    RI(RS_ALERTS, ALR_TIME) },
	/*
	 * The Job Monitoring MIB (RFC 2707, under the PWG's enterprise
	 * 2699), asked for with "send job-data yes" only: jmJobTable's
	 * state, octets, impressions and owner, jmAttributeTable's values
	 */
	{ JM_JOB ".2", 0, CB(CAT_JOB_DATA), RI(RS_JOBS, JOB_STATE) },
	{ JM_JOB ".6", 0, CB(CAT_JOB_DATA), RI(RS_JOBS, JOB_KOCTETS) },
	{ JM_JOB ".7", 0, CB(CAT_JOB_DATA), RI(RS_JOBS, JOB_IMPR_REQ) },
	{ JM_JOB ".8", 0, CB(CAT_JOB_DATA), RI(RS_JOBS, JOB_IMPR) },
	{ JM_JOB ".9", 0, CB(CAT_JOB_DATA), RS(RS_JOBS, JOB_STR_MAX) },
	{ JM_ATTR ".3", 0, CB(CAT_JOB_DATA), RI(RS_JOBATTRS, JATTR_INT) },
	{ JM_ATTR ".4", 0, CB(CAT_JOB_DATA), RS(RS_JOBATTRS, JOB_STR_MAX) },
};
#define NSTD	(sizeof(std_cols) / sizeof(std_cols[0]))

/* the printer's own hrDevice row, asked for in phase 2 */
static const struct {
	const char	*oid;
	int		 category;
	enum sc_id	 sc;
} prt_cols[] = {
	{ "1.3.6.1.2.1.25.3.2.1.2", -1, SC_P_HRDEVTYPE },
	{ "1.3.6.1.2.1.25.3.2.1.3", CAT_IDENTITY, SC_P_HRDEVDESCR },
	{ "1.3.6.1.2.1.25.3.2.1.5", CAT_ALERTS, SC_P_HRDEVSTATUS },
};
#define NPRT	(sizeof(prt_cols) / sizeof(prt_cols[0]))

/* every phase-2 object of the largest profile fits in one get */
_Static_assert(WALK_MAX_COLS >= NPRT + 4 * PROFILE_MAX_IDENT +
    PROFILE_MAX_METERS, "WALK_MAX_COLS is below what a profile may ask for");
_Static_assert(NSTD <= WALK_MAX_COLS, "too many phase-1 columns");
_Static_assert(BUILD_MAX_IDX == WALK_MAX_IDX, "row index sizes differ");
_Static_assert(BUILD_MAX_ROWS == WALK_MAX_ROWS, "row counts differ");

/* phase-2 columns: walk ids from P2_BASE, d->p2[id - P2_BASE] */
#define P2_BASE		NSTD
#define P2_MAX		(WALK_MAX_COLS + 2 * PROFILE_MAX_TABLES)

void
device_oids_init(struct device_oids *o)
{
	size_t	 i;

	if (NSTD > DEVICE_MAX_STD || NPRT > DEVICE_MAX_PRT)
		fatalx("device_oids: tables too large");
	for (i = 0; i < NSTD; i++)
		if (snmp_oid_parse(std_cols[i].oid, &o->std[i]) == -1)
			fatalx("bad built-in OID %s", std_cols[i].oid);
	for (i = 0; i < NPRT; i++)
		if (snmp_oid_parse(prt_cols[i].oid, &o->prt[i]) == -1)
			fatalx("bad built-in OID %s", prt_cols[i].oid);
	if (snmp_oid_parse("1.3.6.1.2.1.1.3.0", &o->sysuptime0) == -1)
		fatalx("bad built-in OID");
	build_oids_init(&o->build);
}

/* what only an SNMPv3 device has */
struct dev_v3 {
	struct etarget_v3	 t;
	char			 auth[128];	/* why it was refused ("-": the
						   authNoPriv request is out) */
	char			 note[160];	/* worth saying, not a failure */
};

struct device {
	struct collectd		*cd;
	struct etarget		 t;
	struct dev_v3		*v3;		/* configured for SNMPv3 */
	const struct collectd_user *user;	/* its user */
	const char		*v3_missing;	/* its user is not known */
	int			 bulk;		/* BULK_* */
	int			 pending;	/* walks running */
	int			 phase2;	/* started: phase 1 answered */
	int			 woken;		/* longer wait tried */
	int			 longwait;	/* it may need one */
	int			 slot;		/* configured: its number */
	enum walk_status	 first_status;
	char			 partial[256];	/* what failed, if anything */
	uint32_t		 requests;
	struct dev_data		 data;
	struct snmp_oid		*prt_oid;	/* NPRT, at the printer's index */
	struct col_dest		 p2[P2_MAX];
	size_t			 np2;
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

/* a phase-1 object: always (0), or for one of the categories */
static int
want_std(const struct device *d, uint32_t cats)
{
	return cats == 0 || (wanted(d) & cats) != 0;
}

struct device *
device_new(struct collectd *cd, const struct sockaddr_storage *ss,
    socklen_t sslen, const struct snmp_target_opts *o, int discovered,
    int slot)
{
	struct device			*d;
	const struct collectd_conf	*c = cd->conf;
	const struct collectd_user	*u;
	const char			*comm, *uname;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("device_new");
	d->cd = cd;
	d->t.addr = *ss;
	d->t.addrlen = sslen;
	d->t.discovery = discovered;
	if (o->version == SNMPV_3 || o->user[0] != '\0' ||
	    (o->version == SNMPV_DEFAULT && c->snmp_version == SNMPV_3)) {
		if ((d->v3 = calloc(1, sizeof(*d->v3))) == NULL)
			fatal(NULL);
		d->t.version = SNMP_V3;
		uname = o->user;
		d->t.v3 = &d->v3->t;
		if ((u = collectd_conf_user(c, uname)) == NULL)
			d->v3_missing = "no such SNMPv3 user";
		else {
			d->user = u;
			d->v3->t.user = &u->usm;
			if (usm_agent_init(&d->v3->t.agent, arc4random() |
			    (uint64_t)arc4random() << 32, u->context) == -1)
				d->v3_missing = "context name too long";
		}
	} else {
		d->t.version = (o->version == SNMPV_1 ||
		    (o->version == SNMPV_DEFAULT &&
		    c->snmp_version == SNMPV_1)) ? SNMP_V1 : SNMP_V2C;
		comm = o->community[0] != '\0' ? o->community :
		    c->snmp_community;
		(void)strlcpy(d->t.community, comm, sizeof(d->t.community));
	}
	d->data.prt_index = 1;
	d->slot = slot;
	d->longwait = collectd_asleep(cd, slot, &d->t.addr);
	return d;
}

void
device_free(struct device *d)
{
	if (d->w_main != NULL)
		walk_free(d->w_main);
	if (d->w_get != NULL)
		walk_free(d->w_get);
	if (d->w_tables != NULL)
		walk_free(d->w_tables);
	dev_data_free(&d->data);
	free(d->prt_oid);
	explicit_bzero(d->t.community, sizeof(d->t.community));
	if (d->v3 != NULL) {
		usm_agent_clear(&d->v3->t.agent);
		free(d->v3);
	}
	free(d);
}

/* --- storing answers --- */

static void
store(struct device *d, const struct col_dest *to, const uint32_t *idx,
    size_t idxlen, const struct snmp_value *v)
{
	struct dev_data	*dd = &d->data;

	switch (to->kind) {
	case CD_SCALAR:
		scalar_set(&dd->sc[to->idx], idx, idxlen, v);
		break;
	case CD_SCALAR_PRT:
		scalar_set(&dd->sc[to->idx], &dd->prt_index, 1, v);
		break;
	case CD_VSCALAR:
		if (to->idx < dd->nvs)
			scalar_set(&dd->vs[to->idx], idx, idxlen, v);
		break;
	case CD_ROWINT:
		row_int(&dd->rs[to->idx], idx, idxlen, to->slot, v);
		break;
	case CD_ROWSTR:
		row_str(&dd->rs[to->idx], idx, idxlen, to->slot, v, to->max);
		break;
	}
}

static void
on_row(void *arg, uint16_t col, const uint32_t *idx, size_t idxlen,
    const struct snmp_value *v)
{
	struct device	*d = arg;

	if (col < P2_BASE)
		store(d, &std_cols[col].to, idx, idxlen, v);
	else if (col - P2_BASE < d->np2)
		store(d, &d->p2[col - P2_BASE], idx, idxlen, v);
}

/* a phase-2 column: its walk id, or -1 when there is no room left */
static int
p2_col(struct device *d, enum col_kind kind, size_t idx, int slot,
    size_t max)
{
	struct col_dest	*c;

	if (d->np2 >= P2_MAX || idx > UINT8_MAX)
		return -1;
	c = &d->p2[d->np2];
	c->kind = kind;
	c->idx = (uint8_t)idx;
	c->slot = (uint8_t)slot;
	c->max = (uint16_t)max;
	return (int)(P2_BASE + d->np2++);
}

/* --- the flow of a device --- */

static void	device_finish(struct device *);
static void	start_main(struct device *);

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

/* the gets of phase 2; the number of columns added */
static int
add_gets(struct device *d, const struct profile *p)
{
	const struct device_oids	*o = &d->cd->oids;
	size_t				 i, k, base;
	int				 id, n = 0;
	/* the printer is not the first hrDevice row: ask for its own */
	if (d->data.sc[SC_HRDEVTYPE].have &&
	    (d->data.sc[SC_HRDEVTYPE].klen != 1 ||
	    d->data.sc[SC_HRDEVTYPE].k[0] != d->data.prt_index)) {
		if ((d->prt_oid = calloc(NPRT, sizeof(*d->prt_oid))) == NULL)
			fatal(NULL);
		for (i = 0; i < NPRT; i++) {
			if (!want(d, prt_cols[i].category))
				continue;
			snmp_oid_copy(&d->prt_oid[i], &o->prt[i]);
			if (snmp_oid_append(&d->prt_oid[i],
			    d->data.prt_index) == -1 ||
			    (id = p2_col(d, CD_SCALAR_PRT, prt_cols[i].sc, 0,
			    0)) == -1)
				continue;
			n += walk_add(d->w_get, (uint16_t)id, &d->prt_oid[i],
			    0) == 0;
		}
	}
	if (p == NULL)
		return n;
	/*
	 * The profile's objects, in dev_data's order (d->vs[base + i]):
	 * serial, model, firmware, device id, meters.  The serial tells
	 * printers apart (one printer on two addresses): always asked for,
	 * even when prtGeneralSerialNumber answered (it may say "unknown").
	 */
	{
		const struct {
			const struct snmp_oid	*oids;
			size_t			 n;
			int			 category;
		} obj[] = {
			{ p->serial, p->nserial, -1 },
			{ p->model, p->nmodel, CAT_IDENTITY },
			{ p->firmware, p->nfirmware, CAT_IDENTITY },
			{ p->devid, p->ndevid, CAT_IDENTITY },
		};

		base = 0;
		for (k = 0; k < sizeof(obj) / sizeof(obj[0]); k++) {
			for (i = 0; i < obj[k].n && want(d, obj[k].category);
			    i++)
				if ((id = p2_col(d, CD_VSCALAR, base + i, 0,
				    0)) != -1)
					n += walk_add(d->w_get, (uint16_t)id,
					    &obj[k].oids[i], 0) == 0;
			base += obj[k].n;
		}
	}
	for (i = 0; i < p->nmeter && want(d, CAT_METERS); i++)
		if ((id = p2_col(d, CD_VSCALAR, base + i, 0, 0)) != -1)
			n += walk_add(d->w_get, (uint16_t)id, &p->meter[i].oid,
			    0) == 0;
	return n;
}

/* the profile's meter tables: value and name columns */
static void
start_tables(struct device *d, const struct profile *p)
{
	size_t	 i;
	int	 a, b;

	if (p == NULL || !want(d, CAT_METERS) || p->ntable == 0)
		return;
	d->w_tables = walk_new(WALK_COLUMNS, 2 * p->ntable, d->cd->eng,
	    &d->t, &d->bulk, on_row, tables_done, d);
	d->w_tables->flags = d->w_main->flags;
	for (i = 0; i < p->ntable && i < PROFILE_MAX_TABLES; i++) {
		if ((a = p2_col(d, CD_ROWINT, RS_VTABLE + i, TBL_VALUE, 0)) ==
		    -1 ||
		    (b = p2_col(d, CD_ROWSTR, RS_VTABLE + i, 0, REPORT_STR)) ==
		    -1)
			fatalx("phase-2 columns: no room for the tables");
		/* sized for them: these cannot fail */
		(void)walk_add(d->w_tables, (uint16_t)a, &p->table[i].values,
		    0);
		(void)walk_add(d->w_tables, (uint16_t)b, &p->table[i].names,
		    0);
	}
	d->pending++;
	walk_start(d->w_tables);
}

/* after the first answer: vendor profile, then the gets and tables */
static void
start_phase2(struct device *d)
{
	const struct profile	*p;
	const char		*vendor = NULL;
	size_t			 n;

	d->phase2 = 1;
	p = collectd_match_profile(d->cd, &d->data.sc[SC_SYSOBJECTID],
	    &d->data.sc[SC_SYSDESCR], &vendor);
	dev_data_init(&d->data, p, vendor);
	dev_find_printer_index(&d->data);
	/*
	 * Not (yet) seen to be a printer: maybe its own hrDevice row, not
	 * the first, is a printer's (the HOST-RESOURCES printer table
	 * answered): phase 2 asks for that row and tells.
	 */
	if (dev_printer(&d->data) == IDP_NOT &&
	    !d->data.sc[SC_HRPRTSTATUS].have)
		return;

	/* sized for what it may get: a fleet has thousands of them */
	n = NPRT + (p != NULL ? p->nserial + p->nmodel + p->nfirmware +
	    p->ndevid + p->nmeter : 0);
	d->w_get = walk_new(WALK_GET, n < WALK_MAX_COLS ? n : WALK_MAX_COLS,
	    d->cd->eng, &d->t, &d->bulk, on_row, get_done, d);
	d->w_get->flags = d->w_main->flags;
	if (add_gets(d, p) > 0) {
		d->pending++;
		walk_start(d->w_get);
	} else {
		walk_free(d->w_get);
		d->w_get = NULL;
	}
	start_tables(d, p);
}

static int	retry_silent(struct device *);

/* SNMPv3 with privacy, silent: is it the privacy password? */
static void
diag_done(void *arg, enum ereq_status st, const struct snmp_msg *m)
{
	struct device	*d = arg;

	d->requests++;
	if (st == EREQ_OK)
		(void)snprintf(d->v3->auth, sizeof(d->v3->auth), "wrong "
		    "privacy password (the agent answers authNoPriv requests "
		    "of the user, and drops its encrypted ones)");
	else if (st == EREQ_AUTH)
		(void)snprintf(d->v3->auth, sizeof(d->v3->auth),
		    "authentication failed: %s",
		    usm_status_name(d->v3->t.last));
	else if (retry_silent(d))
		return;		/* silent: asleep, maybe */
	device_finish(d);
}

/* nothing answered: one more chance, or the end */
static int
retry_silent(struct device *d)
{
	const struct device_oids	*o = &d->cd->oids;

	if (d->first_status != WALK_TIMEOUT)
		return 0;
	if (d->v3 != NULL && d->v3->t.user->priv != USM_PRIV_NONE &&
	    d->v3->t.agent.engineid_len > 0 && d->v3->auth[0] == '\0') {
		/* no walk left: the answer ends the device (diag_done) */
		if (engine_request(d->cd->eng, &d->t, SNMP_PDU_GET, 0, 0,
		    &o->sysuptime0, 1, ENGINE_NOPRIV | ENGINE_NORETRY,
		    diag_done, d) == 0) {
			(void)strlcpy(d->v3->auth, "-", sizeof(d->v3->auth));
			d->pending = 0;
			return 1;
		}
	}
	if (d->longwait && !d->woken) {
		/* called by the walk's done callback: it may be freed */
		d->woken = 1;
		walk_free(d->w_main);
		d->w_main = NULL;
		d->partial[0] = '\0';
		start_main(d);		/* d->pending = 1 again */
		return 1;
	}
	return 0;
}

static void
main_done(void *arg, enum walk_status st, const char *why)
{
	struct device	*d = arg;

	d->requests += d->w_main->requests;
	if (!d->phase2) {
		/* not a single answer */
		d->first_status = st;
		if (st == WALK_AUTH && why != NULL && d->v3 != NULL)
			(void)strlcpy(d->v3->auth, why, sizeof(d->v3->auth));
		else if (why != NULL)
			note_partial(d, "first request", st, why);
		/* the main walk is the only one: phase 2 never started */
		if (d->pending == 1 && retry_silent(d))
			return;
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

static void
start_main(struct device *d)
{
	const struct device_oids	*o = &d->cd->oids;
	size_t				 i;

	d->w_main = walk_new(WALK_COLUMNS, NSTD, d->cd->eng, &d->t,
	    &d->bulk, on_row, main_done, d);
	d->w_main->step = main_step;
	if (d->woken)
		d->w_main->flags |= ENGINE_LONGWAIT;
	for (i = 0; i < NSTD; i++) {
		if (!want_std(d, std_cols[i].cats))
			continue;
		if (walk_add(d->w_main, (uint16_t)i, &o->std[i],
		    std_cols[i].scalar) == -1)
			fatalx("too many columns");
	}
	d->pending = 1;
	walk_start(d->w_main);
}

/* SNMPv3: the agent's engine is known, or why not */
static void
probe_done(void *arg, enum ereq_status st, const struct snmp_msg *m)
{
	struct device	*d = arg;

	d->requests++;
	switch (st) {
	case EREQ_OK:
		start_main(d);
		return;
	case EREQ_TIMEOUT:
		d->first_status = WALK_TIMEOUT;
		if (d->longwait && !d->woken) {
			d->woken = 1;
			if (engine_probe(d->cd->eng, &d->t, ENGINE_LONGWAIT,
			    probe_done, d) == 0)
				return;
		}
		break;
	case EREQ_REFUSED:
		d->first_status = WALK_REFUSED;
		break;
	case EREQ_UNREACHABLE:
		d->first_status = WALK_UNREACHABLE;
		break;
	case EREQ_AUTH:
		d->first_status = WALK_AUTH;
		(void)snprintf(d->v3->auth, sizeof(d->v3->auth),
		    "authentication failed: %s",
		    usm_status_name(d->v3->t.last));
		break;
	case EREQ_REPORT:
		d->first_status = WALK_ERROR;
		note_partial(d, "engine discovery", WALK_ERROR,
		    usm_status_name(d->v3->t.last));
		break;
	}
	device_finish(d);
}

/* each use of a weak algorithm is said */
static void
warn_weak(const struct device *d)
{
	char	 addr[REPORT_NAME];

	const struct usm_user	*u = d->v3->t.user;

	if (!usm_auth_weak(u->auth) && !usm_priv_weak(u->priv))
		return;
	(void)addr_fmt((const struct sockaddr *)&d->t.addr, addr,
	    sizeof(addr));
	log_warnx("%s: SNMPv3 user \"%s\" uses weak %s%s%s (allowed by "
	    "\"allow weak\")", addr, d->user->name,
	    usm_auth_weak(u->auth) ? "MD5 authentication" : "",
	    usm_auth_weak(u->auth) && usm_priv_weak(u->priv) ? " and " : "",
	    usm_priv_weak(u->priv) ? "DES privacy" : "");
}

void
device_start(struct device *d)
{
	if (d->v3) {
		if (d->v3_missing == NULL)
			warn_weak(d);
		if (d->v3_missing != NULL) {
			d->first_status = WALK_ERROR;
			note_partial(d, "not polled", WALK_ERROR,
			    d->v3_missing);
			device_finish(d);
			return;
		}
		if (engine_probe(d->cd->eng, &d->t, 0, probe_done, d) == -1) {
			d->first_status = WALK_ERROR;
			note_partial(d, "not polled", WALK_ERROR,
			    "cannot encode the discovery probe");
			device_finish(d);
		}
		return;
	}
	start_main(d);
}

/* --- the report --- */

static int
first_outcome(const struct device *d)
{
	if (d->v3 != NULL && d->v3->auth[0] != '\0' &&
	    strcmp(d->v3->auth, "-") != 0)
		return DEV_AUTH_FAILURE;
	switch (d->first_status) {
	case WALK_TIMEOUT:
		return DEV_TIMEOUT;
	case WALK_REFUSED:
	case WALK_UNREACHABLE:
		return DEV_REFUSED;
	case WALK_AUTH:
		return DEV_AUTH_FAILURE;
	default:
		return DEV_ERROR;
	}
}

/* the outcome and reason of a device that never answered */
static int
silent_outcome(const struct device *d, struct rpt_device *r)
{
	int	 outcome = first_outcome(d);

	if (outcome == DEV_AUTH_FAILURE && d->v3 != NULL)
		(void)strlcpy(r->reason, d->v3->auth, sizeof(r->reason));
	else if (outcome == DEV_TIMEOUT)
		(void)snprintf(r->reason, sizeof(r->reason), "no answer "
		    "after %u tries%s (agent down or filtered, or a wrong %s)",
		    d->cd->conf->snmp_retries + 1, d->woken ? " and one "
		    "longer wait" : "", d->v3 ? "user or engine" :
		    "community");
	else if (d->first_status == WALK_REFUSED)
		(void)strlcpy(r->reason, "port unreachable: no SNMP agent at "
		    "this address", sizeof(r->reason));
	else if (d->first_status == WALK_UNREACHABLE)
		(void)strlcpy(r->reason, "address unreachable",
		    sizeof(r->reason));
	else
		(void)strlcpy(r->reason, d->partial, sizeof(r->reason));
	return outcome;
}

/* job data: its plaintext built and sealed to the job-data key */
static void
device_jobs(struct device *d, struct dev_report *rep)
{
	const struct collectd_conf	*c = d->cd->conf;
	char				 err[256];

	if (!c->have_jobkey || build_jobs(&d->data, rep->dev.collected,
	    &rep->jobs_plain) == -1)
		return;
	if (jobseal_seal(c->jobkey, JOBSEAL_AES256GCM, rep->jobs_plain.data,
	    rep->jobs_plain.len, &rep->jobs_sealed, err, sizeof(err)) == -1) {
		log_warnx("%s: job data not sealed, not sent: %s",
		    rep->dev.address, err);
		return;
	}
	rep->have_jobs = 1;
}

static void
device_finish(struct device *d)
{
	struct collectd		*cd = d->cd;
	struct dev_report	*rep = &cd->report;
	struct rpt_device	*r = &rep->dev;
	struct snmp_oid		 soid;
	char			 oidtext[SNMP_OID_STRLEN];
	int			 outcome;

	dev_report_reset(rep);
	(void)addr_fmt((const struct sockaddr *)&d->t.addr, r->address,
	    sizeof(r->address));
	r->collected = clock_now();
	r->requests = d->requests;
	r->waited = d->woken;
	if (!d->phase2)		/* phase 1 never answered */
		outcome = silent_outcome(d, r);
	else if (dev_printer(&d->data) == IDP_NOT) {
		outcome = DEV_NOT_PRINTER;
		if (scalar_oid(&d->data.sc[SC_SYSOBJECTID], &soid) == -1 ||
		    snmp_oid_fmt(&soid, oidtext, sizeof(oidtext)) == -1)
			(void)strlcpy(oidtext, "(none)", sizeof(oidtext));
		(void)snprintf(r->reason, sizeof(r->reason), "no Printer-MIB "
		    "or printer HOST-RESOURCES data, and no vendor profile "
		    "claims sysObjectID %.512s", oidtext);
	} else if (d->partial[0] != '\0') {
		outcome = DEV_PARTIAL;
		(void)strlcpy(r->reason, d->partial, sizeof(r->reason));
	} else
		outcome = DEV_OK;
	r->outcome = (uint8_t)outcome;
	collectd_device_answered(cd, d->slot, &d->t.addr, d->phase2, outcome);
	if (d->t.discovery)
		cycle_discovered(cd, d->phase2);

	/* discovery reports printers only */
	if (d->t.discovery && outcome != DEV_OK && outcome != DEV_PARTIAL) {
		cycle_device_done(cd, d, 1, 0, outcome);
		return;
	}
	if (d->phase2) {
		build_report(&d->data, &cd->oids.build, wanted(d), rep);
		if ((outcome == DEV_OK || outcome == DEV_PARTIAL) &&
		    want(d, CAT_JOB_DATA))
			device_jobs(d, rep);
		if (d->v3 != NULL)
			collectd_engine_seen(cd, &d->t.addr,
			    d->v3->t.agent.engineid,
			    d->v3->t.agent.engineid_len, rep->id.serial.text,
			    d->v3->note, sizeof(d->v3->note));
	}
	if (d->v3 != NULL && d->v3->note[0] != '\0')
		(void)snprintf(r->reason + strlen(r->reason),
		    sizeof(r->reason) - strlen(r->reason), "%s%s",
		    r->reason[0] != '\0' ? "; " : "", d->v3->note);
	if (collectd_duplicate(cd, &d->t.addr, d->t.discovery, rep)) {
		cycle_device_done(cd, d, 1, 0, DEV_OUTCOME_MAX);
		return;
	}
	collectd_send_report(cd, rep);
	cycle_device_done(cd, d, d->t.discovery, 1, outcome);
}

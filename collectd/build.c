/*
 * A device's report from its answers: see build.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "category.h"
#include "log.h"

void
build_oids_init(struct build_oids *o)
{
	if (snmp_oid_parse("1.3.6.1.2.1.1.1", &o->sysdescr) == -1 ||
	    snmp_oid_parse("1.3.6.1.4.1", &o->enterprises) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.43.5.1.1.17", &o->prtserial) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.25.3.2.1.3", &o->hrdevdescr) == -1 ||
	    snmp_oid_parse(IDENTITY_OID_PPM_DEVID, &o->ppmdevid) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.43.10.2.1.4", &o->marklife) == -1)
		fatalx("bad built-in OID");
}

/* --- the answers --- */

void
dev_data_init(struct dev_data *d, const struct profile *p,
    const char *vendor)
{
	d->profile = p;
	d->vendor = vendor;
	if (p == NULL)
		return;
	d->nvs = p->nserial + p->nmodel + p->nfirmware + p->ndevid +
	    p->nmeter;
	if ((d->vs = calloc(d->nvs ? d->nvs : 1, sizeof(*d->vs))) == NULL)
		fatal(NULL);
	d->vserial = d->vs;
	d->vmodel = d->vserial + p->nserial;
	d->vfw = d->vmodel + p->nmodel;
	d->vdevid = d->vfw + p->nfirmware;
	d->vmeter = d->vdevid + p->ndevid;
}

static void
scalar_free(struct scalar *s)
{
	free(s->s);
	memset(s, 0, sizeof(*s));
}

int
scalar_oid(const struct scalar *s, struct snmp_oid *o)
{
	if (s == NULL || !s->have || s->type != SNMP_T_OID || s->s == NULL ||
	    s->slen == 0 || s->slen > SNMP_MAX_SUBIDS)
		return -1;
	memcpy(o->sub, s->s, s->slen * sizeof(o->sub[0]));
	o->len = (uint32_t)s->slen;
	return 0;
}

static void
rowset_free(struct rowset *rs)
{
	size_t	 i, j;

	for (i = 0; i < rs->n; i++)
		for (j = 0; j < ROW_NSTR; j++)
			free(rs->r[i].s[j]);
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

void
dev_data_free(struct dev_data *d)
{
	size_t	 i;

	for (i = 0; i < SC_MAX; i++)
		scalar_free(&d->sc[i]);
	for (i = 0; i < d->nvs; i++)
		scalar_free(&d->vs[i]);
	free(d->vs);
	for (i = 0; i < RS_MAX; i++)
		rowset_free(&d->rs[i]);
	memset(d, 0, sizeof(*d));
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

void
scalar_set(struct scalar *s, const uint32_t *idx, size_t idxlen,
    const struct snmp_value *v)
{
	size_t	 n;

	scalar_free(s);
	if (idxlen > SKEY_MAX)
		return;		/* no first instance is that deep */
	s->type = v->type;
	s->klen = (uint8_t)idxlen;
	if (idxlen > 0)
		memcpy(s->k, idx, idxlen * sizeof(*idx));
	if (v->type == SNMP_T_OCTETS || v->type == SNMP_T_OPAQUE) {
		n = v->slen < SCALAR_RAW_MAX ? v->slen : SCALAR_RAW_MAX;
		if ((s->s = malloc(n ? n : 1)) == NULL)
			fatal(NULL);
		if (n > 0)
			memcpy(s->s, v->s, n);
		s->slen = n;
		/* BITS (hrPrinterDetectedErrorState) need the raw octets */
		s->i = (v->slen > 0 ? (int64_t)v->s[0] << 8 : 0) |
		    (v->slen > 1 ? v->s[1] : 0);
		s->have = 1;
	} else if (v->type == SNMP_T_OID) {
		if (v->oid.len == 0 || v->oid.len > SNMP_MAX_SUBIDS)
			return;
		if ((s->s = reallocarray(NULL, v->oid.len,
		    sizeof(v->oid.sub[0]))) == NULL)
			fatal(NULL);
		memcpy(s->s, v->oid.sub, v->oid.len * sizeof(v->oid.sub[0]));
		s->slen = v->oid.len;
		s->have = 1;
	} else if (value_int(v, &s->i) == 0)
		s->have = 1;
}

static struct row *
row_get(struct rowset *rs, const uint32_t *idx, size_t idxlen)
{
	struct row	*r;
	size_t		 i, j, ncap;

	if (idxlen > BUILD_MAX_IDX)
		return NULL;
	/* answers of each column come in index order: look from the end */
	for (i = rs->n; i > 0; i--) {
		r = &rs->r[i - 1];
		if (r->k.len == idxlen &&
		    memcmp(r->k.a, idx, idxlen * sizeof(*idx)) == 0)
			return r;
	}
	if (rs->n >= BUILD_MAX_ROWS)
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
	for (j = 0; j < ROW_NINT; j++)
		r->v[j] = REPORT_NONE;
	return r;
}

void
row_int(struct rowset *rs, const uint32_t *idx, size_t idxlen, int slot,
    const struct snmp_value *v)
{
	struct row	*r;
	int64_t		 x;

	if (slot < 0 || slot >= ROW_NINT || value_int(v, &x) == -1 ||
	    (r = row_get(rs, idx, idxlen)) == NULL)
		return;
	r->v[slot] = x;
}

/* the cleaned string of raw octets, cut (between characters) to max */
static char *
clean_dup(const uint8_t *s, size_t len, size_t max)
{
	char	 buf[REPORT_STR];
	char	*p;

	report_str_clean(s, len, buf, max < sizeof(buf) ? max : sizeof(buf));
	if ((p = strdup(buf)) == NULL)
		fatal(NULL);
	return p;
}

void
row_str(struct rowset *rs, const uint32_t *idx, size_t idxlen, int slot,
    const struct snmp_value *v, size_t max)
{
	struct row	*r;

	if (slot < 0 || slot >= ROW_NSTR || v->type != SNMP_T_OCTETS ||
	    (r = row_get(rs, idx, idxlen)) == NULL)
		return;
	free(r->s[slot]);
	r->s[slot] = clean_dup(v->s, v->slen, max);
}

void
dev_find_printer_index(struct dev_data *d)
{
	const struct scalar	*st = &d->sc[SC_HRPRTSTATUS];
	const struct scalar	*sn = &d->sc[SC_PRTSERIAL];
	const struct rowset	*sup = &d->rs[RS_SUPPLIES];

	d->prt_index = 1;
	if (st->have && st->klen >= 1 && st->k[0] != 0)
		d->prt_index = st->k[0];
	else if (sn->have && sn->klen >= 1 && sn->k[0] != 0)
		d->prt_index = sn->k[0];
	else if (sup->n > 0 && sup->r[0].k.len >= 1 && sup->r[0].k.a[0] != 0)
		d->prt_index = sup->r[0].k.a[0];
}

/* --- identity --- */

/* the scalar of the printer's own row: phase 2's, else the first one */
static const struct scalar *
printer_row(const struct dev_data *d, enum sc_id own, enum sc_id first)
{
	const struct scalar	*s = &d->sc[own];

	if (s->have)
		return s;
	s = &d->sc[first];
	if (s->have && s->klen == 1 && s->k[0] == d->prt_index)
		return s;
	return NULL;
}

static struct identity_value
ival(const struct scalar *s)
{
	struct identity_value	 v = { NULL, 0 };

	if (s != NULL && s->have && s->s != NULL &&
	    s->type == SNMP_T_OCTETS) {
		v.s = s->s;
		v.len = s->slen;
	}
	return v;
}

static const struct snmp_oid *
ioid(const struct scalar *s, struct snmp_oid *o)
{
	return scalar_oid(s, o) == 0 ? o : NULL;
}

/* an integer value (not octets, not an OID) */
static int
is_int(const struct scalar *s)
{
	return s != NULL && s->have && s->type != SNMP_T_OID && s->s == NULL;
}

/* what collectd reads of the Printer-MIB answered */
static int
printer_mib(const struct dev_data *d)
{
	return d->sc[SC_PRTSERIAL].have || d->rs[RS_SUPPLIES].n > 0 ||
	    d->rs[RS_COLORANTS].n > 0 || d->rs[RS_MARKERS].n > 0 ||
	    d->rs[RS_ALERTS].n > 0;
}

void
dev_identity_in(const struct dev_data *d, struct identity_in *in,
    struct snmp_oid oids[2])
{
	const struct profile	*p = d->profile;
	const struct scalar	*s;
	size_t			 i;

	memset(in, 0, sizeof(*in));
	in->sysdescr = ival(&d->sc[SC_SYSDESCR]);
	in->sysobjectid = ioid(&d->sc[SC_SYSOBJECTID], &oids[0]);
	s = &d->sc[SC_PRTSERIAL];
	if (s->have && s->klen == 1 && s->k[0] == d->prt_index)
		in->prtserial = ival(s);
	in->hrdescr = ival(printer_row(d, SC_P_HRDEVDESCR, SC_HRDEVDESCR));
	in->hrtype = ioid(printer_row(d, SC_P_HRDEVTYPE, SC_HRDEVTYPE),
	    &oids[1]);
	in->devid = ival(&d->sc[SC_PPMDEVID]);
	in->printer_mib = printer_mib(d);
	if (p == NULL || d->vs == NULL)
		return;
	for (i = 0; i < p->nserial && i < PROFILE_MAX_IDENT; i++)
		in->v_serial[i] = ival(&d->vserial[i]);
	for (i = 0; i < p->nmodel && i < PROFILE_MAX_IDENT; i++)
		in->v_model[i] = ival(&d->vmodel[i]);
	for (i = 0; i < p->nfirmware && i < PROFILE_MAX_IDENT; i++)
		in->v_firmware[i] = ival(&d->vfw[i]);
	for (i = 0; i < p->ndevid && i < PROFILE_MAX_IDENT; i++)
		in->v_devid[i] = ival(&d->vdevid[i]);
}

enum identity_printer
dev_printer(const struct dev_data *d)
{
	struct identity_in	 in;
	struct snmp_oid		 oids[2];

	/* most printers: without making identity's input */
	if (printer_mib(d))
		return IDP_PRINTER_MIB;
	dev_identity_in(d, &in, oids);
	return identity_printer(&in, d->profile);
}

/* OID text of base + index */
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
fmt_scalar_source(const struct snmp_oid *base, const struct scalar *s,
    char *buf, size_t bufsz)
{
	if (s == NULL) {
		buf[0] = '\0';
		return;
	}
	fmt_source(base, s->k, s->klen, buf, bufsz);
}

/* the profile's OIDs that an identity field may come from */
enum id_field { IDF_VENDOR, IDF_MODEL, IDF_SERIAL, IDF_FIRMWARE };

/*
 * Where an identity field came from, as an OID: one mapping for model,
 * serial and firmware alike.
 */
static void
field_source(const struct dev_data *d, const struct build_oids *o,
    enum id_field which, const struct identity_field *f, char *buf,
    size_t bufsz)
{
	const struct profile	*p = d->profile;
	const struct snmp_oid	*list = NULL;
	size_t			 n = 0;

	buf[0] = '\0';
	switch (f->src) {
	case IDSRC_VENDOR_OID:
		if (p == NULL)
			return;
		if (which == IDF_MODEL)
			list = p->model, n = p->nmodel;
		else if (which == IDF_SERIAL)
			list = p->serial, n = p->nserial;
		else if (which == IDF_FIRMWARE)
			list = p->firmware, n = p->nfirmware;
		break;
	case IDSRC_VENDOR_DEVID:
		if (p != NULL)
			list = p->devid, n = p->ndevid;
		break;
	case IDSRC_PRTSERIAL:
		fmt_scalar_source(&o->prtserial, &d->sc[SC_PRTSERIAL], buf,
		    bufsz);
		return;
	case IDSRC_HRDESCR:
		fmt_source(&o->hrdevdescr, &d->prt_index, 1, buf, bufsz);
		return;
	case IDSRC_DEVID:
		fmt_scalar_source(&o->ppmdevid, &d->sc[SC_PPMDEVID], buf,
		    bufsz);
		return;
	case IDSRC_SYSDESCR:
	case IDSRC_SYSDESCR_DEVID:
		fmt_scalar_source(&o->sysdescr, &d->sc[SC_SYSDESCR], buf,
		    bufsz);
		return;
	default:
		return;
	}
	if (list != NULL && f->idx >= 0 && (size_t)f->idx < n &&
	    snmp_oid_fmt(&list[f->idx], buf, bufsz) == -1)
		buf[0] = '\0';
}

static void
clean_scalar(const struct scalar *s, char *dst, size_t dstsz)
{
	if (s->have && s->s != NULL && s->type != SNMP_T_OID)
		report_str_clean(s->s, s->slen, dst, dstsz);
	else
		dst[0] = '\0';
}

static void
clean_text(const char *s, char *dst, size_t dstsz)
{
	report_str_clean((const uint8_t *)s, strlen(s), dst, dstsz);
}

static void
build_identity(const struct dev_data *d, const struct build_oids *o,
    struct dev_report *rep)
{
	struct rpt_device	*r = &rep->dev;
	const struct identity	*id = &rep->id;
	struct snmp_oid		 o1;
	const struct snmp_oid	*soid = ioid(&d->sc[SC_SYSOBJECTID], &o1);

	clean_scalar(&d->sc[SC_SYSDESCR], r->sysdescr, sizeof(r->sysdescr));
	r->sysobjectid[0] = '\0';
	if (soid != NULL && snmp_oid_fmt(soid, r->sysobjectid,
	    sizeof(r->sysobjectid)) == -1)
		r->sysobjectid[0] = '\0';
	r->enterprise = REPORT_NONE;
	if (soid != NULL && soid->len > o->enterprises.len &&
	    snmp_oid_is_prefix(&o->enterprises, soid))
		r->enterprise = soid->sub[o->enterprises.len];
	if (d->profile != NULL)
		(void)strlcpy(r->profile, d->profile->name,
		    sizeof(r->profile));
	/* identity's texts are UTF-8 without controls: cleaned, a
	 * backslash is doubled as in every other string of a report */
	clean_text(id->vendor.text, r->vendor, sizeof(r->vendor));
	clean_text(id->model.text, r->model, sizeof(r->model));
	field_source(d, o, IDF_MODEL, &id->model, r->model_source,
	    sizeof(r->model_source));
	clean_text(id->serial.text, r->serial, sizeof(r->serial));
	field_source(d, o, IDF_SERIAL, &id->serial, r->serial_source,
	    sizeof(r->serial_source));
	clean_text(id->firmware.text, r->firmware, sizeof(r->firmware));
	field_source(d, o, IDF_FIRMWARE, &id->firmware, r->firmware_source,
	    sizeof(r->firmware_source));
}

/* status objects of the printer's own row */
static void
build_status(const struct dev_data *d, struct rpt_device *r)
{
	const struct scalar	*s;
	int			 n;

	r->uptime = is_int(&d->sc[SC_SYSUPTIME]) ? d->sc[SC_SYSUPTIME].i :
	    REPORT_NONE;
	r->device_status = REPORT_NONE;
	s = &d->sc[SC_P_HRDEVSTATUS];
	if (!s->have) {
		s = &d->sc[SC_HRDEVSTATUS];
		if (s->have && !(s->klen == 0 ||
		    (s->klen == 1 && s->k[0] == d->prt_index)))
			s = NULL;
	}
	if (is_int(s))
		r->device_status = s->i;
	s = &d->sc[SC_HRPRTSTATUS];
	r->printer_status = is_int(s) ? s->i : REPORT_NONE;
	/* BITS: bit n is bit 7 - n % 8 of octet n / 8 */
	r->errors = -1;
	s = &d->sc[SC_HRPRTERR];
	if (s->have && s->type == SNMP_T_OCTETS && s->klen == 1 &&
	    s->k[0] == d->prt_index) {
		r->errors = 0;
		for (n = 0; n < PRT_ERR_BITS; n++)
			if ((s->i >> (15 - n)) & 1)
				r->errors |= 1 << n;
	}
}

void
build_device(const struct dev_data *d, const struct build_oids *o,
    uint32_t send, struct dev_report *rep)
{
	struct rpt_device	*r = &rep->dev;
	struct identity_in	 in;
	struct snmp_oid		 oids[2];

	r->enterprise = r->uptime = r->device_status = r->printer_status =
	    REPORT_NONE;
	r->errors = -1;
	/* always: the serial tells printers apart (one on two addresses) */
	dev_identity_in(d, &in, oids);
	identity_build(&in, d->profile, &rep->id);
	if (send & CAT_BIT(CAT_IDENTITY))
		build_identity(d, o, rep);
	if (send & CAT_BIT(CAT_PII)) {
		clean_scalar(&d->sc[SC_SYSNAME], r->sysname,
		    sizeof(r->sysname));
		clean_scalar(&d->sc[SC_SYSCONTACT], r->syscontact,
		    sizeof(r->syscontact));
		clean_scalar(&d->sc[SC_SYSLOCATION], r->syslocation,
		    sizeof(r->syslocation));
	}
	if ((send & CAT_BIT(CAT_ALERTS)) && r->outcome != DEV_NOT_PRINTER)
		build_status(d, r);
}

/* --- rows --- */

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

static void
copy_str(char *dst, size_t dstsz, const char *src)
{
	(void)strlcpy(dst, src ? src : "", dstsz);
}

/* a new slot at the end of an array of rows */
static void *
grow(void *pp, size_t *n, size_t *cap, size_t size)
{
	void	**p = pp;
	void	 *np;
	size_t	  ncap;

	if (*n >= REPORT_MAX_ROWS)
		return NULL;
	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 16;
		if ((np = reallocarray(*p, ncap, size)) == NULL)
			fatal(NULL);
		*p = np;
		*cap = ncap;
	}
	np = (char *)*p + size * (*n)++;
	memset(np, 0, size);
	return np;
}

static int
meter_named(const struct dev_report *rep, const char *name)
{
	size_t	 i;

	for (i = 0; i < rep->nmeters; i++)
		if (strcmp(rep->meters[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Add a meter under a name no other meter of the device has: a vendor
 * table may repeat a name (then the row's index tells them apart).
 */
static void
add_meter(struct dev_report *rep, const struct rpt_meter *m,
    const struct rowkey *k)
{
	struct rpt_meter	*nm;
	char			 idx[32], name[REPORT_NAME];

	(void)strlcpy(name, m->name, sizeof(name));
	if (meter_named(rep, name)) {
		if (k == NULL)
			return;
		fmt_index(k->a, k->len, idx, sizeof(idx));
		(void)snprintf(name, sizeof(name), "%.30s.%s", m->name, idx);
		if (meter_named(rep, name))
			return;
	}
	if ((nm = grow(&rep->meters, &rep->nmeters, &rep->capmeters,
	    sizeof(*nm))) == NULL)
		return;
	*nm = *m;
	(void)strlcpy(nm->name, name, sizeof(nm->name));
}

/* the profile's meters: its OIDs, then its tables; 1 if one is "total" */
static int
vendor_meters(const struct dev_data *d, struct dev_report *rep)
{
	const struct profile	*p = d->profile;
	const struct scalar	*s;
	struct rpt_meter	 m;
	char			 text[REPORT_NAME];
	size_t			 i, k;
	int			 total = 0;

	if (p == NULL || d->vs == NULL)
		return 0;
	for (i = 0; i < p->nmeter; i++) {
		s = &d->vmeter[i];
		if (!is_int(s) || s->i < 0)
			continue;
		memset(&m, 0, sizeof(m));
		copy_str(m.name, sizeof(m.name), p->meter[i].name);
		copy_str(m.unit, sizeof(m.unit), p->meter[i].unit);
		m.value = s->i;
		(void)snmp_oid_fmt(&p->meter[i].oid, m.source,
		    sizeof(m.source));
		total |= strcmp(m.name, "total") == 0;
		add_meter(rep, &m, NULL);
	}
	for (k = 0; k < p->ntable && k < PROFILE_MAX_TABLES; k++) {
		const struct rowset	*rs = &d->rs[RS_VTABLE + k];

		for (i = 0; i < rs->n; i++) {
			const struct row	*r = &rs->r[i];

			if (r->v[TBL_VALUE] == REPORT_NONE ||
			    r->v[TBL_VALUE] < 0 || r->s[0] == NULL)
				continue;
			memset(&m, 0, sizeof(m));
			profile_table_name(&p->table[k], r->s[0], text,
			    sizeof(text));
			copy_str(m.name, sizeof(m.name), text);
			copy_str(m.unit, sizeof(m.unit), p->table[k].unit);
			m.value = r->v[TBL_VALUE];
			fmt_source(&p->table[k].values, r->k.a, r->k.len,
			    m.source, sizeof(m.source));
			total |= strcmp(m.name, "total") == 0;
			add_meter(rep, &m, &r->k);
		}
	}
	return total;
}

static void
build_meters(const struct dev_data *d, const struct build_oids *o,
    struct dev_report *rep)
{
	const struct rowset	*mk = &d->rs[RS_MARKERS];
	struct rpt_meter	 m;
	char			 idx[32];
	const char		*unit;
	size_t			 i, nmark = 0;
	int			 vendor_total;
	int64_t			 sum = 0;

	vendor_total = vendor_meters(d, rep);
	/* Printer-MIB marker life counts: the fallback "total" */
	for (i = 0; i < mk->n; i++)
		if (mk->r[i].v[MRK_LIFE] != REPORT_NONE &&
		    mk->r[i].v[MRK_LIFE] >= 0)
			nmark++;
	for (i = 0; i < mk->n; i++) {
		const struct row	*r = &mk->r[i];

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
		copy_str(m.unit, sizeof(m.unit), unit);
		m.value = r->v[MRK_LIFE];
		fmt_source(&o->marklife, r->k.a, r->k.len, m.source,
		    sizeof(m.source));
		if (sum <= INT64_MAX - r->v[MRK_LIFE])
			sum += r->v[MRK_LIFE];
		add_meter(rep, &m, &r->k);
	}
	if (nmark > 1 && !vendor_total) {
		memset(&m, 0, sizeof(m));
		(void)strlcpy(m.name, "total", sizeof(m.name));
		unit = prt_marker_unit_name(mk->r[0].v[MRK_UNIT]);
		copy_str(m.unit, sizeof(m.unit), unit);
		m.value = sum;
		(void)snmp_oid_fmt(&o->marklife, m.source, sizeof(m.source));
		add_meter(rep, &m, NULL);
	}
}

static const char *
colorant_of(const struct dev_data *d, const struct row *sup)
{
	const struct rowset	*cs = &d->rs[RS_COLORANTS];
	uint32_t		 key[2];
	size_t			 i;

	if (sup->v[SUP_COLORANT] == REPORT_NONE || sup->v[SUP_COLORANT] <= 0 ||
	    sup->v[SUP_COLORANT] > UINT32_MAX || sup->k.len < 1)
		return NULL;
	key[0] = sup->k.a[0];
	key[1] = (uint32_t)sup->v[SUP_COLORANT];
	for (i = 0; i < cs->n; i++) {
		const struct row	*c = &cs->r[i];

		if (c->k.len == 2 && c->k.a[0] == key[0] && c->k.a[1] == key[1])
			return c->s[0];
	}
	return NULL;
}

static void
build_supplies(const struct dev_data *d, struct dev_report *rep)
{
	const struct rowset	*rs = &d->rs[RS_SUPPLIES];
	struct rpt_supply	*s;
	char			 num[24];
	size_t			 i;

	for (i = 0; i < rs->n; i++) {
		const struct row	*r = &rs->r[i];

		if ((s = grow(&rep->supplies, &rep->nsupplies,
		    &rep->capsupplies, sizeof(*s))) == NULL)
			return;
		fmt_index(r->k.a, r->k.len, s->index, sizeof(s->index));
		copy_str(s->description, sizeof(s->description), r->s[0]);
		copy_str(s->class, sizeof(s->class), enum_text(
		    prt_supply_class_name(r->v[SUP_CLASS]), r->v[SUP_CLASS],
		    num, sizeof(num)));
		copy_str(s->type, sizeof(s->type), enum_text(
		    prt_supply_type_name(r->v[SUP_TYPE]), r->v[SUP_TYPE], num,
		    sizeof(num)));
		copy_str(s->color, sizeof(s->color), colorant_of(d, r));
		copy_str(s->unit, sizeof(s->unit), enum_text(
		    prt_supply_unit_name(r->v[SUP_UNIT]), r->v[SUP_UNIT], num,
		    sizeof(num)));
		s->max = r->v[SUP_MAX];
		s->level = r->v[SUP_LEVEL];
		s->percent = report_percent(s->level, s->max);
	}
}

static void
build_alerts(const struct dev_data *d, struct dev_report *rep)
{
	const struct rowset	*rs = &d->rs[RS_ALERTS];
	struct rpt_alert	*a;
	char			 num[24];
	size_t			 i;

	for (i = 0; i < rs->n; i++) {
		const struct row	*r = &rs->r[i];

		if ((a = grow(&rep->alerts, &rep->nalerts, &rep->capalerts,
		    sizeof(*a))) == NULL)
			return;
		fmt_index(r->k.a, r->k.len, a->index, sizeof(a->index));
		copy_str(a->severity, sizeof(a->severity), enum_text(
		    prt_alert_severity_name(r->v[ALR_SEV]), r->v[ALR_SEV], num,
		    sizeof(num)));
		copy_str(a->group, sizeof(a->group), enum_text(
		    prt_alert_group_name(r->v[ALR_GROUP]), r->v[ALR_GROUP], num,
		    sizeof(num)));
		copy_str(a->code, sizeof(a->code), enum_text(
		    prt_alert_code_name(r->v[ALR_CODE]), r->v[ALR_CODE], num,
		    sizeof(num)));
		copy_str(a->description, sizeof(a->description), r->s[0]);
		a->time = r->v[ALR_TIME];
	}
}

void
build_report(const struct dev_data *d, const struct build_oids *o,
    uint32_t send, struct dev_report *rep)
{
	build_device(d, o, send, rep);
	if (rep->dev.outcome != DEV_OK && rep->dev.outcome != DEV_PARTIAL)
		return;
	if (send & CAT_BIT(CAT_METERS))
		build_meters(d, o, rep);
	if (send & CAT_BIT(CAT_SUPPLIES))
		build_supplies(d, rep);
	if (send & CAT_BIT(CAT_ALERTS))
		build_alerts(d, rep);
}

void
dev_report_reset(struct dev_report *rep)
{
	memset(&rep->dev, 0, sizeof(rep->dev));
	memset(&rep->id, 0, sizeof(rep->id));
	rep->dev.enterprise = rep->dev.uptime = rep->dev.device_status =
	    rep->dev.printer_status = REPORT_NONE;
	rep->dev.errors = -1;
	rep->nmeters = rep->nsupplies = rep->nalerts = 0;
	/* job data is personal data: wiped, not left in memory */
	wbuf_reset(&rep->jobs_plain);
	wbuf_reset(&rep->jobs_sealed);
	rep->have_jobs = 0;
}

void
dev_report_free(struct dev_report *rep)
{
	free(rep->meters);
	free(rep->supplies);
	free(rep->alerts);
	wbuf_free(&rep->jobs_plain);
	wbuf_free(&rep->jobs_sealed);
	memset(rep, 0, sizeof(*rep));
}

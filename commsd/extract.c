/*
 * The extract of a document (see check.h): encoded by the worker from
 * the validated tree, checked and decoded by the server, which stores it
 * (store.c).  The server treats it as untrusted input: a worker parses
 * what anybody sent, so its answer is checked as strictly as a request.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "check.h"
#include "xmlsafe.h"

static const struct rec_kind {
	int		 tag;
	size_t		 ncols;
	unsigned int	 required;	/* bits of the columns */
} rec_kinds[] = {
	{ COMMS_REC_UPLOAD, XU_NCOLS, 1U << XU_GATEWAY | 1U << XU_SOFTWARE |
	    1U << XU_CYCLE | 1U << XU_REASON | 1U << XU_STARTED |
	    1U << XU_FINISHED | 1U << XU_CATEGORIES },
	{ COMMS_REC_DEVICE, XD_NCOLS, 1U << XD_KEY | 1U << XD_OUTCOME |
	    1U << XD_COLLECTED },
	{ COMMS_REC_METER, XM_NCOLS, 1U << XM_NAME },
	{ COMMS_REC_SUPPLY, XS_NCOLS, 1U << XS_INDEX },
	{ COMMS_REC_ALERT, XA_NCOLS, 1U << XA_INDEX },
	{ COMMS_REC_CHECKIN, XC_NCOLS, 1U << XC_GATEWAY | 1U << XC_SOFTWARE |
	    1U << XC_LAST_SEQUENCE },
	{ COMMS_REC_PACKAGE, XP_NCOLS, 1U << XP_NAME | 1U << XP_VERSION },
	{ COMMS_REC_JOBDATA, XJ_NCOLS, 1U << XJ_DATA },
	{ COMMS_REC_INCIDENT, XI_NCOLS, 1U << XI_ID | 1U << XI_KIND |
	    1U << XI_ORIGIN | 1U << XI_DEVICE | 1U << XI_CREATED },
	{ COMMS_REC_INCSUPPLY, XN_NCOLS, 1U << XN_INDEX },
};

static const struct rec_kind *
rec_kind(int tag)
{
	size_t	 i;

	for (i = 0; i < sizeof(rec_kinds) / sizeof(rec_kinds[0]); i++)
		if (rec_kinds[i].tag == tag)
			return &rec_kinds[i];
	return NULL;
}

size_t
comms_rec_ncols(int tag)
{
	const struct rec_kind	*k = rec_kind(tag);

	return k != NULL ? k->ncols : 0;
}

static void	set_err(char *, size_t, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Encoding.
 */

static void
put_len(struct wbuf *w, size_t len)
{
	do {
		wbuf_u8(w, (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0)));
		len >>= 7;
	} while (len > 0);
}

void
comms_extract_put(struct wbuf *w, const struct comms_record *r)
{
	size_t	 i, n = 0, ncols = comms_rec_ncols(r->tag);

	for (i = 0; i < ncols; i++)
		if (r->f[i].s != NULL)
			n++;
	wbuf_u8(w, (uint8_t)r->tag);
	wbuf_u8(w, (uint8_t)n);
	for (i = 0; i < ncols; i++) {
		if (r->f[i].s == NULL)
			continue;
		wbuf_u8(w, (uint8_t)i);
		put_len(w, r->f[i].len);
		wbuf_bytes(w, r->f[i].s, r->f[i].len);
	}
}

/* a record being built from the tree: it owns its strings */
struct enc {
	struct comms_record	 r;
	xmlChar			*own[COMMS_REC_MAXCOLS];
	int			 toolong;
};

static void
enc_begin(struct enc *e, int tag)
{
	memset(e, 0, sizeof(*e));
	e->r.tag = tag;
}

static void
enc_set(struct enc *e, size_t col, xmlChar *s)
{
	size_t	 len;

	if (s == NULL)
		return;
	len = strlen((const char *)s);
	if (len >= COMMS_FIELD_MAX)
		e->toolong = 1;
	xmlFree(e->own[col]);
	e->own[col] = s;
	e->r.f[col].s = (const char *)s;
	e->r.f[col].len = len;
}

static int
enc_end(struct enc *e, struct wbuf *w)
{
	size_t	 i;
	int	 r = e->toolong ? -1 : 0;

	if (r == 0)
		comms_extract_put(w, &e->r);
	for (i = 0; i < COMMS_REC_MAXCOLS; i++)
		xmlFree(e->own[i]);
	return r;
}

/* attributes are unqualified, elements of CALLHOME_NS */
static xmlChar *
attr(xmlNodePtr n, const char *name)
{
	if (n == NULL)
		return NULL;
	return xmlGetNoNsProp(n, (const xmlChar *)name);
}

static xmlChar *
child_text(xmlNodePtr n, const char *name)
{
	xmlNodePtr	 c = xml_child(n, name);

	return c != NULL ? xmlNodeGetContent(c) : NULL;
}

/* white space collapsed, as xs:list and the like compare */
static void
collapse(xmlChar *s)
{
	xmlChar	*r, *w;
	int	 sp = 0;

	if (s == NULL)
		return;
	for (r = w = s; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			sp = w != s;
			continue;
		}
		if (sp)
			*w++ = ' ';
		sp = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/*
 * The ch:Error names of a ch:Status, space-separated ("" for none); NULL
 * when the device did not report its error state (no errorsReported).
 */
static xmlChar *
status_errors(xmlNodePtr status)
{
	struct wbuf	 w;
	xmlNodePtr	 e;
	xmlChar		*t, *s;
	int		 reported;

	if (status == NULL)
		return NULL;
	t = xmlGetProp(status, (const xmlChar *)"errorsReported");
	reported = t != NULL && (xmlStrcmp(t, (const xmlChar *)"true") == 0 ||
	    xmlStrcmp(t, (const xmlChar *)"1") == 0);
	xmlFree(t);
	if (!reported)
		return NULL;
	wbuf_init(&w);
	for (e = status->children; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE ||
		    (t = xmlNodeGetContent(e)) == NULL)
			continue;
		collapse(t);
		if (t[0] != '\0') {
			if (w.len > 0)
				wbuf_u8(&w, ' ');
			wbuf_bytes(&w, t, strlen((char *)t));
		}
		xmlFree(t);
	}
	wbuf_u8(&w, '\0');
	s = xmlStrdup(w.data);
	wbuf_free(&w);
	return s;
}

/*
 * The readings: one record for each element of a list of the device, in
 * document order; each column from an attribute, the text of a child
 * element or the element's own text.
 */
enum rd_from {
	RD_END,
	RD_ATTR,
	RD_CHILD,
	RD_TEXT
};

struct rd_col {
	enum rd_from	 from;
	const char	*name;
};

static const struct rd_list {
	const char	*list;		/* the device's child holding them */
	int		 tag;
	struct rd_col	 cols[COMMS_REC_MAXCOLS + 1];
} rd_lists[] = {
	{ "Meters", COMMS_REC_METER, {
		[XM_NAME] = { RD_ATTR, "name" },
		[XM_UNIT] = { RD_ATTR, "unit" },
		[XM_VALUE] = { RD_TEXT, NULL },
		[XM_SOURCE] = { RD_ATTR, "source" },
		[XM_FLAG] = { RD_ATTR, "flag" },
		[XM_PREVIOUS] = { RD_ATTR, "previous" } } },
	{ "Supplies", COMMS_REC_SUPPLY, {
		[XS_INDEX] = { RD_ATTR, "index" },
		[XS_DESCRIPTION] = { RD_CHILD, "Description" },
		[XS_CLASS] = { RD_ATTR, "class" },
		[XS_TYPE] = { RD_ATTR, "type" },
		[XS_COLOR] = { RD_CHILD, "Color" },
		[XS_UNIT] = { RD_ATTR, "unit" },
		[XS_MAX] = { RD_ATTR, "max" },
		[XS_LEVEL] = { RD_ATTR, "level" },
		[XS_PERCENT] = { RD_ATTR, "percent" } } },
	{ "Alerts", COMMS_REC_ALERT, {
		[XA_INDEX] = { RD_ATTR, "index" },
		[XA_SEVERITY] = { RD_ATTR, "severity" },
		[XA_GROUP] = { RD_ATTR, "group" },
		[XA_CODE] = { RD_ATTR, "code" },
		[XA_DESCRIPTION] = { RD_CHILD, "Description" },
		[XA_TIME] = { RD_ATTR, "time" } } },
};

static xmlChar *
rd_value(xmlNodePtr n, const struct rd_col *c)
{
	switch (c->from) {
	case RD_ATTR:
		return attr(n, c->name);
	case RD_CHILD:
		return child_text(n, c->name);
	case RD_TEXT:
		return xmlNodeGetContent(n);
	default:
		return NULL;
	}
}

static int
encode_readings(xmlNodePtr dev, struct wbuf *w)
{
	const struct rd_list	*l;
	struct enc		 e;
	xmlNodePtr		 list, n;
	size_t			 i, c;

	for (i = 0; i < sizeof(rd_lists) / sizeof(rd_lists[0]); i++) {
		l = &rd_lists[i];
		if ((list = xml_child(dev, l->list)) == NULL)
			continue;
		for (n = list->children; n != NULL; n = n->next) {
			if (n->type != XML_ELEMENT_NODE)
				continue;
			enc_begin(&e, l->tag);
			for (c = 0; c < comms_rec_ncols(l->tag); c++)
				enc_set(&e, c, rd_value(n, &l->cols[c]));
			if (enc_end(&e, w) == -1)
				return -1;
		}
	}
	return 0;
}

static int
encode_device(xmlNodePtr dev, struct wbuf *w)
{
	struct enc	 e;
	xmlNodePtr	 id, contact, status;

	id = xml_child(dev, "Identity");
	contact = xml_child(dev, "Contact");
	status = xml_child(dev, "Status");
	enc_begin(&e, COMMS_REC_DEVICE);
	enc_set(&e, XD_KEY, attr(dev, "key"));
	enc_set(&e, XD_OUTCOME, attr(dev, "outcome"));
	enc_set(&e, XD_COLLECTED, attr(dev, "collected"));
	enc_set(&e, XD_ADDRESS, child_text(dev, "Address"));
	enc_set(&e, XD_REASON, child_text(dev, "Reason"));
	enc_set(&e, XD_VENDOR, child_text(id, "Vendor"));
	enc_set(&e, XD_MODEL, child_text(id, "Model"));
	enc_set(&e, XD_MODEL_SOURCE, attr(xml_child(id, "Model"), "source"));
	enc_set(&e, XD_SERIAL, child_text(id, "Serial"));
	enc_set(&e, XD_SERIAL_SOURCE, attr(xml_child(id, "Serial"),
	    "source"));
	enc_set(&e, XD_FIRMWARE, child_text(id, "Firmware"));
	enc_set(&e, XD_FIRMWARE_SOURCE, attr(xml_child(id, "Firmware"),
	    "source"));
	enc_set(&e, XD_SYSOBJECTID, child_text(id, "SysObjectID"));
	enc_set(&e, XD_ENTERPRISE, child_text(id, "Enterprise"));
	enc_set(&e, XD_SYSDESCR, child_text(id, "SysDescr"));
	enc_set(&e, XD_SYSNAME, child_text(contact, "SysName"));
	enc_set(&e, XD_SYSCONTACT, child_text(contact, "SysContact"));
	enc_set(&e, XD_SYSLOCATION, child_text(contact, "SysLocation"));
	enc_set(&e, XD_DEVICE_STATUS, attr(status, "device"));
	enc_set(&e, XD_PRINTER_STATUS, attr(status, "printer"));
	enc_set(&e, XD_UPTIME, attr(status, "uptime"));
	enc_set(&e, XD_ERRORS, status_errors(status));
	enc_set(&e, XD_STATE, attr(dev, "state"));
	enc_set(&e, XD_STATE_SINCE, attr(dev, "stateSince"));
	if (enc_end(&e, w) == -1)
		return -1;
	if (encode_readings(dev, w) == -1)
		return -1;
	/* the sealed job data: stored as it came, opened by nobody here */
	if (xml_child(dev, "JobData") == NULL)
		return 0;
	enc_begin(&e, COMMS_REC_JOBDATA);
	enc_set(&e, XJ_DATA, child_text(dev, "JobData"));
	return enc_end(&e, w);
}

/* the incidents, each followed by its supplies */
static int
encode_incidents(xmlNodePtr list, struct wbuf *w)
{
	struct enc	 e;
	xmlNodePtr	 n, c, contact;

	for (n = list != NULL ? list->children : NULL; n != NULL;
	    n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		contact = xml_child(n, "Contact");
		enc_begin(&e, COMMS_REC_INCIDENT);
		enc_set(&e, XI_ID, attr(n, "id"));
		enc_set(&e, XI_KIND, attr(n, "kind"));
		enc_set(&e, XI_ORIGIN, attr(n, "origin"));
		enc_set(&e, XI_DEVICE, attr(n, "device"));
		enc_set(&e, XI_CREATED, attr(n, "created"));
		enc_set(&e, XI_PROBLEM, child_text(n, "Problem"));
		enc_set(&e, XI_NAME, child_text(contact, "Name"));
		enc_set(&e, XI_EMAIL, child_text(contact, "Email"));
		enc_set(&e, XI_PHONE, child_text(contact, "Phone"));
		if (enc_end(&e, w) == -1)
			return -1;
		for (c = n->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE ||
			    !xmlStrEqual(c->name, BAD_CAST "Supply"))
				continue;
			enc_begin(&e, COMMS_REC_INCSUPPLY);
			enc_set(&e, XN_INDEX, attr(c, "index"));
			enc_set(&e, XN_DESCRIPTION, child_text(c,
			    "Description"));
			enc_set(&e, XN_TYPE, attr(c, "type"));
			enc_set(&e, XN_COLOR, child_text(c, "Color"));
			enc_set(&e, XN_MAX, attr(c, "max"));
			enc_set(&e, XN_LEVEL, attr(c, "level"));
			enc_set(&e, XN_PERCENT, attr(c, "percent"));
			if (enc_end(&e, w) == -1)
				return -1;
		}
	}
	return 0;
}

int
comms_extract_encode(xmlNodePtr up, struct wbuf *w, char *err,
    size_t errlen)
{
	struct enc	 e;
	xmlNodePtr	 gw, cycle, devs, d, part;
	xmlChar		*cat;

	gw = xml_child(up, "Gateway");
	cycle = xml_child(up, "Cycle");
	devs = xml_child(up, "Devices");
	part = xml_child(up, "Part");
	enc_begin(&e, COMMS_REC_UPLOAD);
	enc_set(&e, XU_GATEWAY, attr(gw, "id"));
	enc_set(&e, XU_SOFTWARE, attr(gw, "software"));
	enc_set(&e, XU_SITE, child_text(up, "Site"));
	enc_set(&e, XU_CYCLE, attr(cycle, "id"));
	enc_set(&e, XU_REASON, attr(cycle, "reason"));
	enc_set(&e, XU_STARTED, attr(cycle, "started"));
	enc_set(&e, XU_FINISHED, attr(cycle, "finished"));
	cat = child_text(up, "Categories");
	collapse(cat);
	enc_set(&e, XU_CATEGORIES, cat);
	enc_set(&e, XU_PART, attr(part, "number"));
	enc_set(&e, XU_PARTS, attr(part, "of"));
	enc_set(&e, XU_FIRST_DEVICE, attr(part, "firstDevice"));
	enc_set(&e, XU_PART_DEVICES, attr(part, "devices"));
	if (enc_end(&e, w) == -1)
		goto toolong;
	if (encode_incidents(xml_child(up, "Incidents"), w) == -1)
		goto toolong;
	for (d = devs != NULL ? devs->children : NULL; d != NULL; d = d->next)
		if (d->type == XML_ELEMENT_NODE && encode_device(d, w) == -1)
			goto toolong;
	return 0;
 toolong:
	set_err(err, errlen, "a value of %u bytes or more", COMMS_FIELD_MAX);
	return -1;
}

int
comms_extract_checkin(xmlNodePtr ci, struct wbuf *w, char *err,
    size_t errlen)
{
	struct enc	 e;
	xmlNodePtr	 gw, pkgs, p;

	gw = xml_child(ci, "Gateway");
	pkgs = xml_child(ci, "Packages");
	enc_begin(&e, COMMS_REC_CHECKIN);
	enc_set(&e, XC_GATEWAY, attr(gw, "id"));
	enc_set(&e, XC_SOFTWARE, attr(gw, "software"));
	enc_set(&e, XC_LAST_SEQUENCE, child_text(ci, "LastSequence"));
	if (enc_end(&e, w) == -1)
		goto toolong;
	for (p = pkgs != NULL ? pkgs->children : NULL; p != NULL; p = p->next) {
		if (p->type != XML_ELEMENT_NODE)
			continue;
		enc_begin(&e, COMMS_REC_PACKAGE);
		enc_set(&e, XP_NAME, attr(p, "name"));
		enc_set(&e, XP_VERSION, attr(p, "version"));
		if (enc_end(&e, w) == -1)
			goto toolong;
	}
	return 0;
 toolong:
	set_err(err, errlen, "a value of %u bytes or more", COMMS_FIELD_MAX);
	return -1;
}

/*
 * Decoding.
 */

struct cursor {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
};

static int
get_u8(struct cursor *c, uint8_t *v)
{
	if (c->off >= c->len)
		return -1;
	*v = c->p[c->off++];
	return 0;
}

/* LEB128, at most 4 bytes, the shortest form only */
static int
get_len(struct cursor *c, size_t *len)
{
	uint8_t	 b;
	size_t	 v = 0;
	int	 i;

	for (i = 0; i < 4; i++) {
		if (get_u8(c, &b) == -1)
			return -1;
		v |= (size_t)(b & 0x7f) << (7 * i);
		if (b & 0x80)
			continue;
		if (i > 0 && b == 0)
			return -1;	/* not the shortest form */
		*len = v;
		return 0;
	}
	return -1;
}

/* one record at c->off: 0, or -1 with a reason */
static int
get_record(struct cursor *c, struct comms_record *r, char *err,
    size_t errlen)
{
	const struct rec_kind	*k;
	uint8_t			 tag, n, col;
	size_t			 i, len, at = c->off;
	int			 prev = -1;
	unsigned int		 seen = 0;

	memset(r, 0, sizeof(*r));
	if (get_u8(c, &tag) == -1 || get_u8(c, &n) == -1) {
		set_err(err, errlen, "record at %zu truncated", at);
		return -1;
	}
	if ((k = rec_kind(tag)) == NULL) {
		set_err(err, errlen, "record at %zu of unknown kind %u", at,
		    tag);
		return -1;
	}
	r->tag = tag;
	if (n > k->ncols) {
		set_err(err, errlen, "record at %zu with %u fields", at, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (get_u8(c, &col) == -1 || get_len(c, &len) == -1 ||
		    len > c->len - c->off) {
			set_err(err, errlen, "record at %zu truncated", at);
			return -1;
		}
		if ((int)col <= prev || col >= k->ncols) {
			set_err(err, errlen, "record at %zu: column %u out of "
			    "order", at, col);
			return -1;
		}
		if (memchr(c->p + c->off, '\0', len) != NULL) {
			set_err(err, errlen, "record at %zu: a NUL byte", at);
			return -1;
		}
		prev = col;
		seen |= 1U << col;
		r->f[col].s = (const char *)(c->p + c->off);
		r->f[col].len = len;
		c->off += len;
	}
	if ((seen & k->required) != k->required) {
		set_err(err, errlen, "record at %zu (%c) lacks a required "
		    "field", at, tag);
		return -1;
	}
	return 0;
}

int
comms_extract_check(const uint8_t *p, size_t len, uint64_t *ndevices,
    char *err, size_t errlen)
{
	struct comms_record	 r;
	struct cursor		 c = { p, len, 0 };
	uint64_t		 nrec = 0;
	int			 first = 0, prev = 0;

	*ndevices = 0;
	while (c.off < len) {
		if (get_record(&c, &r, err, errlen) == -1)
			return -1;
		if (nrec == 0)
			first = r.tag;
		if (first == COMMS_REC_CHECKIN) {
			/* a check-in, then its packages */
			if ((nrec == 0) != (r.tag == COMMS_REC_CHECKIN) ||
			    (nrec > 0 && r.tag != COMMS_REC_PACKAGE)) {
				set_err(err, errlen, "a check-in record, then "
				    "package records only");
				return -1;
			}
			nrec++;
			continue;
		}
		if ((nrec == 0) != (r.tag == COMMS_REC_UPLOAD) ||
		    r.tag == COMMS_REC_CHECKIN || r.tag == COMMS_REC_PACKAGE) {
			set_err(err, errlen, "the upload record must be the "
			    "first and only one");
			return -1;
		}
		if (r.tag == COMMS_REC_INCIDENT || r.tag ==
		    COMMS_REC_INCSUPPLY) {
			/* after the upload record, before any device; a
			 * supply after its incident */
			if (*ndevices > 0 || (r.tag == COMMS_REC_INCSUPPLY &&
			    prev != COMMS_REC_INCIDENT &&
			    prev != COMMS_REC_INCSUPPLY)) {
				set_err(err, errlen, "incidents after the "
				    "upload record and before the devices");
				return -1;
			}
		} else if (r.tag == COMMS_REC_DEVICE)
			(*ndevices)++;
		else if (r.tag != COMMS_REC_UPLOAD && *ndevices == 0) {
			set_err(err, errlen, "readings before any device");
			return -1;
		}
		prev = r.tag;
		nrec++;
	}
	if (nrec == 0) {
		set_err(err, errlen, "an empty extract");
		return -1;
	}
	return 0;
}

int
comms_extract_next(const uint8_t *p, size_t len, size_t *off,
    struct comms_record *r)
{
	struct cursor	 c = { p, len, *off };

	if (*off >= len || get_record(&c, r, NULL, 0) == -1)
		return 0;
	*off = c.off;
	return 1;
}

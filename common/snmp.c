#include <stdint.h>
#include <string.h>

#include "ber.h"
#include "snmp.h"

#define FAIL(msg) do {							\
	*errstr = (msg);						\
	return -1;							\
} while (0)

/* read the next TLV, which must have the given tag */
static int
expect(struct ber_reader *r, uint8_t tag, struct ber_tlv *t,
    const char *badtag, const char **errstr)
{
	if (ber_read(r, t, errstr) == -1)
		return -1;
	if (t->tag != tag)
		FAIL(badtag);
	return 0;
}

static int
expect_int32(struct ber_reader *r, int32_t *v, const char *badtag,
    const char **errstr)
{
	struct ber_tlv	 t;

	if (expect(r, BER_TAG_INTEGER, &t, badtag, errstr) == -1 ||
	    ber_get_int32(&t, v, errstr) == -1)
		return -1;
	return 0;
}

static int
pdu_ok(int version, uint8_t type, const char **errstr)
{
	switch (type) {
	case SNMP_PDU_GET:
	case SNMP_PDU_GETNEXT:
	case SNMP_PDU_RESPONSE:
	case SNMP_PDU_SET:
		return 0;
	case SNMP_PDU_GETBULK:
	case SNMP_PDU_INFORM:
	case SNMP_PDU_TRAPV2:
	case SNMP_PDU_REPORT:
		if (version == SNMP_V1)
			FAIL("SNMPv2 PDU in an SNMPv1 message");
		return 0;
	case 0xa4:
		FAIL("SNMPv1 Trap PDU not supported");
	default:
		FAIL("unknown PDU type");
	}
}

static int
decode_value(const struct ber_tlv *t, struct snmp_value *v,
    const char **errstr)
{
	int32_t		 i32;
	uint32_t	 u32;
	size_t		 n;

	v->type = t->tag;
	v->i = 0;
	v->u = 0;
	v->s = NULL;
	v->slen = 0;
	v->oid.len = 0;
	switch (t->tag) {
	case SNMP_T_INTEGER:
		if (ber_get_int32(t, &i32, errstr) == -1)
			return -1;
		v->i = i32;
		break;
	case SNMP_T_OCTETS:
	case SNMP_T_OPAQUE:
		v->s = t->v;
		v->slen = t->len;
		break;
	case SNMP_T_IPADDR:
		if (t->len != 4)
			FAIL("IpAddress not of 4 octets");
		v->s = t->v;
		v->slen = t->len;
		break;
	case SNMP_T_NULL:
		if (t->len != 0)
			FAIL("NULL with contents");
		break;
	case SNMP_T_OID:
		if (ber_get_oid(t, v->oid.sub, SNMP_MAX_SUBIDS, &n,
		    errstr) == -1)
			return -1;
		v->oid.len = n;
		break;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
		if (ber_get_uint32(t, &u32, errstr) == -1)
			return -1;
		v->u = u32;
		break;
	case SNMP_T_COUNTER64:
		if (ber_get_uint64(t, &v->u, errstr) == -1)
			return -1;
		break;
	case SNMP_T_NOSUCHOBJECT:
	case SNMP_T_NOSUCHINSTANCE:
	case SNMP_T_ENDOFMIBVIEW:
		if (t->len != 0)
			FAIL("exception value with contents");
		break;
	default:
		FAIL("unsupported value type");
	}
	return 0;
}

/*
 * The PDU in t, which must be the last element read from parent: its
 * fields and variable-bindings go to *m.
 */
static int
decode_pdu(const struct ber_reader *parent, const struct ber_tlv *pt,
    int version, struct snmp_msg *m, const char **errstr)
{
	struct ber_reader	 pdu, vbl, vbr;
	struct ber_tlv		 t;
	struct snmp_varbind	*vb;
	int32_t			 f1, f2;
	size_t			 n, nsub;

	if (pdu_ok(version, pt->tag, errstr) == -1)
		return -1;
	if (!ber_done(parent))
		FAIL("trailing data after PDU");
	m->pdu_type = pt->tag;
	if (ber_enter(parent, pt, &pdu, errstr) == -1)
		return -1;

	if (expect_int32(&pdu, &m->request_id, "request-id is not an INTEGER",
	    errstr) == -1 ||
	    expect_int32(&pdu, &f1, "error-status is not an INTEGER",
	    errstr) == -1 ||
	    expect_int32(&pdu, &f2, "error-index is not an INTEGER",
	    errstr) == -1)
		return -1;
	if (m->pdu_type == SNMP_PDU_GETBULK) {
		m->non_repeaters = f1;
		m->max_repetitions = f2;
		m->error_status = m->error_index = 0;
	} else {
		m->error_status = f1;
		m->error_index = f2;
		m->non_repeaters = m->max_repetitions = 0;
	}

	if (expect(&pdu, BER_TAG_SEQUENCE, &t,
	    "variable-bindings is not a SEQUENCE", errstr) == -1)
		return -1;
	if (!ber_done(&pdu))
		FAIL("trailing data after variable-bindings");
	if (ber_enter(&pdu, &t, &vbl, errstr) == -1)
		return -1;

	for (n = 0; !ber_done(&vbl); n++) {
		if (n >= SNMP_MAX_VARBINDS)
			FAIL("too many variable bindings");
		vb = &m->vb[n];
		if (expect(&vbl, BER_TAG_SEQUENCE, &t,
		    "variable binding is not a SEQUENCE", errstr) == -1 ||
		    ber_enter(&vbl, &t, &vbr, errstr) == -1)
			return -1;
		if (expect(&vbr, BER_TAG_OID, &t,
		    "variable binding name is not an OID", errstr) == -1)
			return -1;
		if (ber_get_oid(&t, vb->oid.sub, SNMP_MAX_SUBIDS, &nsub,
		    errstr) == -1)
			return -1;
		vb->oid.len = nsub;
		if (ber_done(&vbr))
			FAIL("variable binding without value");
		if (ber_read(&vbr, &t, errstr) == -1 ||
		    decode_value(&t, &vb->v, errstr) == -1)
			return -1;
		if (!ber_done(&vbr))
			FAIL("trailing data in variable binding");
	}
	m->nvarbinds = n;
	return 0;
}

int
snmp_decode(const uint8_t *pkt, size_t len, struct snmp_msg *m,
    const char **errstr)
{
	struct ber_reader	 top, msg;
	struct ber_tlv		 t;
	int32_t			 version;

	m->nvarbinds = 0;
	if (len > SNMP_MAX_MSGLEN)
		FAIL("message too long");

	ber_reader_init(&top, pkt, len);
	if (expect(&top, BER_TAG_SEQUENCE, &t, "message is not a SEQUENCE",
	    errstr) == -1)
		return -1;
	if (!ber_done(&top))
		FAIL("trailing data after message");
	if (ber_enter(&top, &t, &msg, errstr) == -1)
		return -1;

	if (expect_int32(&msg, &version, "version is not an INTEGER",
	    errstr) == -1)
		return -1;
	if (version == SNMP_V3)
		FAIL("SNMPv3 not supported by this decoder");
	if (version != SNMP_V1 && version != SNMP_V2C)
		FAIL("unknown SNMP version");
	m->version = version;

	if (expect(&msg, BER_TAG_OCTETS, &t, "community is not an OCTET STRING",
	    errstr) == -1)
		return -1;
	if (t.len > SNMP_MAX_COMMUNITY)
		FAIL("community too long");
	m->community = t.v;
	m->community_len = t.len;

	if (ber_read(&msg, &t, errstr) == -1)
		return -1;
	return decode_pdu(&msg, &t, version, m, errstr);
}

static int
header_ok(int version, const uint8_t *community, size_t clen,
    uint8_t pdu_type)
{
	const char	*errstr;

	if (version != SNMP_V1 && version != SNMP_V2C)
		return -1;
	if (clen > SNMP_MAX_COMMUNITY || (clen > 0 && community == NULL))
		return -1;
	return pdu_ok(version, pdu_type, &errstr);
}

static void
put_oid(struct ber_writer *w, const struct snmp_oid *o)
{
	if (o->len > SNMP_MAX_SUBIDS) {
		w->err = 1;
		return;
	}
	ber_put_oid(w, BER_TAG_OID, o->sub, o->len);
}

static void
put_value(struct ber_writer *w, const struct snmp_value *v)
{
	switch (v->type) {
	case SNMP_T_INTEGER:
		if (v->i < INT32_MIN || v->i > INT32_MAX)
			w->err = 1;
		else
			ber_put_int(w, v->type, v->i);
		break;
	case SNMP_T_IPADDR:
		if (v->slen != 4) {
			w->err = 1;
			break;
		}
		/* FALLTHROUGH */
	case SNMP_T_OCTETS:
	case SNMP_T_OPAQUE:
		ber_put_octets(w, v->type, v->s, v->slen);
		break;
	case SNMP_T_NULL:
	case SNMP_T_NOSUCHOBJECT:
	case SNMP_T_NOSUCHINSTANCE:
	case SNMP_T_ENDOFMIBVIEW:
		ber_put_null(w, v->type);
		break;
	case SNMP_T_OID:
		put_oid(w, &v->oid);
		break;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
		if (v->u > UINT32_MAX)
			w->err = 1;
		else
			ber_put_uint(w, v->type, v->u);
		break;
	case SNMP_T_COUNTER64:
		ber_put_uint(w, v->type, v->u);
		break;
	default:
		w->err = 1;
		break;
	}
}

/* the variable-bindings of m, and the fields it leaves to the PDU */
static void
put_varbinds(struct ber_writer *w, const struct snmp_msg *m, int32_t *f1,
    int32_t *f2)
{
	const struct snmp_varbind	*vb;
	size_t				 mark, i;

	if (m->nvarbinds > SNMP_MAX_VARBINDS) {
		w->err = 1;
		return;
	}
	for (i = m->nvarbinds; i > 0 && !w->err; i--) {
		vb = &m->vb[i - 1];
		mark = ber_mark(w);
		put_value(w, &vb->v);
		put_oid(w, &vb->oid);
		ber_close(w, BER_TAG_SEQUENCE, mark);
	}
	if (m->pdu_type == SNMP_PDU_GETBULK) {
		*f1 = m->non_repeaters;
		*f2 = m->max_repetitions;
	} else {
		*f1 = m->error_status;
		*f2 = m->error_index;
	}
}

/* the variable-bindings of a request: every value NULL */
static void
put_request_varbinds(struct ber_writer *w, const struct snmp_oid *oids,
    size_t noids)
{
	size_t	 mark, i;

	if (noids > SNMP_MAX_VARBINDS || (noids > 0 && oids == NULL)) {
		w->err = 1;
		return;
	}
	for (i = noids; i > 0 && !w->err; i--) {
		mark = ber_mark(w);
		ber_put_null(w, BER_TAG_NULL);
		put_oid(w, &oids[i - 1]);
		ber_close(w, BER_TAG_SEQUENCE, mark);
	}
}

/*
 * The PDU around the variable-bindings written since end, which is also
 * where the PDU ends (the writer goes backwards).
 */
static void
put_pdu(struct ber_writer *w, size_t end, uint8_t pdu_type, int32_t reqid,
    int32_t f1, int32_t f2)
{
	ber_close(w, BER_TAG_SEQUENCE, end);
	ber_put_int(w, BER_TAG_INTEGER, f2);
	ber_put_int(w, BER_TAG_INTEGER, f1);
	ber_put_int(w, BER_TAG_INTEGER, reqid);
	ber_close(w, pdu_type, end);
}

/* move the writer's output to the start of buf */
static int
writer_out(const struct ber_writer *w, uint8_t *buf, size_t *outlen)
{
	const uint8_t	*data;
	size_t		 len;

	if ((data = ber_writer_data(w, &len)) == NULL)
		return -1;
	memmove(buf, data, len);
	*outlen = len;
	return 0;
}

/* the v1/v2c message around a PDU that ends at end */
static int
finish(struct ber_writer *w, size_t end, int version,
    const uint8_t *community, size_t clen, uint8_t *buf, size_t *outlen)
{
	ber_put_octets(w, BER_TAG_OCTETS, community, clen);
	ber_put_int(w, BER_TAG_INTEGER, version);
	ber_close(w, BER_TAG_SEQUENCE, end);
	return writer_out(w, buf, outlen);
}

static void
writer_init(struct ber_writer *w, uint8_t *buf, size_t bufsz)
{
	ber_writer_init(w, buf, bufsz < SNMP_MAX_MSGLEN ? bufsz :
	    SNMP_MAX_MSGLEN);
}

int
snmp_encode(const struct snmp_msg *m, uint8_t *buf, size_t bufsz,
    size_t *outlen)
{
	struct ber_writer	 w;
	size_t			 end;
	int32_t			 f1 = 0, f2 = 0;

	if (header_ok(m->version, m->community, m->community_len,
	    m->pdu_type) == -1 || m->nvarbinds > SNMP_MAX_VARBINDS)
		return -1;
	writer_init(&w, buf, bufsz);
	end = ber_mark(&w);
	put_varbinds(&w, m, &f1, &f2);
	put_pdu(&w, end, m->pdu_type, m->request_id, f1, f2);
	return finish(&w, end, m->version, m->community, m->community_len,
	    buf, outlen);
}

int
snmp_encode_request(int version, const char *community, uint8_t pdu_type,
    int32_t reqid, int32_t nonrep, int32_t maxrep,
    const struct snmp_oid *oids, size_t noids, uint8_t *buf, size_t bufsz,
    size_t *outlen)
{
	struct ber_writer	 w;
	size_t			 end, clen;

	if (community == NULL)
		return -1;
	clen = strlen(community);
	if (header_ok(version, (const uint8_t *)community, clen,
	    pdu_type) == -1 || noids > SNMP_MAX_VARBINDS ||
	    (noids > 0 && oids == NULL))
		return -1;
	if (pdu_type != SNMP_PDU_GETBULK)
		nonrep = maxrep = 0;

	writer_init(&w, buf, bufsz);
	end = ber_mark(&w);
	put_request_varbinds(&w, oids, noids);
	put_pdu(&w, end, pdu_type, reqid, nonrep, maxrep);
	return finish(&w, end, version, (const uint8_t *)community, clen,
	    buf, outlen);
}

int
snmp_oid_parse(const char *s, struct snmp_oid *o)
{
	uint64_t	 v;
	uint32_t	 n = 0;

	o->len = 0;
	if (*s == '.')
		s++;
	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;	/* empty, a bad character, ".." */
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > UINT32_MAX)
				return -1;
		}
		if (n >= SNMP_MAX_SUBIDS)
			return -1;
		o->sub[n++] = (uint32_t)v;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return -1;
	}
	o->len = n;
	return 0;
}

/* a bounded string builder: always NUL-terminated, remembers truncation */
struct out {
	char	*p;
	size_t	 left;		/* room including the NUL */
	int	 trunc;
};

static void
out_init(struct out *o, char *buf, size_t bufsz)
{
	o->p = buf;
	o->left = bufsz;
	o->trunc = 0;
	if (bufsz == 0)
		o->trunc = 1;
	else
		*buf = '\0';
}

static void
out_mem(struct out *o, const char *s, size_t n)
{
	if (o->trunc || n == 0)
		return;
	if (n >= o->left) {
		o->trunc = 1;
		n = o->left - 1;
	}
	memcpy(o->p, s, n);
	o->p += n;
	o->left -= n;
	*o->p = '\0';
}

static void
out_u64(struct out *o, uint64_t v)
{
	char	 tmp[20];
	size_t	 n = sizeof(tmp);

	do {
		tmp[--n] = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	out_mem(o, tmp + n, sizeof(tmp) - n);
}

static void
out_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		out_mem(o, "-", 1);
		out_u64(o, -(uint64_t)v);
	} else
		out_u64(o, (uint64_t)v);
}

static void
out_hex(struct out *o, const uint8_t *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 tmp[2];

	while (n-- > 0 && !o->trunc) {
		tmp[0] = hex[*p >> 4];
		tmp[1] = hex[*p++ & 0x0f];
		out_mem(o, tmp, 2);
	}
}

static void
out_oid(struct out *o, const struct snmp_oid *oid)
{
	uint32_t	 i;

	for (i = 0; i < oid->len && i < SNMP_MAX_SUBIDS; i++) {
		if (i > 0)
			out_mem(o, ".", 1);
		out_u64(o, oid->sub[i]);
	}
}

int
snmp_oid_fmt(const struct snmp_oid *oid, char *buf, size_t bufsz)
{
	struct out	 o;

	out_init(&o, buf, bufsz);
	if (oid->len > SNMP_MAX_SUBIDS)
		return -1;
	out_oid(&o, oid);
	return o.trunc ? -1 : 0;
}

int
snmp_oid_cmp(const struct snmp_oid *a, const struct snmp_oid *b)
{
	uint32_t	 i, n = a->len < b->len ? a->len : b->len;

	for (i = 0; i < n; i++) {
		if (a->sub[i] != b->sub[i])
			return a->sub[i] < b->sub[i] ? -1 : 1;
	}
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

int
snmp_oid_is_prefix(const struct snmp_oid *prefix, const struct snmp_oid *o)
{
	uint32_t	 i;

	if (prefix->len > o->len)
		return 0;
	for (i = 0; i < prefix->len; i++) {
		if (prefix->sub[i] != o->sub[i])
			return 0;
	}
	return 1;
}

int
snmp_oid_append(struct snmp_oid *o, uint32_t sub)
{
	if (o->len >= SNMP_MAX_SUBIDS)
		return -1;
	o->sub[o->len++] = sub;
	return 0;
}

const char *
snmp_type_name(uint8_t type)
{
	switch (type) {
	case SNMP_T_INTEGER:		return "INTEGER";
	case SNMP_T_OCTETS:		return "OCTET STRING";
	case SNMP_T_NULL:		return "NULL";
	case SNMP_T_OID:		return "OBJECT IDENTIFIER";
	case SNMP_T_IPADDR:		return "IpAddress";
	case SNMP_T_COUNTER32:		return "Counter32";
	case SNMP_T_GAUGE32:		return "Gauge32";
	case SNMP_T_TIMETICKS:		return "TimeTicks";
	case SNMP_T_OPAQUE:		return "Opaque";
	case SNMP_T_COUNTER64:		return "Counter64";
	case SNMP_T_NOSUCHOBJECT:	return "noSuchObject";
	case SNMP_T_NOSUCHINSTANCE:	return "noSuchInstance";
	case SNMP_T_ENDOFMIBVIEW:	return "endOfMibView";
	default:			return "unknown";
	}
}

const char *
snmp_error_name(int32_t error_status)
{
	static const char *const names[] = {
		"noError", "tooBig", "noSuchName", "badValue", "readOnly",
		"genErr", "noAccess", "wrongType", "wrongLength",
		"wrongEncoding", "wrongValue", "noCreation",
		"inconsistentValue", "resourceUnavailable", "commitFailed",
		"undoFailed", "authorizationError", "notWritable",
		"inconsistentName"
	};

	if (error_status < 0 ||
	    (size_t)error_status >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[error_status];
}

const char *
snmp_pdu_name(uint8_t type)
{
	switch (type) {
	case SNMP_PDU_GET:		return "GetRequest";
	case SNMP_PDU_GETNEXT:		return "GetNextRequest";
	case SNMP_PDU_RESPONSE:		return "Response";
	case SNMP_PDU_SET:		return "SetRequest";
	case SNMP_PDU_GETBULK:		return "GetBulkRequest";
	case SNMP_PDU_INFORM:		return "InformRequest";
	case SNMP_PDU_TRAPV2:		return "SNMPv2-Trap";
	case SNMP_PDU_REPORT:		return "Report";
	default:			return "unknown";
	}
}

static int
printable(const uint8_t *s, size_t n)
{
	size_t	 i;

	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return 0;	/* snmprec readers strip the line */
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	}
	return 1;
}

int
snmp_value_fmt(const struct snmp_value *v, char *buf, size_t bufsz)
{
	struct out	 o;
	size_t		 i;

	out_init(&o, buf, bufsz);
	out_u64(&o, v->type);
	switch (v->type) {
	case SNMP_T_INTEGER:
		out_mem(&o, "|", 1);
		out_i64(&o, v->i);
		break;
	case SNMP_T_OCTETS:
		if (v->slen > 0 && v->s == NULL)
			return -1;
		if (printable(v->s, v->slen)) {
			out_mem(&o, "|", 1);
			out_mem(&o, (const char *)v->s, v->slen);
			break;
		}
		/* FALLTHROUGH */
	case SNMP_T_OPAQUE:
		if (v->slen > 0 && v->s == NULL)
			return -1;
		out_mem(&o, "x|", 2);
		out_hex(&o, v->s, v->slen);
		break;
	case SNMP_T_IPADDR:
		if (v->slen != 4 || v->s == NULL)
			return -1;
		out_mem(&o, "|", 1);
		for (i = 0; i < 4; i++) {
			if (i > 0)
				out_mem(&o, ".", 1);
			out_u64(&o, v->s[i]);
		}
		break;
	case SNMP_T_OID:
		out_mem(&o, "|", 1);
		out_oid(&o, &v->oid);
		break;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
	case SNMP_T_COUNTER64:
		out_mem(&o, "|", 1);
		out_u64(&o, v->u);
		break;
	default:
		out_mem(&o, "|", 1);
		break;
	}
	return o.trunc ? -1 : 0;
}

/* the four octets of the request-id of an encoded v1/v2c message */
int
snmp_reqid_offset(const uint8_t *pkt, size_t len, size_t *off)
{
	struct ber_reader	 r, msg, pdu;
	struct ber_tlv		 t, id;
	const char		*why;

	ber_reader_init(&r, pkt, len);
	if (ber_expect(&r, BER_TAG_SEQUENCE, &t, &why) == -1 ||
	    ber_enter(&r, &t, &msg, &why) == -1 ||
	    ber_expect(&msg, BER_TAG_INTEGER, &t, &why) == -1 ||
	    ber_expect(&msg, BER_TAG_OCTETS, &t, &why) == -1 ||
	    ber_read(&msg, &t, &why) == -1 ||
	    ber_enter(&msg, &t, &pdu, &why) == -1 ||
	    ber_expect(&pdu, BER_TAG_INTEGER, &id, &why) == -1)
		return -1;
	if (id.len != 4)
		return -1;
	*off = (size_t)(id.v - pkt);
	return 0;
}

int
snmp_scoped_reqid_offset(const uint8_t *buf, size_t len, size_t *off)
{
	struct ber_reader	 r, sc, pdu;
	struct ber_tlv		 t, id;
	const char		*why;

	ber_reader_init(&r, buf, len);
	if (ber_expect(&r, BER_TAG_SEQUENCE, &t, &why) == -1 ||
	    ber_enter(&r, &t, &sc, &why) == -1 ||
	    ber_expect(&sc, BER_TAG_OCTETS, &t, &why) == -1 ||
	    ber_expect(&sc, BER_TAG_OCTETS, &t, &why) == -1 ||
	    ber_read(&sc, &t, &why) == -1 ||
	    ber_enter(&sc, &t, &pdu, &why) == -1 ||
	    ber_expect(&pdu, BER_TAG_INTEGER, &id, &why) == -1)
		return -1;
	if (id.len != 4)
		return -1;
	*off = (size_t)(id.v - buf);
	return 0;
}

void
snmp_reqid_set(uint8_t *pkt, size_t off, int32_t id)
{
	pkt[off] = (uint8_t)((uint32_t)id >> 24);
	pkt[off + 1] = (uint8_t)((uint32_t)id >> 16);
	pkt[off + 2] = (uint8_t)((uint32_t)id >> 8);
	pkt[off + 3] = (uint8_t)id;
}

void
snmp_oid_copy(struct snmp_oid *dst, const struct snmp_oid *src)
{
	dst->len = src->len <= SNMP_MAX_SUBIDS ? src->len : SNMP_MAX_SUBIDS;
	memcpy(dst->sub, src->sub, dst->len * sizeof(src->sub[0]));
}

/* SNMPv3 */

static int
expect_octets(struct ber_reader *r, size_t max, const uint8_t **p,
    size_t *len, const char *badtag, const char *toolong,
    const char **errstr)
{
	struct ber_tlv	 t;

	if (expect(r, BER_TAG_OCTETS, &t, badtag, errstr) == -1)
		return -1;
	if (t.len > max)
		FAIL(toolong);
	*p = t.len > 0 ? t.v : NULL;
	*len = t.len;
	return 0;
}

static int
expect_nonneg(struct ber_reader *r, int32_t min, int32_t *v,
    const char *badtag, const char *range, const char **errstr)
{
	if (expect_int32(r, v, badtag, errstr) == -1)
		return -1;
	if (*v < min)
		FAIL(range);
	return 0;
}

static int
engineid_ok(size_t len)
{
	return len == 0 || (len >= SNMP_V3_MIN_ENGINEID &&
	    len <= SNMP_V3_MAX_ENGINEID);
}

static int
flags_ok(uint8_t flags, const char **errstr)
{
	if (flags & ~(SNMP_V3_F_AUTH | SNMP_V3_F_PRIV | SNMP_V3_F_REPORTABLE))
		FAIL("reserved msgFlags bits set");
	if ((flags & SNMP_V3_F_PRIV) && !(flags & SNMP_V3_F_AUTH))
		FAIL("privacy without authentication");
	return 0;
}

static int
decode_global(struct ber_reader *msg, struct snmp_v3 *h, const char **errstr)
{
	struct ber_reader	 g;
	struct ber_tlv		 t;
	int32_t			 model;

	if (expect(msg, BER_TAG_SEQUENCE, &t, "msgGlobalData is not a SEQUENCE",
	    errstr) == -1 ||
	    ber_enter(msg, &t, &g, errstr) == -1)
		return -1;
	if (expect_nonneg(&g, 0, &h->msgid, "msgID is not an INTEGER",
	    "msgID out of range", errstr) == -1 ||
	    expect_nonneg(&g, SNMP_V3_MIN_MAXSIZE, &h->maxsize,
	    "msgMaxSize is not an INTEGER", "msgMaxSize out of range",
	    errstr) == -1)
		return -1;
	if (expect(&g, BER_TAG_OCTETS, &t, "msgFlags is not an OCTET STRING",
	    errstr) == -1)
		return -1;
	if (t.len != 1)
		FAIL("msgFlags not of one octet");
	h->flags = t.v[0];
	if (flags_ok(h->flags, errstr) == -1)
		return -1;
	if (expect_int32(&g, &model, "msgSecurityModel is not an INTEGER",
	    errstr) == -1)
		return -1;
	if (model != SNMP_V3_SEC_USM)
		FAIL("security model not USM");
	if (!ber_done(&g))
		FAIL("trailing data in msgGlobalData");
	return 0;
}

/* UsmSecurityParameters, in the contents of an OCTET STRING */
static int
decode_usm(const struct ber_tlv *os, struct snmp_v3 *h, const char **errstr)
{
	struct ber_reader	 r, u;
	struct ber_tlv		 t;

	ber_reader_init(&r, os->v, os->len);
	if (expect(&r, BER_TAG_SEQUENCE, &t,
	    "UsmSecurityParameters is not a SEQUENCE", errstr) == -1)
		return -1;
	if (!ber_done(&r))
		FAIL("trailing data after UsmSecurityParameters");
	if (ber_enter(&r, &t, &u, errstr) == -1)
		return -1;
	if (expect_octets(&u, SNMP_V3_MAX_ENGINEID, &h->engineid,
	    &h->engineid_len, "msgAuthoritativeEngineID is not an OCTET STRING",
	    "msgAuthoritativeEngineID too long", errstr) == -1)
		return -1;
	if (!engineid_ok(h->engineid_len))
		FAIL("msgAuthoritativeEngineID too short");
	if (expect_nonneg(&u, 0, &h->boots,
	    "msgAuthoritativeEngineBoots is not an INTEGER",
	    "msgAuthoritativeEngineBoots out of range", errstr) == -1 ||
	    expect_nonneg(&u, 0, &h->time,
	    "msgAuthoritativeEngineTime is not an INTEGER",
	    "msgAuthoritativeEngineTime out of range", errstr) == -1)
		return -1;
	if (expect_octets(&u, SNMP_V3_MAX_USER, &h->user, &h->user_len,
	    "msgUserName is not an OCTET STRING", "msgUserName too long",
	    errstr) == -1 ||
	    expect_octets(&u, SNMP_V3_MAX_AUTHPARAMS, &h->authp, &h->authp_len,
	    "msgAuthenticationParameters is not an OCTET STRING",
	    "msgAuthenticationParameters too long", errstr) == -1 ||
	    expect_octets(&u, SNMP_V3_MAX_PRIVPARAMS, &h->privp, &h->privp_len,
	    "msgPrivacyParameters is not an OCTET STRING",
	    "msgPrivacyParameters too long", errstr) == -1)
		return -1;
	if (!ber_done(&u))
		FAIL("trailing data in UsmSecurityParameters");
	return 0;
}

int
snmp_v3_decode(const uint8_t *pkt, size_t len, struct snmp_v3 *h,
    const char **errstr)
{
	struct ber_reader	 top, msg;
	struct ber_tlv		 t;
	const uint8_t		*start;
	int32_t			 version;

	memset(h, 0, sizeof(*h));
	if (len > SNMP_MAX_MSGLEN)
		FAIL("message too long");
	ber_reader_init(&top, pkt, len);
	if (expect(&top, BER_TAG_SEQUENCE, &t, "message is not a SEQUENCE",
	    errstr) == -1)
		return -1;
	if (!ber_done(&top))
		FAIL("trailing data after message");
	if (ber_enter(&top, &t, &msg, errstr) == -1)
		return -1;
	if (expect_int32(&msg, &version, "version is not an INTEGER",
	    errstr) == -1)
		return -1;
	if (version != SNMP_V3)
		FAIL("not an SNMPv3 message");
	if (decode_global(&msg, h, errstr) == -1)
		return -1;
	if (expect(&msg, BER_TAG_OCTETS, &t,
	    "msgSecurityParameters is not an OCTET STRING", errstr) == -1 ||
	    decode_usm(&t, h, errstr) == -1)
		return -1;

	start = msg.p;
	if (h->flags & SNMP_V3_F_PRIV) {
		if (expect(&msg, BER_TAG_OCTETS, &t,
		    "encryptedPDU is not an OCTET STRING", errstr) == -1)
			return -1;
		h->data = t.v;
		h->data_len = t.len;
	} else {
		if (expect(&msg, BER_TAG_SEQUENCE, &t,
		    "ScopedPDU is not a SEQUENCE", errstr) == -1)
			return -1;
		h->data = start;
		h->data_len = (size_t)(t.v + t.len - start);
	}
	if (!ber_done(&msg))
		FAIL("trailing data after msgData");
	return 0;
}

int
snmp_scoped_decode(const uint8_t *p, size_t len, struct snmp_scoped *s,
    struct snmp_msg *m, const char **errstr)
{
	struct ber_reader	 top, sp;
	struct ber_tlv		 t;

	m->nvarbinds = 0;
	if (len > SNMP_MAX_MSGLEN)
		FAIL("ScopedPDU too long");
	ber_reader_init(&top, p, len);
	if (expect(&top, BER_TAG_SEQUENCE, &t, "ScopedPDU is not a SEQUENCE",
	    errstr) == -1)
		return -1;
	if (!ber_done(&top))
		FAIL("trailing data after ScopedPDU");
	if (ber_enter(&top, &t, &sp, errstr) == -1)
		return -1;
	if (expect_octets(&sp, SNMP_V3_MAX_ENGINEID, &s->ctx_engineid,
	    &s->ctx_engineid_len, "contextEngineID is not an OCTET STRING",
	    "contextEngineID too long", errstr) == -1 ||
	    expect_octets(&sp, SNMP_V3_MAX_CONTEXT, &s->ctx_name,
	    &s->ctx_name_len, "contextName is not an OCTET STRING",
	    "contextName too long", errstr) == -1)
		return -1;
	m->version = SNMP_V3;
	m->community = NULL;
	m->community_len = 0;
	if (ber_read(&sp, &t, errstr) == -1)
		return -1;
	return decode_pdu(&sp, &t, SNMP_V3, m, errstr);
}

/* data[0..len) is exactly one SEQUENCE */
static int
one_sequence(const uint8_t *data, size_t len)
{
	struct ber_reader	 r;
	struct ber_tlv		 t;
	const char		*errstr;

	ber_reader_init(&r, data, len);
	if (ber_expect(&r, BER_TAG_SEQUENCE, &t, &errstr) == -1)
		return 0;
	return ber_done(&r);
}

static int
v3_ok(const struct snmp_v3 *h)
{
	const char	*errstr;

	if (h->msgid < 0 || h->maxsize < SNMP_V3_MIN_MAXSIZE ||
	    flags_ok(h->flags, &errstr) == -1 ||
	    !engineid_ok(h->engineid_len) || h->boots < 0 || h->time < 0 ||
	    h->engineid_len > SNMP_V3_MAX_ENGINEID ||
	    h->user_len > SNMP_V3_MAX_USER ||
	    h->authp_len > SNMP_V3_MAX_AUTHPARAMS ||
	    h->privp_len > SNMP_V3_MAX_PRIVPARAMS)
		return 0;
	if ((h->engineid_len > 0 && h->engineid == NULL) ||
	    (h->user_len > 0 && h->user == NULL) ||
	    (h->privp_len > 0 && h->privp == NULL) ||
	    (h->data_len > 0 && h->data == NULL))
		return 0;
	if (!(h->flags & SNMP_V3_F_PRIV) && !one_sequence(h->data, h->data_len))
		return 0;
	return 1;
}

/* n octets from p, which may lie anywhere in the writer's buffer */
static void
put_moved(struct ber_writer *w, const uint8_t *p, size_t n)
{
	if (w->err)
		return;
	if (n > w->pos) {
		w->err = 1;
		return;
	}
	w->pos -= n;
	if (n > 0)
		memmove(w->buf + w->pos, p, n);
}

int
snmp_v3_encode(const struct snmp_v3 *h, uint8_t *buf, size_t bufsz,
    size_t *outlen, size_t *authoff)
{
	static const uint8_t	 zeros[SNMP_V3_MAX_AUTHPARAMS];
	struct ber_writer	 w;
	size_t			 end, mark, authpos;

	if (!v3_ok(h))
		return -1;
	writer_init(&w, buf, bufsz);
	end = ber_mark(&w);

	/* msgData first: it may lie where the header is about to go */
	put_moved(&w, h->data, h->data_len);
	if (h->flags & SNMP_V3_F_PRIV)
		ber_put_header(&w, BER_TAG_OCTETS, h->data_len);

	mark = ber_mark(&w);
	ber_put_octets(&w, BER_TAG_OCTETS, h->privp, h->privp_len);
	ber_put_raw(&w, h->authp != NULL ? h->authp : zeros, h->authp_len);
	authpos = ber_mark(&w);
	ber_put_header(&w, BER_TAG_OCTETS, h->authp_len);
	ber_put_octets(&w, BER_TAG_OCTETS, h->user, h->user_len);
	ber_put_int(&w, BER_TAG_INTEGER, h->time);
	ber_put_int(&w, BER_TAG_INTEGER, h->boots);
	ber_put_octets(&w, BER_TAG_OCTETS, h->engineid, h->engineid_len);
	ber_close(&w, BER_TAG_SEQUENCE, mark);
	ber_close(&w, BER_TAG_OCTETS, mark);

	mark = ber_mark(&w);
	ber_put_int(&w, BER_TAG_INTEGER, SNMP_V3_SEC_USM);
	ber_put_octets(&w, BER_TAG_OCTETS, &h->flags, 1);
	ber_put_int(&w, BER_TAG_INTEGER, h->maxsize);
	ber_put_int(&w, BER_TAG_INTEGER, h->msgid);
	ber_close(&w, BER_TAG_SEQUENCE, mark);
	ber_put_int(&w, BER_TAG_INTEGER, SNMP_V3);
	ber_close(&w, BER_TAG_SEQUENCE, end);
	if (w.err)
		return -1;
	*authoff = authpos - w.pos;
	return writer_out(&w, buf, outlen);
}

static int
scoped_ok(const struct snmp_scoped *s)
{
	if (s->ctx_engineid_len > SNMP_V3_MAX_ENGINEID ||
	    s->ctx_name_len > SNMP_V3_MAX_CONTEXT ||
	    (s->ctx_engineid_len > 0 && s->ctx_engineid == NULL) ||
	    (s->ctx_name_len > 0 && s->ctx_name == NULL))
		return 0;
	return 1;
}

static int
scoped_finish(struct ber_writer *w, size_t end, const struct snmp_scoped *s,
    uint8_t *buf, size_t *outlen)
{
	ber_put_octets(w, BER_TAG_OCTETS, s->ctx_name, s->ctx_name_len);
	ber_put_octets(w, BER_TAG_OCTETS, s->ctx_engineid,
	    s->ctx_engineid_len);
	ber_close(w, BER_TAG_SEQUENCE, end);
	return writer_out(w, buf, outlen);
}

int
snmp_scoped_encode(const struct snmp_scoped *s, const struct snmp_msg *m,
    uint8_t *buf, size_t bufsz, size_t *outlen)
{
	struct ber_writer	 w;
	const char		*errstr;
	size_t			 end;
	int32_t			 f1 = 0, f2 = 0;

	if (!scoped_ok(s) || pdu_ok(SNMP_V3, m->pdu_type, &errstr) == -1)
		return -1;
	writer_init(&w, buf, bufsz);
	end = ber_mark(&w);
	put_varbinds(&w, m, &f1, &f2);
	put_pdu(&w, end, m->pdu_type, m->request_id, f1, f2);
	return scoped_finish(&w, end, s, buf, outlen);
}

int
snmp_scoped_encode_request(const struct snmp_scoped *s, uint8_t pdu_type,
    int32_t reqid, int32_t nonrep, int32_t maxrep,
    const struct snmp_oid *oids, size_t noids, uint8_t *buf, size_t bufsz,
    size_t *outlen)
{
	struct ber_writer	 w;
	const char		*errstr;
	size_t			 end;

	if (!scoped_ok(s) || pdu_ok(SNMP_V3, pdu_type, &errstr) == -1)
		return -1;
	if (pdu_type != SNMP_PDU_GETBULK)
		nonrep = maxrep = 0;
	writer_init(&w, buf, bufsz);
	end = ber_mark(&w);
	put_request_varbinds(&w, oids, noids);
	put_pdu(&w, end, pdu_type, reqid, nonrep, maxrep);
	return scoped_finish(&w, end, s, buf, outlen);
}

/*
 * SNMP v1/v2c messages: exact octets of known messages, round trips of
 * every value type with its edge values, and one malformed input for every
 * rule the decoder enforces.
 *
 * The requests were cross-checked against net-snmp 5.9 (snmpget -d and
 * snmpbulkget -d print the octets they send); the big response is what
 * snmpsim 0.4.5 (pysnmp) sent for a data file with edge values.
 */
#include <stdint.h>
#include <string.h>

#include "ber.h"
#include "snmp.h"
#include "snmpv3_pkts.h"
#include "test.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

static struct snmp_msg	 m, m2;
static uint8_t		 buf[2 * SNMP_MAX_MSGLEN];
static uint8_t		 big[SNMP_MAX_MSGLEN + 16];

/* snmpget -v1 -c public host 1.3.6.1.2.1.1.1.0, request-id 0x09be3ce7 */
static const uint8_t v1_get[] = {
	0x30, 0x29, 0x02, 0x01, 0x00, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i',
	'c', 0xa0, 0x1c, 0x02, 0x04, 0x09, 0xbe, 0x3c, 0xe7, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00
};

/*
 * snmpbulkget -v2c -Cn1 -Cr10 -c public host 1.3.6.1.2.1.1.3
 * 1.3.6.1.2.1.43.11, request-id 0x47234fdd
 */
static const uint8_t v2_bulk[] = {
	0x30, 0x35, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i',
	'c', 0xa5, 0x28, 0x02, 0x04, 0x47, 0x23, 0x4f, 0xdd, 0x02, 0x01, 0x01,
	0x02, 0x01, 0x0a, 0x30, 0x1a, 0x30, 0x0b, 0x06, 0x07, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x03, 0x05, 0x00, 0x30, 0x0b, 0x06, 0x07, 0x2b, 0x06,
	0x01, 0x02, 0x01, 0x2b, 0x0b, 0x05, 0x00
};

/* v1 Response, noSuchName at index 1 for 1.3.6.1.2.1.1.1.0 (by hand) */
static const uint8_t v1_nosuchname[] = {
	0x30, 0x26, 0x02, 0x01, 0x00, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i',
	'c', 0xa2, 0x19, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01,
	0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01,
	0x01, 0x00, 0x05, 0x00
};

/*
 * snmpsim's v2c Response (community "edge") for sixteen values under
 * 1.3.6.1.4.1.99999 (99999 = 0x86 0x8d 0x1f), in this order:
 *	1.1.0 INTEGER -2147483648 (pysnmp uses 5 octets: ff 80 00 00 00)
 *	1.2.0 INTEGER 2147483647	1.3.0 INTEGER -3	1.4.0 INTEGER 0
 *	2.1.0 Counter32 4294967295	2.2.0 Gauge32 0
 *	2.3.0 TimeTicks 724425094	2.4.0 Counter64 18446744073709551615
 *	2.5.0 Counter32 128		3.1.0 IpAddress 10.0.0.1
 *	3.2.0 OID 1.3.6.1.4.1.2385.3.1.112.1.2	3.3.0 OID 0.0
 *	3.4.0 OCTET STRING 00 ff	3.5.0 OCTET STRING ""
 *	3.6.0 Opaque 9f 78 04 41 20 00 00 (a float)
 *	3.7.0 OID 2.999.4294967295
 */
static const uint8_t pysnmp_resp[] = {
	0x30, 0x82, 0x01, 0x6e, 0x02, 0x01, 0x01, 0x04, 0x04, 0x65, 0x64, 0x67,
	0x65, 0xa2, 0x82, 0x01, 0x61, 0x02, 0x04, 0x76, 0x57, 0xbb, 0xee, 0x02,
	0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x82, 0x01, 0x51, 0x30, 0x14, 0x06,
	0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x01, 0x01, 0x00,
	0x02, 0x05, 0xff, 0x80, 0x00, 0x00, 0x00, 0x30, 0x13, 0x06, 0x0b, 0x2b,
	0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x01, 0x02, 0x00, 0x02, 0x04,
	0x7f, 0xff, 0xff, 0xff, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x86, 0x8d, 0x1f, 0x01, 0x03, 0x00, 0x02, 0x01, 0xfd, 0x30, 0x10,
	0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x01, 0x04,
	0x00, 0x02, 0x01, 0x00, 0x30, 0x14, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x86, 0x8d, 0x1f, 0x02, 0x01, 0x00, 0x41, 0x05, 0x00, 0xff, 0xff,
	0xff, 0xff, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86,
	0x8d, 0x1f, 0x02, 0x02, 0x00, 0x42, 0x01, 0x00, 0x30, 0x13, 0x06, 0x0b,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x02, 0x03, 0x00, 0x43,
	0x04, 0x2b, 0x2d, 0xd9, 0x86, 0x30, 0x18, 0x06, 0x0b, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x86, 0x8d, 0x1f, 0x02, 0x04, 0x00, 0x46, 0x09, 0x00, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x30, 0x11, 0x06, 0x0b, 0x2b,
	0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x02, 0x05, 0x00, 0x41, 0x02,
	0x00, 0x80, 0x30, 0x13, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86,
	0x8d, 0x1f, 0x03, 0x01, 0x00, 0x40, 0x04, 0x0a, 0x00, 0x00, 0x01, 0x30,
	0x1b, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x03,
	0x02, 0x00, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x92, 0x51, 0x03,
	0x01, 0x70, 0x01, 0x02, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x86, 0x8d, 0x1f, 0x03, 0x03, 0x00, 0x06, 0x01, 0x00, 0x30, 0x11,
	0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x03, 0x04,
	0x00, 0x04, 0x02, 0x00, 0xff, 0x30, 0x0f, 0x06, 0x0b, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x86, 0x8d, 0x1f, 0x03, 0x05, 0x00, 0x04, 0x00, 0x30, 0x16,
	0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x03, 0x06,
	0x00, 0x44, 0x07, 0x9f, 0x78, 0x04, 0x41, 0x20, 0x00, 0x00, 0x30, 0x16,
	0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x03, 0x07,
	0x00, 0x06, 0x07, 0x88, 0x37, 0x8f, 0xff, 0xff, 0xff, 0x7f
};

static int
oid_is(const struct snmp_oid *o, const char *s)
{
	char	 tmp[SNMP_OID_STRLEN];

	return snmp_oid_fmt(o, tmp, sizeof(tmp)) == 0 && strcmp(tmp, s) == 0;
}

static int
value_eq(const struct snmp_value *a, const struct snmp_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case SNMP_T_INTEGER:
		return a->i == b->i;
	case SNMP_T_OCTETS:
	case SNMP_T_OPAQUE:
	case SNMP_T_IPADDR:
		return a->slen == b->slen &&
		    (a->slen == 0 || memcmp(a->s, b->s, a->slen) == 0);
	case SNMP_T_OID:
		return snmp_oid_cmp(&a->oid, &b->oid) == 0;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
	case SNMP_T_COUNTER64:
		return a->u == b->u;
	default:
		return 1;
	}
}

static int
msg_eq(const struct snmp_msg *a, const struct snmp_msg *b)
{
	size_t	 i;

	if (a->version != b->version || a->pdu_type != b->pdu_type ||
	    a->community_len != b->community_len ||
	    (a->community_len > 0 &&
	    memcmp(a->community, b->community, a->community_len) != 0) ||
	    a->request_id != b->request_id || a->nvarbinds != b->nvarbinds)
		return 0;
	if (a->pdu_type == SNMP_PDU_GETBULK) {
		if (a->non_repeaters != b->non_repeaters ||
		    a->max_repetitions != b->max_repetitions)
			return 0;
	} else if (a->error_status != b->error_status ||
	    a->error_index != b->error_index)
		return 0;
	for (i = 0; i < a->nvarbinds; i++) {
		if (snmp_oid_cmp(&a->vb[i].oid, &b->vb[i].oid) != 0 ||
		    !value_eq(&a->vb[i].v, &b->vb[i].v))
			return 0;
	}
	return 1;
}

/* encode m, decode into m2, compare */
static int
round_trip(const struct snmp_msg *a)
{
	size_t		 len;
	const char	*e;

	if (snmp_encode(a, buf, sizeof(buf), &len) == -1)
		return 0;
	if (snmp_decode(buf, len, &m2, &e) == -1)
		return 0;
	return msg_eq(a, &m2);
}

/*
 * A message around the given contents of the variable-bindings list,
 * written with the (separately tested) BER writer; the header fields are
 * given as raw TLVs so that they too can be malformed.
 */
static size_t
mkmsg_raw(uint8_t *out, size_t outsz, const uint8_t *ver, size_t verlen,
    uint8_t pdu, const uint8_t *vbl, size_t vbllen)
{
	struct ber_writer	 w;
	const uint8_t		*p;
	size_t			 end, len;

	ber_writer_init(&w, out, outsz);
	end = ber_mark(&w);
	ber_put_raw(&w, vbl, vbllen);
	ber_close(&w, BER_TAG_SEQUENCE, end);
	ber_put_int(&w, BER_TAG_INTEGER, 0);
	ber_put_int(&w, BER_TAG_INTEGER, 0);
	ber_put_int(&w, BER_TAG_INTEGER, 1);
	ber_close(&w, pdu, end);
	ber_put_octets(&w, BER_TAG_OCTETS, "public", 6);
	ber_put_raw(&w, ver, verlen);
	ber_close(&w, BER_TAG_SEQUENCE, end);
	if ((p = ber_writer_data(&w, &len)) == NULL)
		return 0;
	memmove(out, p, len);
	return len;
}

static size_t
mkmsg(uint8_t *out, size_t outsz, int version, uint8_t pdu,
    const uint8_t *vbl, size_t vbllen)
{
	uint8_t	 ver[] = { 0x02, 0x01, (uint8_t)version };

	return mkmsg_raw(out, outsz, ver, sizeof(ver), pdu, vbl, vbllen);
}

/* a v2c Response with one variable binding: 1.3.6.1 = the raw value TLV */
static const char *
decode_value_err(const uint8_t *val, size_t vallen)
{
	uint8_t		 vbl[64];
	size_t		 n, len;
	const char	*e;

	vbl[0] = BER_TAG_SEQUENCE;
	vbl[1] = 4 + vallen;
	vbl[2] = BER_TAG_OID;
	vbl[3] = 2;
	vbl[4] = 0x2b;
	vbl[5] = 0x06;
	memcpy(vbl + 6, val, vallen);
	n = 6 + vallen;
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_RESPONSE, vbl, n);
	if (len == 0)
		return "mkmsg failed";
	if (snmp_decode(big, len, &m, &e) == 0)
		return NULL;
	return e;
}

static const char *
decode_err(const uint8_t *p, size_t len)
{
	const char	*e;

	if (snmp_decode(p, len, &m, &e) == 0)
		return NULL;
	return e;
}

TEST(encode_v1_get_like_netsnmp)
{
	struct snmp_oid	 oid;
	size_t		 len;

	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.1.0", &oid) == 0);
	CHECK(snmp_encode_request(SNMP_V1, "public", SNMP_PDU_GET, 0x09be3ce7,
	    5, 6, &oid, 1, buf, sizeof(buf), &len) == 0);
	CHECK_EQ_INT(len, sizeof(v1_get));
	CHECK(memcmp(buf, v1_get, len) == 0);
}

TEST(encode_v2c_bulk_like_netsnmp)
{
	struct snmp_oid	 oid[2];
	size_t		 len;

	CHECK(snmp_oid_parse(".1.3.6.1.2.1.1.3", &oid[0]) == 0);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.43.11", &oid[1]) == 0);
	CHECK(snmp_encode_request(SNMP_V2C, "public", SNMP_PDU_GETBULK,
	    0x47234fdd, 1, 10, oid, 2, buf, sizeof(buf), &len) == 0);
	CHECK_EQ_INT(len, sizeof(v2_bulk));
	CHECK(memcmp(buf, v2_bulk, len) == 0);
}

TEST(encode_response_by_hand)
{
	size_t	 len;

	memset(&m, 0, sizeof(m));
	m.version = SNMP_V1;
	m.community = (const uint8_t *)"public";
	m.community_len = 6;
	m.pdu_type = SNMP_PDU_RESPONSE;
	m.request_id = 1;
	m.error_status = SNMP_ERR_NOSUCHNAME;
	m.error_index = 1;
	m.nvarbinds = 1;
	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.1.0", &m.vb[0].oid) == 0);
	m.vb[0].v.type = SNMP_T_NULL;
	CHECK(snmp_encode(&m, buf, sizeof(buf), &len) == 0);
	CHECK_EQ_INT(len, sizeof(v1_nosuchname));
	CHECK(memcmp(buf, v1_nosuchname, len) == 0);
}

TEST(decode_requests)
{
	const char	*e;

	CHECK(snmp_decode(v1_get, sizeof(v1_get), &m, &e) == 0);
	CHECK_EQ_INT(m.version, SNMP_V1);
	CHECK(m.community_len == 6 && memcmp(m.community, "public", 6) == 0);
	CHECK(m.community == v1_get + 7);
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_GET);
	CHECK_EQ_INT(m.request_id, 0x09be3ce7);
	CHECK_EQ_INT(m.error_status, 0);
	CHECK_EQ_INT(m.error_index, 0);
	CHECK_EQ_INT(m.nvarbinds, 1);
	CHECK(oid_is(&m.vb[0].oid, "1.3.6.1.2.1.1.1.0"));
	CHECK_EQ_INT(m.vb[0].v.type, SNMP_T_NULL);

	CHECK(snmp_decode(v2_bulk, sizeof(v2_bulk), &m, &e) == 0);
	CHECK_EQ_INT(m.version, SNMP_V2C);
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_GETBULK);
	CHECK_EQ_INT(m.request_id, 0x47234fdd);
	CHECK_EQ_INT(m.non_repeaters, 1);
	CHECK_EQ_INT(m.max_repetitions, 10);
	CHECK_EQ_INT(m.error_status, 0);
	CHECK_EQ_INT(m.nvarbinds, 2);
	CHECK(oid_is(&m.vb[0].oid, "1.3.6.1.2.1.1.3"));
	CHECK(oid_is(&m.vb[1].oid, "1.3.6.1.2.1.43.11"));

	CHECK(snmp_decode(v1_nosuchname, sizeof(v1_nosuchname), &m, &e) == 0);
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_RESPONSE);
	CHECK_EQ_INT(m.error_status, SNMP_ERR_NOSUCHNAME);
	CHECK_EQ_INT(m.error_index, 1);
}

TEST(decode_pysnmp_response)
{
	static const uint8_t	 ip[] = { 10, 0, 0, 1 };
	static const uint8_t	 hex[] = { 0x00, 0xff };
	static const uint8_t	 opaque[] = { 0x9f, 0x78, 0x04, 0x41, 0x20,
	    0x00, 0x00 };
	const struct snmp_varbind *vb = m.vb;
	const char		*e;

	CHECK(snmp_decode(pysnmp_resp, sizeof(pysnmp_resp), &m, &e) == 0);
	CHECK_EQ_INT(m.version, SNMP_V2C);
	CHECK(m.community_len == 4 && memcmp(m.community, "edge", 4) == 0);
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_RESPONSE);
	CHECK_EQ_INT(m.request_id, 0x7657bbee);
	CHECK_EQ_INT(m.nvarbinds, 16);
	CHECK(oid_is(&vb[0].oid, "1.3.6.1.4.1.99999.1.1.0"));
	CHECK(vb[0].v.type == SNMP_T_INTEGER && vb[0].v.i == INT32_MIN);
	CHECK(vb[1].v.type == SNMP_T_INTEGER && vb[1].v.i == INT32_MAX);
	CHECK(vb[2].v.type == SNMP_T_INTEGER && vb[2].v.i == -3);
	CHECK(vb[3].v.type == SNMP_T_INTEGER && vb[3].v.i == 0);
	CHECK(vb[4].v.type == SNMP_T_COUNTER32 && vb[4].v.u == UINT32_MAX);
	CHECK(vb[5].v.type == SNMP_T_GAUGE32 && vb[5].v.u == 0);
	CHECK(vb[6].v.type == SNMP_T_TIMETICKS && vb[6].v.u == 724425094);
	CHECK(vb[7].v.type == SNMP_T_COUNTER64 && vb[7].v.u == UINT64_MAX);
	CHECK(vb[8].v.type == SNMP_T_COUNTER32 && vb[8].v.u == 128);
	CHECK(vb[9].v.type == SNMP_T_IPADDR && vb[9].v.slen == 4 &&
	    memcmp(vb[9].v.s, ip, 4) == 0);
	CHECK(vb[10].v.type == SNMP_T_OID &&
	    oid_is(&vb[10].v.oid, "1.3.6.1.4.1.2385.3.1.112.1.2"));
	CHECK(vb[11].v.type == SNMP_T_OID && oid_is(&vb[11].v.oid, "0.0"));
	CHECK(vb[12].v.type == SNMP_T_OCTETS && vb[12].v.slen == 2 &&
	    memcmp(vb[12].v.s, hex, 2) == 0);
	CHECK(vb[13].v.type == SNMP_T_OCTETS && vb[13].v.slen == 0);
	CHECK(vb[14].v.type == SNMP_T_OPAQUE && vb[14].v.slen == 7 &&
	    memcmp(vb[14].v.s, opaque, 7) == 0);
	CHECK(vb[15].v.type == SNMP_T_OID &&
	    oid_is(&vb[15].v.oid, "2.999.4294967295"));
	CHECK(oid_is(&vb[15].oid, "1.3.6.1.4.1.99999.3.7.0"));
	/* octet strings point into the packet */
	CHECK(vb[12].v.s > pysnmp_resp &&
	    vb[12].v.s < pysnmp_resp + sizeof(pysnmp_resp));
}

/*
 * Re-encoding pysnmp's response gives its octets back, except for the
 * 5-octet INTEGER -2147483648, which becomes the canonical 4 octets: the
 * variable binding, the list, the PDU and the message shrink by one.
 */
TEST(reencode_pysnmp_response)
{
	static uint8_t	 exp[sizeof(pysnmp_resp)];
	size_t		 len, explen;
	const char	*e;

	memcpy(exp, pysnmp_resp, 0x31);
	exp[0x31] = 0x04;			/* INTEGER length 5 -> 4 */
	memcpy(exp + 0x32, pysnmp_resp + 0x33, sizeof(pysnmp_resp) - 0x33);
	explen = sizeof(pysnmp_resp) - 1;
	CHECK(exp[0x03] == 0x6e && exp[0x10] == 0x61 && exp[0x20] == 0x51 &&
	    exp[0x22] == 0x14);
	exp[0x03] = 0x6d;			/* message */
	exp[0x10] = 0x60;			/* PDU */
	exp[0x20] = 0x50;			/* variable-bindings */
	exp[0x22] = 0x13;			/* the first binding */

	CHECK(snmp_decode(pysnmp_resp, sizeof(pysnmp_resp), &m, &e) == 0);
	CHECK(snmp_encode(&m, buf, sizeof(buf), &len) == 0);
	CHECK_EQ_INT(len, explen);
	CHECK(memcmp(buf, exp, len) == 0);
}

static void
set_oid(struct snmp_oid *o, const char *s)
{
	if (snmp_oid_parse(s, o) == -1)
		o->len = 0;	/* makes the round trip fail */
}

/* the next variable binding of m, named 1.3.<index>, of the given type */
static struct snmp_value *
next_vb(uint8_t type)
{
	struct snmp_varbind	*vb = &m.vb[m.nvarbinds];

	memset(vb, 0, sizeof(*vb));
	vb->oid.sub[0] = 1;
	vb->oid.sub[1] = 3;
	vb->oid.sub[2] = (uint32_t)m.nvarbinds++;
	vb->oid.len = 3;
	vb->v.type = type;
	return &vb->v;
}

TEST(round_trip_every_type)
{
	static const uint8_t	 ip[] = { 192, 168, 0, 255 };
	static const uint8_t	 bin[] = { 0x00, 0x80, 0xff, '|', '\n' };
	static uint8_t		 comm[SNMP_MAX_COMMUNITY];
	static const int64_t	 ints[] = { INT32_MIN, INT32_MIN + 1, -129,
	    -128, -1, 0, 1, 127, 128, 255, 256, INT32_MAX - 1, INT32_MAX };
	static const uint64_t	 u32s[] = { 0, 1, 127, 128, 255, 256,
	    0x7fffffff, 0x80000000, UINT32_MAX };
	static const uint64_t	 u64s[] = { 0, 1, 0x80, 0xffffffff,
	    0x100000000ULL, INT64_MAX, (uint64_t)INT64_MAX + 1,
	    UINT64_MAX - 1, UINT64_MAX };
	static const uint8_t	 ut[] = { SNMP_T_COUNTER32, SNMP_T_GAUGE32,
	    SNMP_T_TIMETICKS };
	static const uint8_t	 exc[] = { SNMP_T_NULL, SNMP_T_NOSUCHOBJECT,
	    SNMP_T_NOSUCHINSTANCE, SNMP_T_ENDOFMIBVIEW };
	struct snmp_value	*v;
	size_t			 i, j;

	memset(&m, 0, sizeof(m));
	memset(comm, 'c', sizeof(comm));
	m.version = SNMP_V2C;
	m.community = comm;
	m.community_len = sizeof(comm);
	m.pdu_type = SNMP_PDU_RESPONSE;
	m.request_id = INT32_MIN;
	m.error_status = SNMP_ERR_INCONSISTENTNAME;
	m.error_index = INT32_MAX;

	for (i = 0; i < LEN(ints); i++)
		next_vb(SNMP_T_INTEGER)->i = ints[i];
	for (j = 0; j < LEN(ut); j++) {
		for (i = 0; i < LEN(u32s); i++)
			next_vb(ut[j])->u = u32s[i];
	}
	for (i = 0; i < LEN(u64s); i++)
		next_vb(SNMP_T_COUNTER64)->u = u64s[i];
	for (i = 0; i < LEN(exc); i++)
		next_vb(exc[i]);
	v = next_vb(SNMP_T_IPADDR);
	v->s = ip;
	v->slen = 4;
	v = next_vb(SNMP_T_OCTETS);
	v->s = bin;
	v->slen = sizeof(bin);
	next_vb(SNMP_T_OCTETS);			/* empty */
	v = next_vb(SNMP_T_OPAQUE);
	v->s = bin;
	v->slen = 1;
	set_oid(&next_vb(SNMP_T_OID)->oid, "0.0");
	set_oid(&next_vb(SNMP_T_OID)->oid, "2.4294967215");
	set_oid(&next_vb(SNMP_T_OID)->oid,
	    "1.39.4294967295.0.127.128.16383.16384");
	v = next_vb(SNMP_T_OID);		/* the longest value */
	for (i = 0; i < SNMP_MAX_SUBIDS; i++)
		CHECK(snmp_oid_append(&v->oid,
		    i < 2 ? 1 : UINT32_MAX - i) == 0);
	m.vb[m.nvarbinds - 1].oid = v->oid;	/* and the longest name */

	CHECK(round_trip(&m));
	m.version = SNMP_V1;	/* Counter64 and exceptions pass in v1 too */
	CHECK(round_trip(&m));
	m.nvarbinds = 0;	/* an empty list */
	CHECK(round_trip(&m));
	m.community_len = 0;
	CHECK(round_trip(&m));
}

TEST(round_trip_pdu_types)
{
	static const uint8_t	 types[] = { SNMP_PDU_GET, SNMP_PDU_GETNEXT,
	    SNMP_PDU_RESPONSE, SNMP_PDU_SET, SNMP_PDU_GETBULK,
	    SNMP_PDU_INFORM, SNMP_PDU_TRAPV2, SNMP_PDU_REPORT };
	size_t			 i, len;
	const char		*e;

	memset(&m, 0, sizeof(m));
	m.version = SNMP_V2C;
	m.community = (const uint8_t *)"x";
	m.community_len = 1;
	m.nvarbinds = 1;
	set_oid(&m.vb[0].oid, "1.3.6.1.2.1.1.3.0");
	m.vb[0].v.type = SNMP_T_TIMETICKS;
	m.vb[0].v.u = 42;
	for (i = 0; i < LEN(types); i++) {
		m.pdu_type = types[i];
		m.request_id = (int32_t)i - 4;
		m.error_status = 18;
		m.error_index = -1;
		m.non_repeaters = INT32_MIN;
		m.max_repetitions = INT32_MAX;
		CHECK(round_trip(&m));
		if (types[i] == SNMP_PDU_GETBULK) {
			CHECK(m2.non_repeaters == INT32_MIN &&
			    m2.max_repetitions == INT32_MAX);
			CHECK(m2.error_status == 0 && m2.error_index == 0);
		} else {
			CHECK(m2.error_status == 18 && m2.error_index == -1);
			CHECK(m2.non_repeaters == 0 &&
			    m2.max_repetitions == 0);
		}
	}
	/* GetBulk with a negative max-repetitions is still well-formed */
	CHECK(snmp_encode_request(SNMP_V2C, "", SNMP_PDU_GETBULK, 7, 0, -5,
	    &m.vb[0].oid, 1, buf, sizeof(buf), &len) == 0);
	CHECK(snmp_decode(buf, len, &m2, &e) == 0);
	CHECK(m2.max_repetitions == -5 && m2.community_len == 0);
}

TEST(encode_rejects_invalid_messages)
{
	static const uint8_t	 ip3[] = { 1, 2, 3 };
	size_t			 len;

	memset(&m, 0, sizeof(m));
	m.version = SNMP_V2C;
	m.community = (const uint8_t *)"public";
	m.community_len = 6;
	m.pdu_type = SNMP_PDU_GET;
	m.nvarbinds = 1;
	set_oid(&m.vb[0].oid, "1.3.6.1");
	m.vb[0].v.type = SNMP_T_NULL;
	CHECK(snmp_encode(&m, buf, sizeof(buf), &len) == 0);

#define BAD(stmt) do {							\
	m2 = m;								\
	{ struct snmp_msg *mp = &m2; (void)mp; stmt; }			\
	CHECK(snmp_encode(&m2, buf, sizeof(buf), &len) == -1);		\
} while (0)
	BAD(mp->version = 2);
	BAD(mp->version = 3);
	BAD(mp->version = -1);
	BAD(mp->community_len = 256);
	BAD(mp->community = NULL);
	BAD(mp->pdu_type = 0xa4);
	BAD(mp->pdu_type = 0xa9);
	BAD(mp->pdu_type = 0x30);
	BAD((mp->version = SNMP_V1, mp->pdu_type = SNMP_PDU_GETBULK));
	BAD((mp->version = SNMP_V1, mp->pdu_type = SNMP_PDU_TRAPV2));
	BAD(mp->nvarbinds = SNMP_MAX_VARBINDS + 1);
	BAD(mp->vb[0].oid.len = 1);
	BAD(mp->vb[0].oid.len = 0);
	BAD(mp->vb[0].oid.len = SNMP_MAX_SUBIDS + 1);
	BAD(mp->vb[0].oid.sub[0] = 3);
	BAD(mp->vb[0].oid.sub[1] = 40);
	BAD((mp->vb[0].v.type = SNMP_T_INTEGER,
	    mp->vb[0].v.i = (int64_t)INT32_MAX + 1));
	BAD((mp->vb[0].v.type = SNMP_T_INTEGER,
	    mp->vb[0].v.i = (int64_t)INT32_MIN - 1));
	BAD((mp->vb[0].v.type = SNMP_T_COUNTER32,
	    mp->vb[0].v.u = (uint64_t)UINT32_MAX + 1));
	BAD((mp->vb[0].v.type = SNMP_T_GAUGE32, mp->vb[0].v.u = UINT64_MAX));
	BAD((mp->vb[0].v.type = SNMP_T_TIMETICKS,
	    mp->vb[0].v.u = (uint64_t)UINT32_MAX + 1));
	BAD((mp->vb[0].v.type = SNMP_T_IPADDR, mp->vb[0].v.s = ip3,
	    mp->vb[0].v.slen = 3));
	BAD((mp->vb[0].v.type = SNMP_T_OCTETS, mp->vb[0].v.s = NULL,
	    mp->vb[0].v.slen = 3));
	BAD((mp->vb[0].v.type = SNMP_T_OID, mp->vb[0].v.oid.len = 1));
	BAD(mp->vb[0].v.type = 0x47);
	BAD(mp->vb[0].v.type = 0x30);
#undef BAD

	CHECK(snmp_encode_request(3, "public", SNMP_PDU_GET, 1, 0, 0,
	    &m.vb[0].oid, 1, buf, sizeof(buf), &len) == -1);
	CHECK(snmp_encode_request(SNMP_V1, "public", SNMP_PDU_GETBULK, 1, 0, 0,
	    &m.vb[0].oid, 1, buf, sizeof(buf), &len) == -1);
	CHECK(snmp_encode_request(SNMP_V2C, NULL, SNMP_PDU_GET, 1, 0, 0,
	    &m.vb[0].oid, 1, buf, sizeof(buf), &len) == -1);
	CHECK(snmp_encode_request(SNMP_V2C, "public", SNMP_PDU_GET, 1, 0, 0,
	    NULL, 1, buf, sizeof(buf), &len) == -1);
	CHECK(snmp_encode_request(SNMP_V2C, "public", SNMP_PDU_GET, 1, 0, 0,
	    &m.vb[0].oid, SNMP_MAX_VARBINDS + 1, buf, sizeof(buf),
	    &len) == -1);
	memset(big, 'a', 256);
	big[256] = '\0';
	CHECK(snmp_encode_request(SNMP_V2C, (char *)big, SNMP_PDU_GET, 1, 0,
	    0, &m.vb[0].oid, 1, buf, sizeof(buf), &len) == -1);
	big[255] = '\0';
	CHECK(snmp_encode_request(SNMP_V2C, (char *)big, SNMP_PDU_GET, 1, 0,
	    0, &m.vb[0].oid, 1, buf, sizeof(buf), &len) == 0);
}

TEST(encode_small_buffers_never_overflow)
{
	size_t		 full, len, size, i;
	const char	*e;

	CHECK(snmp_decode(pysnmp_resp, sizeof(pysnmp_resp), &m, &e) == 0);
	CHECK(snmp_encode(&m, buf, sizeof(buf), &full) == 0);
	for (size = 0; size < full + 2; size++) {
		memset(big, 0xee, full + 16);
		if (size < full)
			CHECK(snmp_encode(&m, big, size, &len) == -1);
		else
			CHECK(snmp_encode(&m, big, size, &len) == 0 &&
			    len == full && memcmp(big, buf, full) == 0);
		for (i = size; i < full + 16; i++)
			CHECK(big[i] == 0xee);
	}
}

TEST(encode_and_decode_max_msglen)
{
	static uint8_t	 data[SNMP_MAX_MSGLEN];
	size_t		 len, fixed;
	const char	*e;

	memset(&m, 0, sizeof(m));
	m.version = SNMP_V2C;
	m.pdu_type = SNMP_PDU_RESPONSE;
	m.nvarbinds = 1;
	set_oid(&m.vb[0].oid, "1.3");
	m.vb[0].v.type = SNMP_T_OCTETS;
	m.vb[0].v.s = data;
	m.vb[0].v.slen = 1000;
	CHECK(snmp_encode(&m, buf, sizeof(buf), &len) == 0);
	fixed = len - 1000;		/* all lengths stay in 2 octets */
	m.vb[0].v.slen = SNMP_MAX_MSGLEN - fixed;
	CHECK(snmp_encode(&m, buf, sizeof(buf), &len) == 0);
	CHECK_EQ_INT(len, SNMP_MAX_MSGLEN);
	CHECK(snmp_decode(buf, len, &m2, &e) == 0);
	CHECK(m2.vb[0].v.slen == SNMP_MAX_MSGLEN - fixed);
	/* one octet more is refused, however big the buffer */
	m.vb[0].v.slen++;
	CHECK(snmp_encode(&m, buf, sizeof(buf), &len) == -1);
	/* ... and not decoded either */
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_RESPONSE, buf,
	    SNMP_MAX_MSGLEN - 20);
	CHECK(len > SNMP_MAX_MSGLEN);
	CHECK_STR(decode_err(big, len), "message too long");
}

TEST(reject_truncation_at_every_offset)
{
	const struct { const uint8_t *p; size_t n; } v[] = {
		{ v1_get, sizeof(v1_get) },
		{ v2_bulk, sizeof(v2_bulk) },
		{ v1_nosuchname, sizeof(v1_nosuchname) },
		{ pysnmp_resp, sizeof(pysnmp_resp) },
	};
	static uint8_t	 copy[sizeof(pysnmp_resp)];
	size_t		 i, n;
	const char	*e;

	for (i = 0; i < LEN(v); i++) {
		/* a copy of exactly n octets, so ASan sees any over-read */
		for (n = 0; n < v[i].n; n++) {
			uint8_t	*p = big + sizeof(big) - n;

			memcpy(p, v[i].p, n);
			CHECK(snmp_decode(p, n, &m, &e) == -1);
			CHECK(e != NULL);
		}
		memcpy(copy, v[i].p, v[i].n);
		CHECK(snmp_decode(copy, v[i].n, &m, &e) == 0);
	}
}

TEST(reject_trailing_garbage)
{
	uint8_t	 b[sizeof(v1_get) + 1];

	memcpy(b, v1_get, sizeof(v1_get));
	b[sizeof(v1_get)] = 0x00;
	CHECK_STR(decode_err(b, sizeof(b)), "trailing data after message");
	/* two messages in one datagram */
	memcpy(big, v1_get, sizeof(v1_get));
	memcpy(big + sizeof(v1_get), v1_get, sizeof(v1_get));
	CHECK_STR(decode_err(big, 2 * sizeof(v1_get)),
	    "trailing data after message");
}

/* every octet changed to a few values: no crash, and what decodes re-encodes */
TEST(corrupt_every_octet)
{
	static const uint8_t	 vals[] = { 0x00, 0x01, 0x04, 0x1f, 0x30,
	    0x7f, 0x80, 0x81, 0x84, 0xa4, 0xff };
	static uint8_t		 b[sizeof(pysnmp_resp)];
	size_t			 i, j, len;
	const char		*e;

	for (i = 0; i < sizeof(pysnmp_resp); i++) {
		for (j = 0; j < LEN(vals); j++) {
			memcpy(b, pysnmp_resp, sizeof(b));
			b[i] = vals[j];
			if (snmp_decode(b, sizeof(b), &m, &e) == -1)
				continue;
			CHECK(snmp_encode(&m, buf, sizeof(buf), &len) == 0);
			CHECK(snmp_decode(buf, len, &m2, &e) == 0);
			CHECK(msg_eq(&m, &m2));
		}
	}
}

TEST(reject_indefinite_and_long_lengths)
{
	/* the message SEQUENCE with an indefinite length */
	static const uint8_t	 indef[] = { 0x30, 0x80, 0x02, 0x01, 0x00,
	    0x00, 0x00 };
	/* a length field of five octets */
	static const uint8_t	 len5[] = { 0x30, 0x85, 0x00, 0x00, 0x00, 0x00,
	    0x03, 0x02, 0x01, 0x00 };
	/* a length larger than what follows */
	static const uint8_t	 over[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff,
	    0x02, 0x01, 0x00 };
	/* inside: the PDU claims more than the message holds */
	uint8_t			 b[sizeof(v1_get)];

	CHECK_STR(decode_err(indef, sizeof(indef)),
	    "indefinite length not allowed");
	CHECK_STR(decode_err(len5, sizeof(len5)), "length field too long");
	CHECK_STR(decode_err(over, sizeof(over)), "length exceeds input");
	memcpy(b, v1_get, sizeof(b));
	b[14]++;				/* PDU length 0x1c -> 0x1d */
	CHECK_STR(decode_err(b, sizeof(b)), "length exceeds input");
	memcpy(b, v1_get, sizeof(b));
	b[14] = 0x80;				/* PDU, indefinite */
	CHECK_STR(decode_err(b, sizeof(b)), "indefinite length not allowed");
}

TEST(accept_non_minimal_lengths)
{
	/* v1_get with the message length written as 82 00 29 */
	uint8_t		 b[sizeof(v1_get) + 2];
	const char	*e;

	b[0] = 0x30;
	b[1] = 0x82;
	b[2] = 0x00;
	b[3] = 0x29;
	memcpy(b + 4, v1_get + 2, sizeof(v1_get) - 2);
	CHECK(snmp_decode(b, sizeof(b), &m, &e) == 0);
	CHECK_EQ_INT(m.request_id, 0x09be3ce7);
}

TEST(reject_high_tag_number_form)
{
	static const uint8_t	 outer[] = { 0x3f, 0x10, 0x02, 0x00 };
	static const uint8_t	 val[] = { 0x5f, 0x01, 0x00 };
	static const uint8_t	 val2[] = { 0x9f, 0x01, 0x00 };

	CHECK_STR(decode_err(outer, sizeof(outer)),
	    "high tag number form not supported");
	CHECK_STR(decode_value_err(val, sizeof(val)),
	    "high tag number form not supported");
	CHECK_STR(decode_value_err(val2, sizeof(val2)),
	    "high tag number form not supported");
}

TEST(reject_wrong_structure)
{
	static const uint8_t	 notseq[] = { 0x31, 0x00 };
	static const uint8_t	 octver[] = { 0x04, 0x01, 0x00 };
	static const uint8_t	 seqval[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	uint8_t			 b[sizeof(v1_get)];
	uint8_t			 vbl[32];
	size_t			 len;

	CHECK_STR(decode_err(notseq, sizeof(notseq)),
	    "message is not a SEQUENCE");
	CHECK_STR(decode_err(v1_get, 0), "truncated: missing tag");
	CHECK_STR(decode_err(NULL, 0), "truncated: missing tag");

	len = mkmsg_raw(big, sizeof(big), octver, sizeof(octver),
	    SNMP_PDU_GET, NULL, 0);
	CHECK_STR(decode_err(big, len), "version is not an INTEGER");

	memcpy(b, v1_get, sizeof(b));
	b[5] = 0x02;				/* community: INTEGER */
	CHECK_STR(decode_err(b, sizeof(b)), "community is not an OCTET STRING");
	memcpy(b, v1_get, sizeof(b));
	b[15] = 0x04;				/* request-id: OCTET STRING */
	CHECK_STR(decode_err(b, sizeof(b)), "request-id is not an INTEGER");
	memcpy(b, v1_get, sizeof(b));
	b[21] = 0x05;				/* error-status: NULL, len 1 */
	CHECK_STR(decode_err(b, sizeof(b)), "error-status is not an INTEGER");
	memcpy(b, v1_get, sizeof(b));
	b[24] = 0x04;				/* error-index */
	CHECK_STR(decode_err(b, sizeof(b)), "error-index is not an INTEGER");
	memcpy(b, v1_get, sizeof(b));
	b[27] = 0x31;				/* the list: SET */
	CHECK_STR(decode_err(b, sizeof(b)),
	    "variable-bindings is not a SEQUENCE");
	memcpy(b, v1_get, sizeof(b));
	b[29] = 0xa0;				/* a binding: [0] */
	CHECK_STR(decode_err(b, sizeof(b)),
	    "variable binding is not a SEQUENCE");
	memcpy(b, v1_get, sizeof(b));
	b[31] = 0x04;				/* the name: OCTET STRING */
	CHECK_STR(decode_err(b, sizeof(b)),
	    "variable binding name is not an OID");

	/* SEQUENCE { OID 1.3 } without a value */
	memcpy(vbl, "\x30\x03\x06\x01\x2b", 5);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 5);
	CHECK_STR(decode_err(big, len), "variable binding without value");
	/* SEQUENCE { OID 1.3, NULL, NULL } */
	memcpy(vbl, "\x30\x07\x06\x01\x2b\x05\x00\x05\x00", 9);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 9);
	CHECK_STR(decode_err(big, len), "trailing data in variable binding");
	/* a value that is a SEQUENCE: deeper nesting is not SNMP */
	CHECK_STR(decode_value_err(seqval, sizeof(seqval)),
	    "unsupported value type");
	/* a list entry that is not a binding */
	memcpy(vbl, "\x05\x00", 2);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 2);
	CHECK_STR(decode_err(big, len), "variable binding is not a SEQUENCE");
}

TEST(reject_extra_fields)
{
	struct ber_writer	 w;
	const uint8_t		*p;
	size_t			 end, len;

	/* message: version, community, PDU, and an extra NULL */
	ber_writer_init(&w, big, sizeof(big));
	end = ber_mark(&w);
	ber_put_null(&w, BER_TAG_NULL);
	ber_put_raw(&w, v1_get + 13, sizeof(v1_get) - 13);	/* the PDU */
	ber_put_octets(&w, BER_TAG_OCTETS, "public", 6);
	ber_put_int(&w, BER_TAG_INTEGER, 0);
	ber_close(&w, BER_TAG_SEQUENCE, end);
	CHECK((p = ber_writer_data(&w, &len)) != NULL);
	CHECK_STR(decode_err(p, len), "trailing data after PDU");

	/* PDU: four fields and an extra NULL */
	ber_writer_init(&w, big, sizeof(big));
	end = ber_mark(&w);
	ber_put_null(&w, BER_TAG_NULL);
	ber_put_raw(&w, v1_get + 15, sizeof(v1_get) - 15);	/* fields */
	ber_close(&w, SNMP_PDU_GET, end);
	ber_put_octets(&w, BER_TAG_OCTETS, "public", 6);
	ber_put_int(&w, BER_TAG_INTEGER, 0);
	ber_close(&w, BER_TAG_SEQUENCE, end);
	CHECK((p = ber_writer_data(&w, &len)) != NULL);
	CHECK_STR(decode_err(p, len), "trailing data after variable-bindings");

	/* PDU: no variable-bindings */
	ber_writer_init(&w, big, sizeof(big));
	end = ber_mark(&w);
	ber_put_int(&w, BER_TAG_INTEGER, 0);
	ber_put_int(&w, BER_TAG_INTEGER, 0);
	ber_put_int(&w, BER_TAG_INTEGER, 1);
	ber_close(&w, SNMP_PDU_GET, end);
	ber_put_octets(&w, BER_TAG_OCTETS, "public", 6);
	ber_put_int(&w, BER_TAG_INTEGER, 0);
	ber_close(&w, BER_TAG_SEQUENCE, end);
	CHECK((p = ber_writer_data(&w, &len)) != NULL);
	CHECK_STR(decode_err(p, len), "truncated: missing tag");
}

TEST(reject_versions)
{
	static const uint8_t	 v3[] = { 0x02, 0x01, 0x03 };
	static const uint8_t	 v2[] = { 0x02, 0x01, 0x02 };
	static const uint8_t	 vm1[] = { 0x02, 0x01, 0xff };
	static const uint8_t	 vbig[] = { 0x02, 0x02, 0x01, 0x00 };
	static const uint8_t	 vempty[] = { 0x02, 0x00 };
	/* version 1 written in 5 octets: still version 1 */
	static const uint8_t	 vlong[] = { 0x02, 0x05, 0, 0, 0, 0, 1 };
	size_t			 len;
	const char		*e;

	len = mkmsg_raw(big, sizeof(big), v3, 3, SNMP_PDU_GET, NULL, 0);
	CHECK_STR(decode_err(big, len), "SNMPv3 not supported by this decoder");
	len = mkmsg_raw(big, sizeof(big), v2, 3, SNMP_PDU_GET, NULL, 0);
	CHECK_STR(decode_err(big, len), "unknown SNMP version");
	len = mkmsg_raw(big, sizeof(big), vm1, 3, SNMP_PDU_GET, NULL, 0);
	CHECK_STR(decode_err(big, len), "unknown SNMP version");
	len = mkmsg_raw(big, sizeof(big), vbig, 4, SNMP_PDU_GET, NULL, 0);
	CHECK_STR(decode_err(big, len), "unknown SNMP version");
	len = mkmsg_raw(big, sizeof(big), vempty, 2, SNMP_PDU_GET, NULL, 0);
	CHECK_STR(decode_err(big, len), "zero-length INTEGER");
	len = mkmsg_raw(big, sizeof(big), vlong, 7, SNMP_PDU_GET, NULL, 0);
	CHECK(snmp_decode(big, len, &m, &e) == 0);
	CHECK_EQ_INT(m.version, SNMP_V2C);
	CHECK_EQ_INT(m.nvarbinds, 0);
}

TEST(reject_long_community)
{
	struct ber_writer	 w;
	const uint8_t		*p;
	uint8_t			 comm[256];
	size_t			 end, len, n;
	const char		*e;

	memset(comm, 'k', sizeof(comm));
	for (len = 255; len <= 256; len++) {
		ber_writer_init(&w, buf, sizeof(buf));
		end = ber_mark(&w);
		ber_put_raw(&w, v1_get + 13, sizeof(v1_get) - 13);
		ber_put_octets(&w, BER_TAG_OCTETS, comm, len);
		ber_put_int(&w, BER_TAG_INTEGER, 0);
		ber_close(&w, BER_TAG_SEQUENCE, end);
		CHECK((p = ber_writer_data(&w, &n)) != NULL);
		if (len == 255) {
			CHECK(snmp_decode(p, n, &m, &e) == 0);
			CHECK_EQ_INT(m.community_len, 255);
		} else
			CHECK_STR(decode_err(p, n), "community too long");
	}
}

TEST(reject_pdu_types)
{
	static const uint8_t	 v2only[] = { SNMP_PDU_GETBULK,
	    SNMP_PDU_INFORM, SNMP_PDU_TRAPV2, SNMP_PDU_REPORT };
	size_t			 i, len;
	const char		*e;
	unsigned int		 t;

	len = mkmsg(big, sizeof(big), SNMP_V1, 0xa4, NULL, 0);
	CHECK_STR(decode_err(big, len), "SNMPv1 Trap PDU not supported");
	len = mkmsg(big, sizeof(big), SNMP_V2C, 0xa4, NULL, 0);
	CHECK_STR(decode_err(big, len), "SNMPv1 Trap PDU not supported");
	for (i = 0; i < LEN(v2only); i++) {
		len = mkmsg(big, sizeof(big), SNMP_V1, v2only[i], NULL, 0);
		CHECK_STR(decode_err(big, len),
		    "SNMPv2 PDU in an SNMPv1 message");
		len = mkmsg(big, sizeof(big), SNMP_V2C, v2only[i], NULL, 0);
		CHECK(snmp_decode(big, len, &m, &e) == 0);
	}
	/* every other constructed tag is refused */
	for (t = 0x20; t <= 0xfe; t++) {
		if ((t & 0x20) == 0 || (t & 0x1f) == 0x1f ||
		    (t >= 0xa0 && t <= 0xa8))
			continue;
		len = mkmsg(big, sizeof(big), SNMP_V2C, (uint8_t)t, NULL, 0);
		CHECK(len > 0);
		CHECK_STR(decode_err(big, len), "unknown PDU type");
	}
	/* a primitive encoding in the PDU's place */
	memcpy(buf, v1_get, sizeof(v1_get));
	buf[13] = 0x80;
	CHECK_STR(decode_err(buf, sizeof(v1_get)), "unknown PDU type");
}

TEST(reject_too_many_varbinds)
{
	static uint8_t	 vbl[7 * (SNMP_MAX_VARBINDS + 1)];
	size_t		 i, len;
	const char	*e;

	for (i = 0; i <= SNMP_MAX_VARBINDS; i++)
		memcpy(vbl + 7 * i, "\x30\x05\x06\x01\x2b\x05\x00", 7);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_RESPONSE, vbl,
	    7 * SNMP_MAX_VARBINDS);
	CHECK(snmp_decode(big, len, &m, &e) == 0);
	CHECK_EQ_INT(m.nvarbinds, SNMP_MAX_VARBINDS);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_RESPONSE, vbl,
	    sizeof(vbl));
	CHECK_STR(decode_err(big, len), "too many variable bindings");
}

TEST(reject_bad_names)
{
	uint8_t		 vbl[256], arcs[128];
	size_t		 n, len;
	const char	*e;

	/* 128 arcs: 1.3 and 126 more; then 129 */
	for (n = 126; n <= 127; n++) {
		struct ber_writer	 w;
		const uint8_t		*p;
		size_t			 mark;

		memset(arcs, 0x7f, sizeof(arcs));
		arcs[0] = 0x2b;
		ber_writer_init(&w, vbl, sizeof(vbl));
		mark = ber_mark(&w);
		ber_put_null(&w, BER_TAG_NULL);
		ber_put_octets(&w, BER_TAG_OID, arcs, 1 + n);
		ber_close(&w, BER_TAG_SEQUENCE, mark);
		CHECK((p = ber_writer_data(&w, &len)) != NULL);
		len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, p, len);
		if (n == 126) {
			CHECK(snmp_decode(big, len, &m, &e) == 0);
			CHECK_EQ_INT(m.vb[0].oid.len, SNMP_MAX_SUBIDS);
			CHECK(m.vb[0].oid.sub[127] == 127);
		} else
			CHECK_STR(decode_err(big, len),
			    "too many OID sub-identifiers");
	}

	/* a sub-identifier of 2^32 */
	memcpy(vbl, "\x30\x0a\x06\x06\x2b\x90\x80\x80\x80\x00\x05\x00", 12);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 12);
	CHECK_STR(decode_err(big, len), "OID sub-identifier exceeds 32 bits");
	/* 2^32 - 1 is fine */
	memcpy(vbl, "\x30\x0a\x06\x06\x2b\x8f\xff\xff\xff\x7f\x05\x00", 12);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 12);
	CHECK(snmp_decode(big, len, &m, &e) == 0);
	CHECK(oid_is(&m.vb[0].oid, "1.3.4294967295"));
	/* a leading 0x80 octet */
	memcpy(vbl, "\x30\x07\x06\x03\x2b\x80\x01\x05\x00", 9);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 9);
	CHECK_STR(decode_err(big, len), "non-minimal OID sub-identifier");
	/* an unfinished sub-identifier */
	memcpy(vbl, "\x30\x06\x06\x02\x2b\x81\x05\x00", 8);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 8);
	CHECK_STR(decode_err(big, len), "truncated OID sub-identifier");
	/* an empty name */
	memcpy(vbl, "\x30\x04\x06\x00\x05\x00", 6);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 6);
	CHECK_STR(decode_err(big, len), "empty OBJECT IDENTIFIER");
	/* first arcs: 2.100 is 180 = 81 34 */
	memcpy(vbl, "\x30\x06\x06\x02\x81\x34\x05\x00", 8);
	len = mkmsg(big, sizeof(big), SNMP_V2C, SNMP_PDU_GET, vbl, 8);
	CHECK(snmp_decode(big, len, &m, &e) == 0);
	CHECK(oid_is(&m.vb[0].oid, "2.100"));
}

TEST(reject_bad_integers)
{
	CHECK_STR(decode_value_err((const uint8_t *)"\x02\x00", 2),
	    "zero-length INTEGER");
	CHECK_STR(decode_value_err((const uint8_t *)"\x02\x06\0\0\0\0\0\1",
	    8), "INTEGER too long");
	CHECK_STR(decode_value_err((const uint8_t *)"\x02\x05\x00\x80\0\0\0",
	    7), "INTEGER out of range");
	CHECK_STR(decode_value_err((const uint8_t *)"\x02\x05\xff\x7f\xff"
	    "\xff\xff", 7), "INTEGER out of range");
	CHECK(decode_value_err((const uint8_t *)"\x02\x05\xff\x80\0\0\0",
	    7) == NULL);
	CHECK(m.vb[0].v.i == INT32_MIN);
	CHECK(decode_value_err((const uint8_t *)"\x02\x05\x00\x7f\xff\xff"
	    "\xff", 7) == NULL);
	CHECK(m.vb[0].v.i == INT32_MAX);
}

TEST(reject_bad_unsigned)
{
	static const uint8_t	 t32[] = { SNMP_T_COUNTER32, SNMP_T_GAUGE32,
	    SNMP_T_TIMETICKS };
	uint8_t			 v[12];
	size_t			 i;

	for (i = 0; i < LEN(t32); i++) {
		v[0] = t32[i];
		v[1] = 0;
		CHECK_STR(decode_value_err(v, 2), "zero-length unsigned value");
		memcpy(v + 1, "\x05\x01\x00\x00\x00\x00", 6);
		CHECK_STR(decode_value_err(v, 7),
		    "unsigned value out of range");
		memcpy(v + 1, "\x06\x00\x00\x00\x00\x00\x01", 7);
		CHECK_STR(decode_value_err(v, 8), "unsigned value too long");
		memcpy(v + 1, "\x05\x00\xff\xff\xff\xff", 6);
		CHECK(decode_value_err(v, 7) == NULL);
		CHECK(m.vb[0].v.type == t32[i] && m.vb[0].v.u == UINT32_MAX);
		/* the agent bug: 4 octets with the high bit set */
		memcpy(v + 1, "\x04\xff\xff\xff\xfe", 5);
		CHECK(decode_value_err(v, 6) == NULL);
		CHECK(m.vb[0].v.u == UINT32_MAX - 1);
	}
	v[0] = SNMP_T_COUNTER64;
	v[1] = 0;
	CHECK_STR(decode_value_err(v, 2), "zero-length unsigned value");
	memcpy(v + 1, "\x09\x01\0\0\0\0\0\0\0\0", 10);
	CHECK_STR(decode_value_err(v, 11), "unsigned value out of range");
	memcpy(v + 1, "\x0a\0\0\0\0\0\0\0\0\0\1", 11);
	CHECK_STR(decode_value_err(v, 12), "unsigned value too long");
	memcpy(v + 1, "\x08\x80\0\0\0\0\0\0\0", 9);
	CHECK(decode_value_err(v, 10) == NULL);
	CHECK(m.vb[0].v.u == 0x8000000000000000ULL);
}

TEST(reject_bad_lengths_of_fixed_types)
{
	CHECK_STR(decode_value_err((const uint8_t *)"\x40\x03\x01\x02\x03",
	    5), "IpAddress not of 4 octets");
	CHECK_STR(decode_value_err((const uint8_t *)"\x40\x05\x01\x02\x03\x04"
	    "\x05", 7), "IpAddress not of 4 octets");
	CHECK_STR(decode_value_err((const uint8_t *)"\x40\x00", 2),
	    "IpAddress not of 4 octets");
	CHECK_STR(decode_value_err((const uint8_t *)"\x05\x01\x00", 3),
	    "NULL with contents");
	CHECK_STR(decode_value_err((const uint8_t *)"\x80\x01\x00", 3),
	    "exception value with contents");
	CHECK_STR(decode_value_err((const uint8_t *)"\x81\x01\x00", 3),
	    "exception value with contents");
	CHECK_STR(decode_value_err((const uint8_t *)"\x82\x01\x00", 3),
	    "exception value with contents");
	CHECK(decode_value_err((const uint8_t *)"\x82\x00", 2) == NULL);
	CHECK_EQ_INT(m.vb[0].v.type, SNMP_T_ENDOFMIBVIEW);
	CHECK_STR(decode_value_err((const uint8_t *)"\x06\x00", 2),
	    "empty OBJECT IDENTIFIER");
}

TEST(reject_unsupported_value_types)
{
	/* BIT STRING, NsapAddress, UInteger32, a [3] context tag, BOOLEAN */
	static const uint8_t	 types[] = { 0x03, 0x45, 0x47, 0x83, 0x01,
	    0x0a, 0x48 };
	uint8_t			 v[3];
	size_t			 i;

	for (i = 0; i < LEN(types); i++) {
		v[0] = types[i];
		v[1] = 0x01;
		v[2] = 0x00;
		CHECK_STR(decode_value_err(v, 3), "unsupported value type");
	}
}

TEST(oid_parse)
{
	struct snmp_oid	 o;
	char		 s[2000];
	size_t		 i;

	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.1.0", &o) == 0);
	CHECK(o.len == 9 && o.sub[0] == 1 && o.sub[1] == 3 && o.sub[8] == 0);
	CHECK(snmp_oid_parse(".1.3.6", &o) == 0);
	CHECK(o.len == 3 && o.sub[2] == 6);
	CHECK(snmp_oid_parse("0", &o) == 0);
	CHECK(o.len == 1 && o.sub[0] == 0);
	CHECK(snmp_oid_parse("1.4294967295", &o) == 0);
	CHECK(o.sub[1] == UINT32_MAX);
	CHECK(snmp_oid_parse("1.4294967296", &o) == -1);
	CHECK(snmp_oid_parse("1.99999999999999999999999", &o) == -1);
	CHECK(snmp_oid_parse("", &o) == -1);
	CHECK(snmp_oid_parse(".", &o) == -1);
	CHECK(snmp_oid_parse("..1", &o) == -1);
	CHECK(snmp_oid_parse("1..3", &o) == -1);
	CHECK(snmp_oid_parse("1.3.", &o) == -1);
	CHECK(snmp_oid_parse("1.3a", &o) == -1);
	CHECK(snmp_oid_parse("1.-3", &o) == -1);
	CHECK(snmp_oid_parse("1.+3", &o) == -1);
	CHECK(snmp_oid_parse(" 1.3", &o) == -1);
	CHECK(snmp_oid_parse("1.3 ", &o) == -1);
	CHECK(snmp_oid_parse("iso.3", &o) == -1);
	CHECK_EQ_INT(o.len, 0);

	/* 128 arcs, then 129 */
	s[0] = '\0';
	for (i = 0; i < SNMP_MAX_SUBIDS; i++)
		strlcat(s, i ? ".7" : "7", sizeof(s));
	CHECK(snmp_oid_parse(s, &o) == 0);
	CHECK_EQ_INT(o.len, SNMP_MAX_SUBIDS);
	strlcat(s, ".7", sizeof(s));
	CHECK(snmp_oid_parse(s, &o) == -1);
}

TEST(oid_fmt)
{
	struct snmp_oid	 o;
	char		 s[SNMP_OID_STRLEN], t[SNMP_OID_STRLEN];
	size_t		 i;

	CHECK(snmp_oid_parse(".1.3.6.1.4.1.4294967295", &o) == 0);
	CHECK(snmp_oid_fmt(&o, s, sizeof(s)) == 0);
	CHECK_STR(s, "1.3.6.1.4.1.4294967295");
	/* exactly fitting, then one short: truncated and terminated */
	CHECK(snmp_oid_fmt(&o, s, 23) == 0);
	CHECK_STR(s, "1.3.6.1.4.1.4294967295");
	CHECK(snmp_oid_fmt(&o, s, 22) == -1);
	CHECK(strlen(s) == 21);
	CHECK(snmp_oid_fmt(&o, s, 1) == -1);
	CHECK_STR(s, "");
	CHECK(snmp_oid_fmt(&o, s, 0) == -1);
	o.len = 0;
	CHECK(snmp_oid_fmt(&o, s, sizeof(s)) == 0);
	CHECK_STR(s, "");
	o.len = SNMP_MAX_SUBIDS + 1;
	CHECK(snmp_oid_fmt(&o, s, sizeof(s)) == -1);

	/* the longest OID fits SNMP_OID_STRLEN and parses back */
	o.len = 0;
	for (i = 0; i < SNMP_MAX_SUBIDS; i++)
		CHECK(snmp_oid_append(&o, UINT32_MAX) == 0);
	CHECK(snmp_oid_append(&o, 1) == -1);
	CHECK_EQ_INT(o.len, SNMP_MAX_SUBIDS);
	CHECK(snmp_oid_fmt(&o, s, sizeof(s)) == 0);
	CHECK_EQ_INT(strlen(s), SNMP_OID_STRLEN - 1);
	CHECK(snmp_oid_parse(s, &o) == 0);
	CHECK(snmp_oid_fmt(&o, t, sizeof(t)) == 0);
	CHECK_STR(s, t);
}

TEST(oid_cmp_and_prefix)
{
	static const char *const sorted[] = {
		"0", "0.0", "1", "1.3", "1.3.6", "1.3.6.0", "1.3.6.1",
		"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2", "1.3.6.1.2.1.1.10",
		"1.3.6.1.2.1.43.5.1.1.17.1", "1.3.6.1.2.1.43.11",
		"1.3.6.1.2.1.43.11.1.1.9.1.1", "1.3.6.1.2.1.43.11.1.1.9.1.10",
		"1.3.6.1.2.1.43.11.1.1.9.2", "1.3.6.1.4294967295", "2",
		"4294967295"
	};
	struct snmp_oid	 a, b;
	size_t		 i, j;
	int		 c;

	for (i = 0; i < LEN(sorted); i++) {
		CHECK(snmp_oid_parse(sorted[i], &a) == 0);
		for (j = 0; j < LEN(sorted); j++) {
			CHECK(snmp_oid_parse(sorted[j], &b) == 0);
			c = snmp_oid_cmp(&a, &b);
			if (i < j)
				CHECK(c < 0);
			else if (i > j)
				CHECK(c > 0);
			else
				CHECK(c == 0);
		}
	}
	CHECK(snmp_oid_parse("1.3.6.1.2.1.43.11", &a) == 0);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.43.11.1.1.9.1.1", &b) == 0);
	CHECK(snmp_oid_is_prefix(&a, &b) == 1);
	CHECK(snmp_oid_is_prefix(&b, &a) == 0);
	CHECK(snmp_oid_is_prefix(&a, &a) == 1);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.43.1", &a) == 0);
	CHECK(snmp_oid_is_prefix(&a, &b) == 0);	/* 43.1 is not 43.11 */
	CHECK(snmp_oid_parse("1.3.6.1.2.1.43.12", &a) == 0);
	CHECK(snmp_oid_is_prefix(&a, &b) == 0);
	a.len = 0;
	CHECK(snmp_oid_is_prefix(&a, &b) == 1);
	CHECK(snmp_oid_cmp(&a, &b) < 0);
	CHECK(snmp_oid_cmp(&a, &a) == 0);
}

TEST(names)
{
	CHECK_STR(snmp_type_name(SNMP_T_INTEGER), "INTEGER");
	CHECK_STR(snmp_type_name(SNMP_T_OCTETS), "OCTET STRING");
	CHECK_STR(snmp_type_name(SNMP_T_COUNTER32), "Counter32");
	CHECK_STR(snmp_type_name(SNMP_T_COUNTER64), "Counter64");
	CHECK_STR(snmp_type_name(SNMP_T_ENDOFMIBVIEW), "endOfMibView");
	CHECK_STR(snmp_type_name(0x47), "unknown");
	CHECK_STR(snmp_error_name(SNMP_ERR_NOERROR), "noError");
	CHECK_STR(snmp_error_name(SNMP_ERR_NOSUCHNAME), "noSuchName");
	CHECK_STR(snmp_error_name(SNMP_ERR_GENERR), "genErr");
	CHECK_STR(snmp_error_name(SNMP_ERR_AUTHORIZATIONERROR),
	    "authorizationError");
	CHECK_STR(snmp_error_name(SNMP_ERR_INCONSISTENTNAME),
	    "inconsistentName");
	CHECK_STR(snmp_error_name(19), "unknown");
	CHECK_STR(snmp_error_name(-1), "unknown");
	CHECK_STR(snmp_error_name(INT32_MIN), "unknown");
	CHECK_STR(snmp_pdu_name(SNMP_PDU_GETBULK), "GetBulkRequest");
	CHECK_STR(snmp_pdu_name(SNMP_PDU_RESPONSE), "Response");
	CHECK_STR(snmp_pdu_name(0xa4), "unknown");
}

TEST(value_fmt)
{
	static const char *const want[] = {
		"2|-2147483648", "2|2147483647", "2|-3", "2|0",
		"65|4294967295", "66|0", "67|724425094",
		"70|18446744073709551615", "65|128", "64|10.0.0.1",
		"6|1.3.6.1.4.1.2385.3.1.112.1.2", "6|0.0", "4x|00ff", "4|",
		"68x|9f780441200000", "6|2.999.4294967295"
	};
	struct snmp_value	 v;
	char			 s[64];
	size_t			 i;
	const char		*e;

	CHECK(snmp_decode(pysnmp_resp, sizeof(pysnmp_resp), &m, &e) == 0);
	CHECK_EQ_INT(m.nvarbinds, LEN(want));
	for (i = 0; i < LEN(want); i++) {
		CHECK(snmp_value_fmt(&m.vb[i].v, s, sizeof(s)) == 0);
		CHECK_STR(s, want[i]);
	}

	memset(&v, 0, sizeof(v));
	v.type = SNMP_T_OCTETS;
	v.s = (const uint8_t *)"SHARP MX-3570N|x";
	v.slen = 16;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "4|SHARP MX-3570N|x");
	v.s = (const uint8_t *)" lead";		/* snmprec strips spaces */
	v.slen = 5;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "4x|206c656164");
	v.s = (const uint8_t *)"a\nb";
	v.slen = 3;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "4x|610a62");
	v.s = (const uint8_t *)"a\0b";
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "4x|610062");
	CHECK(snmp_value_fmt(&v, s, 6) == -1);	/* "4x|61" */
	CHECK_STR(s, "4x|61");
	v.s = NULL;			/* empty, as an encoder gets it */
	v.slen = 0;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "4|");
	v.type = SNMP_T_OPAQUE;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "68x|");
	v.type = SNMP_T_NULL;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "5|");
	v.type = SNMP_T_NOSUCHINSTANCE;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "129|");
	v.type = SNMP_T_NOSUCHOBJECT;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "128|");
	v.type = SNMP_T_ENDOFMIBVIEW;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "130|");
	v.type = SNMP_T_IPADDR;
	v.s = (const uint8_t *)"\xff\x00\x80\x01";
	v.slen = 4;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == 0);
	CHECK_STR(s, "64|255.0.128.1");
	v.slen = 3;
	CHECK(snmp_value_fmt(&v, s, sizeof(s)) == -1);
}

/* SNMPv3 messages (no cryptography: that is test_usm) */

static struct snmp_v3		 h3, h3b;
static struct snmp_scoped	 sc;

static const uint8_t engine2[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const char	*errstr_dummy;

/* v3raw_default() checks inside a helper: a failure aborts the binary */
#define CHECK_V3(e) do {						\
	if (!(e)) {							\
		printf("not ok %s v3raw_default: %s\n", test_prog, #e);	\
		abort();						\
	}								\
} while (0)

static const char *
decode3_err(const uint8_t *p, size_t len)
{
	const char	*e;

	if (snmp_v3_decode(p, len, &h3, &e) == 0)
		return NULL;
	return e;
}

static const struct v3capture *
cap(const char *user)
{
	size_t	 i;

	for (i = 0; i < v3ncap; i++) {
		if (strcmp(v3cap[i].user, user) == 0)
			return &v3cap[i];
	}
	abort();
}

static int
bytes_are(const uint8_t *p, size_t n, const void *want, size_t wn)
{
	return n == wn && (n == 0 || memcmp(p, want, n) == 0);
}

/* net-snmp's discovery probe, field by field */
TEST(v3_decode_netsnmp_probe)
{
	const struct v3capture	*c = cap("noauth");
	const char		*e;

	CHECK(snmp_v3_decode(c->pkt[V3CAP_PROBE], c->len[V3CAP_PROBE], &h3,
	    &e) == 0);
	CHECK_EQ_INT(h3.msgid, 0x38fa5ea9);
	CHECK_EQ_INT(h3.maxsize, 65507);
	CHECK_EQ_INT(h3.flags, SNMP_V3_F_REPORTABLE);
	CHECK_EQ_INT(h3.engineid_len, 0);
	CHECK_EQ_INT(h3.boots, 0);
	CHECK_EQ_INT(h3.time, 0);
	CHECK_EQ_INT(h3.user_len, 0);
	CHECK_EQ_INT(h3.authp_len, 0);
	CHECK_EQ_INT(h3.privp_len, 0);
	CHECK(h3.data[0] == BER_TAG_SEQUENCE);
	CHECK(h3.data + h3.data_len == c->pkt[V3CAP_PROBE] +
	    c->len[V3CAP_PROBE]);
	CHECK(snmp_scoped_decode(h3.data, h3.data_len, &sc, &m, &e) == 0);
	CHECK_EQ_INT(sc.ctx_engineid_len, 0);
	CHECK_EQ_INT(sc.ctx_name_len, 0);
	CHECK_EQ_INT(m.version, SNMP_V3);
	CHECK(m.community == NULL);
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_GET);
	CHECK_EQ_INT(m.nvarbinds, 0);
}

/* snmpd's answer: a Report of usmStatsUnknownEngineIDs */
TEST(v3_decode_netsnmp_report)
{
	const struct v3capture	*c = cap("noauth");
	struct snmp_oid		 o;
	const char		*e;

	CHECK(snmp_v3_decode(c->pkt[V3CAP_REPORT], c->len[V3CAP_REPORT],
	    &h3, &e) == 0);
	CHECK_EQ_INT(h3.msgid, 0x38fa5ea9);
	CHECK_EQ_INT(h3.flags, 0);
	CHECK(bytes_are(h3.engineid, h3.engineid_len, engine2,
	    sizeof(engine2)));
	CHECK_EQ_INT(h3.boots, 1);
	CHECK(h3.time >= 0 && h3.time < 60);
	CHECK(snmp_scoped_decode(h3.data, h3.data_len, &sc, &m, &e) == 0);
	CHECK(bytes_are(sc.ctx_engineid, sc.ctx_engineid_len, engine2,
	    sizeof(engine2)));
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_REPORT);
	CHECK_EQ_INT(m.nvarbinds, 1);
	CHECK(snmp_oid_parse("1.3.6.1.6.3.15.1.1.4.0", &o) == 0);
	CHECK(snmp_oid_cmp(&m.vb[0].oid, &o) == 0);
	CHECK_EQ_INT(m.vb[0].v.type, SNMP_T_COUNTER32);
}

TEST(v3_decode_netsnmp_response)
{
	const struct v3capture	*c = cap("noauth");
	struct snmp_oid		 o;
	const char		*e;

	CHECK(snmp_v3_decode(c->pkt[V3CAP_RESPONSE], c->len[V3CAP_RESPONSE],
	    &h3, &e) == 0);
	CHECK(bytes_are(h3.user, h3.user_len, "noauth", 6));
	CHECK_EQ_INT(h3.flags, 0);
	CHECK(snmp_scoped_decode(h3.data, h3.data_len, &sc, &m, &e) == 0);
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_RESPONSE);
	CHECK_EQ_INT(m.error_status, 0);
	CHECK_EQ_INT(m.nvarbinds, 1);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.5.0", &o) == 0);
	CHECK(snmp_oid_cmp(&m.vb[0].oid, &o) == 0);
	CHECK(bytes_are(m.vb[0].v.s, m.vb[0].v.slen, "callhome-v3", 11));
}

/* authPriv: the security parameters, and the data left encrypted */
TEST(v3_decode_netsnmp_encrypted)
{
	const struct v3capture	*c = cap("sha512aes256");
	const uint8_t		*p = c->pkt[V3CAP_RESPONSE];
	size_t			 n = c->len[V3CAP_RESPONSE];
	const char		*e;

	CHECK(snmp_v3_decode(p, n, &h3, &e) == 0);
	CHECK_EQ_INT(h3.flags, SNMP_V3_F_AUTH | SNMP_V3_F_PRIV);
	CHECK(bytes_are(h3.user, h3.user_len, "sha512aes256", 12));
	CHECK_EQ_INT(h3.authp_len, 48);
	CHECK_EQ_INT(h3.privp_len, 8);
	CHECK(h3.authp > p && h3.authp + 48 < h3.data);
	CHECK(h3.data + h3.data_len == p + n);
	/* the ciphertext is not a ScopedPDU */
	CHECK(snmp_scoped_decode(h3.data, h3.data_len, &sc, &m, &e) == -1);
}

/* every captured packet: decode, encode, the same octets */
TEST(v3_reencode_netsnmp_identical)
{
	size_t		 i, j, len, authoff;
	const char	*e;

	for (i = 0; i < v3ncap; i++) {
		for (j = 0; j < 4; j++) {
			CHECK(snmp_v3_decode(v3cap[i].pkt[j], v3cap[i].len[j],
			    &h3, &e) == 0);
			CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len,
			    &authoff) == 0);
			CHECK(bytes_are(buf, len, v3cap[i].pkt[j],
			    v3cap[i].len[j]));
			CHECK(h3.authp_len == 0 ||
			    h3.authp == v3cap[i].pkt[j] + authoff);
			if (h3.flags & SNMP_V3_F_PRIV)
				continue;
			CHECK(snmp_scoped_decode(h3.data, h3.data_len, &sc, &m,
			    &e) == 0);
			CHECK(snmp_scoped_encode(&sc, &m, buf, sizeof(buf),
			    &len) == 0);
			CHECK(bytes_are(buf, len, h3.data, h3.data_len));
		}
	}
}

/* the probe as net-snmp makes it, from the codec's parts */
TEST(v3_encode_probe_like_netsnmp)
{
	const struct v3capture	*c = cap("sha1aes");
	size_t			 len, slen, authoff;
	int32_t			 reqid;

	CHECK(snmp_v3_decode(c->pkt[V3CAP_PROBE], c->len[V3CAP_PROBE], &h3b,
	    &errstr_dummy) == 0);
	CHECK(snmp_scoped_decode(h3b.data, h3b.data_len, &sc, &m,
	    &errstr_dummy) == 0);
	reqid = m.request_id;

	memset(&sc, 0, sizeof(sc));
	memset(&h3, 0, sizeof(h3));
	CHECK(snmp_scoped_encode_request(&sc, SNMP_PDU_GET, reqid, 0, 0,
	    NULL, 0, buf, sizeof(buf), &slen) == 0);
	h3.msgid = 0x27acbfc8;
	h3.maxsize = 65507;
	h3.flags = SNMP_V3_F_REPORTABLE;
	h3.data = buf;
	h3.data_len = slen;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &authoff) == 0);
	CHECK(bytes_are(buf, len, c->pkt[V3CAP_PROBE], c->len[V3CAP_PROBE]));
	/* and the v1/v2c decoder still says no */
	CHECK(snmp_decode(buf, len, &m, &errstr_dummy) == -1);
	CHECK_STR(errstr_dummy, "SNMPv3 not supported by this decoder");
}

/* h->data inside the output buffer, before, at and after where it goes */
TEST(v3_encode_data_in_buffer)
{
	static uint8_t	 ref[512], b[512];
	const uint8_t	 salt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t	 ct[40] = { 0x55 };
	size_t		 rlen, len, authoff, off, i;

	for (i = 0; i < 2; i++) {
		memset(&h3, 0, sizeof(h3));
		h3.msgid = 7;
		h3.maxsize = 1500;
		h3.engineid = engine2;
		h3.engineid_len = sizeof(engine2);
		h3.user = (const uint8_t *)"user";
		h3.user_len = 4;
		if (i == 0) {
			CHECK(snmp_v3_decode(cap("noauth")->pkt[V3CAP_PROBE],
			    cap("noauth")->len[V3CAP_PROBE], &h3b,
			    &errstr_dummy) == 0);
			h3.flags = SNMP_V3_F_REPORTABLE;
			h3.data = h3b.data;
			h3.data_len = h3b.data_len;
		} else {
			h3.flags = SNMP_V3_F_AUTH | SNMP_V3_F_PRIV;
			h3.authp_len = 12;
			h3.privp = salt;
			h3.privp_len = 8;
			h3.data = ct;
			h3.data_len = sizeof(ct);
		}
		CHECK(snmp_v3_encode(&h3, ref, sizeof(ref), &rlen,
		    &authoff) == 0);
		for (off = 0; off + h3.data_len <= sizeof(b); off += 7) {
			memset(b, 0xee, sizeof(b));
			memcpy(b + off, h3.data, h3.data_len);
			h3b = h3;
			h3b.data = b + off;
			CHECK(snmp_v3_encode(&h3b, b, sizeof(b), &len,
			    &authoff) == 0);
			CHECK(bytes_are(b, len, ref, rlen));
		}
	}
}

/* a v3 message built field by field, each one replaceable */
struct v3raw {
	const uint8_t	*version;	/* TLV */
	size_t		 version_len;
	int64_t		 msgid, maxsize, model, boots, etime;
	const uint8_t	*flags;
	size_t		 flags_len;
	const uint8_t	*engineid;
	size_t		 engineid_len;
	size_t		 user_len, authp_len, privp_len;
	int		 data_octets;	/* msgData as OCTET STRING */
	const uint8_t	*scoped;	/* TLV */
	size_t		 scoped_len;
	int		 global_extra, usm_extra, secp_extra, usm_octets;
};

static const uint8_t	 ver3[] = { 0x02, 0x01, 0x03 };
static const uint8_t	 flags_rep[] = { SNMP_V3_F_REPORTABLE };
static const uint8_t	 zero64[64];

static void
v3raw_default(struct v3raw *r)
{
	const struct v3capture	*c = cap("noauth");

	memset(r, 0, sizeof(*r));
	r->version = ver3;
	r->version_len = sizeof(ver3);
	r->msgid = 1;
	r->maxsize = 65507;
	r->model = 3;
	r->flags = flags_rep;
	r->flags_len = 1;
	r->engineid = engine2;
	r->engineid_len = sizeof(engine2);
	r->user_len = 4;
	/* the ScopedPDU of snmpd's Response */
	CHECK_V3(snmp_v3_decode(c->pkt[V3CAP_RESPONSE],
	    c->len[V3CAP_RESPONSE], &h3b, &errstr_dummy) == 0);
	r->scoped = h3b.data;
	r->scoped_len = h3b.data_len;
}

static size_t
v3raw_build(const struct v3raw *r, uint8_t *out, size_t outsz)
{
	struct ber_writer	 w;
	const uint8_t		*p;
	size_t			 end, mark, len;

	ber_writer_init(&w, out, outsz);
	end = ber_mark(&w);
	if (r->data_octets)
		ber_put_octets(&w, BER_TAG_OCTETS, r->scoped, r->scoped_len);
	else
		ber_put_raw(&w, r->scoped, r->scoped_len);
	mark = ber_mark(&w);
	if (r->secp_extra)
		ber_put_null(&w, BER_TAG_NULL);
	if (r->usm_octets)
		ber_put_octets(&w, BER_TAG_OCTETS, "x", 1);
	else {
		size_t	 um = ber_mark(&w);

		if (r->usm_extra)
			ber_put_null(&w, BER_TAG_NULL);
		ber_put_octets(&w, BER_TAG_OCTETS, zero64, r->privp_len);
		ber_put_octets(&w, BER_TAG_OCTETS, zero64, r->authp_len);
		ber_put_octets(&w, BER_TAG_OCTETS, "useruseruseruseruseruseruser"
		    "useruseruseruser", r->user_len);
		ber_put_int(&w, BER_TAG_INTEGER, r->etime);
		ber_put_int(&w, BER_TAG_INTEGER, r->boots);
		ber_put_octets(&w, BER_TAG_OCTETS, r->engineid,
		    r->engineid_len);
		ber_close(&w, BER_TAG_SEQUENCE, um);
	}
	ber_close(&w, BER_TAG_OCTETS, mark);
	mark = ber_mark(&w);
	if (r->global_extra)
		ber_put_null(&w, BER_TAG_NULL);
	ber_put_int(&w, BER_TAG_INTEGER, r->model);
	ber_put_octets(&w, BER_TAG_OCTETS, r->flags, r->flags_len);
	ber_put_int(&w, BER_TAG_INTEGER, r->maxsize);
	ber_put_int(&w, BER_TAG_INTEGER, r->msgid);
	ber_close(&w, BER_TAG_SEQUENCE, mark);
	ber_put_raw(&w, r->version, r->version_len);
	ber_close(&w, BER_TAG_SEQUENCE, end);
	if ((p = ber_writer_data(&w, &len)) == NULL)
		return 0;
	memmove(out, p, len);
	return len;
}

static const char *
v3raw_err(const struct v3raw *r)
{
	const char	*e;
	size_t		 len;

	if ((len = v3raw_build(r, big, sizeof(big))) == 0)
		return "build failed";
	if (snmp_v3_decode(big, len, &h3, &e) == 0)
		return NULL;
	return e;
}

TEST(v3_raw_builder_is_valid)
{
	struct v3raw	 r;

	v3raw_default(&r);
	CHECK(v3raw_err(&r) == NULL);
	CHECK_EQ_INT(h3.msgid, 1);
	CHECK_EQ_INT(h3.user_len, 4);
	CHECK(snmp_scoped_decode(h3.data, h3.data_len, &sc, &m,
	    &errstr_dummy) == 0);
}

TEST(v3_reject_header_fields)
{
	static const uint8_t	 v2[] = { 0x02, 0x01, 0x01 };
	static const uint8_t	 f0[1], f2[2] = { 4, 0 };
	static const uint8_t	 fpriv[] = { SNMP_V3_F_PRIV };
	static const uint8_t	 f8[] = { 0x08 | SNMP_V3_F_AUTH };
	static const uint8_t	 oct[] = { 0x04, 0x01, 0x03 };
	struct v3raw		 r;

	v3raw_default(&r);
	r.version = v2;
	CHECK_STR(v3raw_err(&r), "not an SNMPv3 message");
	v3raw_default(&r);
	r.version = oct;
	CHECK_STR(v3raw_err(&r), "version is not an INTEGER");

	v3raw_default(&r);
	r.msgid = -1;
	CHECK_STR(v3raw_err(&r), "msgID out of range");
	r.msgid = (int64_t)INT32_MAX + 1;
	CHECK_STR(v3raw_err(&r), "INTEGER out of range");
	r.msgid = INT32_MAX;
	CHECK(v3raw_err(&r) == NULL);
	r.msgid = 0;
	CHECK(v3raw_err(&r) == NULL);

	v3raw_default(&r);
	r.maxsize = 483;
	CHECK_STR(v3raw_err(&r), "msgMaxSize out of range");
	r.maxsize = 484;
	CHECK(v3raw_err(&r) == NULL);

	v3raw_default(&r);
	r.flags_len = 0;
	CHECK_STR(v3raw_err(&r), "msgFlags not of one octet");
	r.flags = f2;
	r.flags_len = 2;
	CHECK_STR(v3raw_err(&r), "msgFlags not of one octet");
	r.flags = fpriv;
	r.flags_len = 1;
	CHECK_STR(v3raw_err(&r), "privacy without authentication");
	r.flags = f8;
	CHECK_STR(v3raw_err(&r), "reserved msgFlags bits set");
	r.flags = f0;
	CHECK(v3raw_err(&r) == NULL);

	v3raw_default(&r);
	r.model = 2;
	CHECK_STR(v3raw_err(&r), "security model not USM");
	r.model = 4;
	CHECK_STR(v3raw_err(&r), "security model not USM");

	v3raw_default(&r);
	r.global_extra = 1;
	CHECK_STR(v3raw_err(&r), "trailing data in msgGlobalData");
}

TEST(v3_reject_security_parameters)
{
	static const uint8_t	 id33[33];
	struct v3raw		 r;
	size_t			 n;

	v3raw_default(&r);
	r.engineid = id33;
	for (n = 1; n < 5; n++) {
		r.engineid_len = n;
		CHECK_STR(v3raw_err(&r), "msgAuthoritativeEngineID too short");
	}
	r.engineid_len = 0;
	CHECK(v3raw_err(&r) == NULL);
	r.engineid_len = 5;
	CHECK(v3raw_err(&r) == NULL);
	r.engineid_len = 32;
	CHECK(v3raw_err(&r) == NULL);
	r.engineid_len = 33;
	CHECK_STR(v3raw_err(&r), "msgAuthoritativeEngineID too long");

	v3raw_default(&r);
	r.boots = -1;
	CHECK_STR(v3raw_err(&r), "msgAuthoritativeEngineBoots out of range");
	r.boots = INT32_MAX;
	CHECK(v3raw_err(&r) == NULL);
	r.etime = -5;
	CHECK_STR(v3raw_err(&r), "msgAuthoritativeEngineTime out of range");

	v3raw_default(&r);
	r.user_len = 32;
	CHECK(v3raw_err(&r) == NULL);
	r.user_len = 33;
	CHECK_STR(v3raw_err(&r), "msgUserName too long");

	v3raw_default(&r);
	r.authp_len = 48;
	CHECK(v3raw_err(&r) == NULL);
	r.authp_len = 49;
	CHECK_STR(v3raw_err(&r), "msgAuthenticationParameters too long");

	v3raw_default(&r);
	r.privp_len = 32;
	CHECK(v3raw_err(&r) == NULL);
	r.privp_len = 33;
	CHECK_STR(v3raw_err(&r), "msgPrivacyParameters too long");

	v3raw_default(&r);
	r.usm_extra = 1;
	CHECK_STR(v3raw_err(&r), "trailing data in UsmSecurityParameters");
	v3raw_default(&r);
	r.secp_extra = 1;
	CHECK_STR(v3raw_err(&r), "trailing data after UsmSecurityParameters");
	v3raw_default(&r);
	r.usm_octets = 1;
	CHECK_STR(v3raw_err(&r), "UsmSecurityParameters is not a SEQUENCE");
}

TEST(v3_reject_msgdata)
{
	static const uint8_t	 fauth[] = { SNMP_V3_F_AUTH |
	    SNMP_V3_F_PRIV };
	struct v3raw		 r;

	/* privacy flag with a plaintext ScopedPDU, and the reverse */
	v3raw_default(&r);
	r.flags = fauth;
	CHECK_STR(v3raw_err(&r), "encryptedPDU is not an OCTET STRING");
	r.data_octets = 1;
	CHECK(v3raw_err(&r) == NULL);
	CHECK(bytes_are(h3.data, h3.data_len, r.scoped, r.scoped_len));
	v3raw_default(&r);
	r.data_octets = 1;
	CHECK_STR(v3raw_err(&r), "ScopedPDU is not a SEQUENCE");
	/* no msgData at all */
	v3raw_default(&r);
	r.scoped_len = 0;
	CHECK_STR(v3raw_err(&r), "truncated: missing tag");
}

TEST(v3_reject_truncation_and_trailing)
{
	static uint8_t		 copy[512];
	const struct v3capture	*c = cap("sha384aes");
	size_t			 j, n;
	const char		*e;

	for (j = 0; j < 4; j++) {
		for (n = 0; n < c->len[j]; n++) {
			uint8_t	*p = big + sizeof(big) - n;

			memcpy(p, c->pkt[j], n);
			CHECK(snmp_v3_decode(p, n, &h3, &e) == -1);
			CHECK(e != NULL);
		}
		memcpy(copy, c->pkt[j], c->len[j]);
		copy[c->len[j]] = 0;
		CHECK(snmp_v3_decode(copy, c->len[j], &h3, &e) == 0);
		CHECK_STR(decode3_err(copy, c->len[j] + 1),
		    "trailing data after message");
	}
}

/* every octet of an encrypted Response changed: no crash */
TEST(v3_corrupt_every_octet)
{
	static const uint8_t	 vals[] = { 0x00, 0x01, 0x04, 0x05, 0x30,
	    0x7f, 0x80, 0x81, 0x84, 0xff };
	static uint8_t		 b[512];
	const struct v3capture	*c = cap("sha1aes");
	size_t			 i, j, n = c->len[V3CAP_RESPONSE], len, off;
	const char		*e;

	for (i = 0; i < n; i++) {
		for (j = 0; j < LEN(vals); j++) {
			memcpy(b, c->pkt[V3CAP_RESPONSE], n);
			b[i] = vals[j];
			if (snmp_v3_decode(b, n, &h3, &e) == -1)
				continue;
			CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len,
			    &off) == 0);
			CHECK(snmp_v3_decode(buf, len, &h3b, &e) == 0);
			CHECK(h3b.msgid == h3.msgid && h3b.flags == h3.flags);
			CHECK(bytes_are(h3b.data, h3b.data_len, h3.data,
			    h3.data_len));
		}
	}
}

TEST(v3_scoped_rejects)
{
	struct ber_writer	 w;
	const uint8_t		*p;
	static const uint8_t	 long33[33];
	size_t			 end, len, vend;
	const char		*e;
	int			 k;

	for (k = 0; k < 6; k++) {
		ber_writer_init(&w, big, sizeof(big));
		end = ber_mark(&w);
		if (k == 0)
			ber_put_null(&w, BER_TAG_NULL);	/* after the PDU */
		vend = ber_mark(&w);
		ber_close(&w, BER_TAG_SEQUENCE, vend);
		ber_put_int(&w, BER_TAG_INTEGER, 0);
		ber_put_int(&w, BER_TAG_INTEGER, 0);
		ber_put_int(&w, BER_TAG_INTEGER, 1);
		ber_close(&w, k == 3 ? 0xa4 : SNMP_PDU_RESPONSE, vend);
		ber_put_octets(&w, BER_TAG_OCTETS, long33, k == 1 ? 33 : 32);
		ber_put_octets(&w, k == 4 ? BER_TAG_NULL : BER_TAG_OCTETS,
		    long33, k == 2 ? 33 : 32);
		ber_close(&w, BER_TAG_SEQUENCE, end);
		if (k == 5)
			ber_put_null(&w, BER_TAG_NULL);	/* before it */
		CHECK((p = ber_writer_data(&w, &len)) != NULL);
		if (k == 5) {
			/* snmp_scoped_decode wants exactly one SEQUENCE */
			CHECK(snmp_scoped_decode(p, len, &sc, &m, &e) == -1);
			CHECK_STR(e, "ScopedPDU is not a SEQUENCE");
			CHECK(snmp_scoped_decode(p + 2, len - 2, &sc, &m,
			    &e) == 0);
			CHECK_EQ_INT(sc.ctx_engineid_len, 32);
			CHECK_EQ_INT(sc.ctx_name_len, 32);
			CHECK(snmp_scoped_decode(p + 2, len - 1, &sc, &m,
			    &e) == -1);
			continue;
		}
		CHECK(snmp_scoped_decode(p, len, &sc, &m, &e) == -1);
		switch (k) {
		case 0:
			CHECK_STR(e, "trailing data after PDU");
			break;
		case 1:
			CHECK_STR(e, "contextName too long");
			break;
		case 2:
			CHECK_STR(e, "contextEngineID too long");
			break;
		case 3:
			CHECK_STR(e, "SNMPv1 Trap PDU not supported");
			break;
		case 4:
			CHECK_STR(e, "contextEngineID is not an OCTET STRING");
			break;
		}
	}
}

TEST(v3_encode_rejects_invalid)
{
	static const uint8_t	 id33[33], b33[33];
	const uint8_t		 seq[] = { 0x30, 0x00 };
	const uint8_t		 notseq[] = { 0x04, 0x00 };
	const uint8_t		 twoseq[] = { 0x30, 0x00, 0x30, 0x00 };
	struct snmp_v3		 good;
	size_t			 len, off, n;

	memset(&good, 0, sizeof(good));
	good.maxsize = 484;
	good.data = seq;
	good.data_len = sizeof(seq);
	h3 = good;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == 0);
	CHECK(snmp_v3_encode(&h3, buf, len - 1, &len, &off) == -1);
	/* the smallest message is 40 octets */
	for (n = 0; n < 40; n++)
		CHECK(snmp_v3_encode(&h3, buf, n, &len, &off) == -1);
	CHECK(snmp_v3_encode(&h3, buf, 40, &len, &off) == 0);
	CHECK_EQ_INT(len, 40);
	h3 = good;
	h3.msgid = -1;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.maxsize = 483;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.flags = SNMP_V3_F_PRIV;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3.flags = 0x10;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.engineid = id33;
	h3.engineid_len = 4;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3.engineid_len = 33;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.boots = -1;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.time = -1;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.user = b33;
	h3.user_len = 33;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.authp_len = 49;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.privp = b33;
	h3.privp_len = 33;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.user_len = 3;	/* and no pointer */
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3 = good;
	h3.data = notseq;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	h3.data = twoseq;
	h3.data_len = sizeof(twoseq);
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == -1);
	/* any octets once encrypted */
	h3.flags = SNMP_V3_F_AUTH | SNMP_V3_F_PRIV;
	CHECK(snmp_v3_encode(&h3, buf, sizeof(buf), &len, &off) == 0);

	/* ScopedPDUs */
	memset(&sc, 0, sizeof(sc));
	sc.ctx_name = b33;
	sc.ctx_name_len = 33;
	CHECK(snmp_scoped_encode_request(&sc, SNMP_PDU_GET, 1, 0, 0, NULL, 0,
	    buf, sizeof(buf), &len) == -1);
	sc.ctx_name_len = 32;
	CHECK(snmp_scoped_encode_request(&sc, SNMP_PDU_GET, 1, 0, 0, NULL, 0,
	    buf, sizeof(buf), &len) == 0);
	sc.ctx_engineid = id33;
	sc.ctx_engineid_len = 33;
	CHECK(snmp_scoped_encode_request(&sc, SNMP_PDU_GET, 1, 0, 0, NULL, 0,
	    buf, sizeof(buf), &len) == -1);
	memset(&sc, 0, sizeof(sc));
	CHECK(snmp_scoped_encode_request(&sc, 0xa4, 1, 0, 0, NULL, 0,
	    buf, sizeof(buf), &len) == -1);
	memset(&m, 0, sizeof(m));
	m.pdu_type = SNMP_PDU_RESPONSE;
	m.nvarbinds = SNMP_MAX_VARBINDS + 1;
	CHECK(snmp_scoped_encode(&sc, &m, buf, sizeof(buf), &len) == -1);
}

TEST(v3_scoped_round_trip)
{
	struct snmp_oid		 oids[3];
	size_t			 len, len2;
	const char		*e;

	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.1.0", &oids[0]) == 0);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.43.11", &oids[1]) == 0);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.43.10.2.1.4", &oids[2]) == 0);
	sc.ctx_engineid = engine2;
	sc.ctx_engineid_len = sizeof(engine2);
	sc.ctx_name = (const uint8_t *)"printers";
	sc.ctx_name_len = 8;
	CHECK(snmp_scoped_encode_request(&sc, SNMP_PDU_GETBULK, 77, 1, 25,
	    oids, 3, buf, sizeof(buf), &len) == 0);
	memset(&sc, 0, sizeof(sc));
	CHECK(snmp_scoped_decode(buf, len, &sc, &m, &e) == 0);
	CHECK(bytes_are(sc.ctx_engineid, sc.ctx_engineid_len, engine2,
	    sizeof(engine2)));
	CHECK(bytes_are(sc.ctx_name, sc.ctx_name_len, "printers", 8));
	CHECK_EQ_INT(m.pdu_type, SNMP_PDU_GETBULK);
	CHECK_EQ_INT(m.request_id, 77);
	CHECK_EQ_INT(m.non_repeaters, 1);
	CHECK_EQ_INT(m.max_repetitions, 25);
	CHECK_EQ_INT(m.nvarbinds, 3);
	CHECK(snmp_oid_cmp(&m.vb[2].oid, &oids[2]) == 0);
	CHECK_EQ_INT(m.vb[2].v.type, SNMP_T_NULL);
	CHECK(snmp_scoped_encode(&sc, &m, big, sizeof(big), &len2) == 0);
	CHECK(bytes_are(big, len2, buf, len));
}

TEST_MAIN_BEGIN("test_snmp")
	RUN(encode_v1_get_like_netsnmp);
	RUN(encode_v2c_bulk_like_netsnmp);
	RUN(encode_response_by_hand);
	RUN(decode_requests);
	RUN(decode_pysnmp_response);
	RUN(reencode_pysnmp_response);
	RUN(round_trip_every_type);
	RUN(round_trip_pdu_types);
	RUN(encode_rejects_invalid_messages);
	RUN(encode_small_buffers_never_overflow);
	RUN(encode_and_decode_max_msglen);
	RUN(reject_truncation_at_every_offset);
	RUN(reject_trailing_garbage);
	RUN(corrupt_every_octet);
	RUN(reject_indefinite_and_long_lengths);
	RUN(accept_non_minimal_lengths);
	RUN(reject_high_tag_number_form);
	RUN(reject_wrong_structure);
	RUN(reject_extra_fields);
	RUN(reject_versions);
	RUN(reject_long_community);
	RUN(reject_pdu_types);
	RUN(reject_too_many_varbinds);
	RUN(reject_bad_names);
	RUN(reject_bad_integers);
	RUN(reject_bad_unsigned);
	RUN(reject_bad_lengths_of_fixed_types);
	RUN(reject_unsupported_value_types);
	RUN(oid_parse);
	RUN(oid_fmt);
	RUN(oid_cmp_and_prefix);
	RUN(names);
	RUN(value_fmt);
	RUN(v3_decode_netsnmp_probe);
	RUN(v3_decode_netsnmp_report);
	RUN(v3_decode_netsnmp_response);
	RUN(v3_decode_netsnmp_encrypted);
	RUN(v3_reencode_netsnmp_identical);
	RUN(v3_encode_probe_like_netsnmp);
	RUN(v3_encode_data_in_buffer);
	RUN(v3_raw_builder_is_valid);
	RUN(v3_reject_header_fields);
	RUN(v3_reject_security_parameters);
	RUN(v3_reject_msgdata);
	RUN(v3_reject_truncation_and_trailing);
	RUN(v3_corrupt_every_octet);
	RUN(v3_scoped_rejects);
	RUN(v3_encode_rejects_invalid);
	RUN(v3_scoped_round_trip);
TEST_MAIN_END

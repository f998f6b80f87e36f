/*
 * libFuzzer target for SNMPv3: the message codec (snmp_v3_decode,
 * snmp_scoped_decode and their encoders) and the USM's checks
 * (usm_decode with a fixed user and agent).  The first input octet
 * chooses:
 *
 * even: the rest is a whole message.  What decodes encodes again to a
 *	message that decodes to the same fields and is a fixed point; a
 *	plaintext ScopedPDU likewise.  Then usm_decode() judges it for a
 *	SHA-256/AES-128 user whose request had the message's msgID (so the
 *	checks after the msgID are reached), and for a discovery probe.
 *	Only a message sealed with the key could be USM_OK: none is.
 * odd: the rest is a ScopedPDU as an agent would send it.  The octet
 *	chooses the level (authNoPriv or authPriv, or noAuthNoPriv for a
 *	Report) and it is sealed with the agent's keys and clock, then
 *	given to usm_decode(): the digest, the time and the decryption
 *	always pass, so the verdict must be exactly what the ScopedPDU
 *	holds (USM_OK for a Response of the agent's engine and context,
 *	with the same bindings).  With the octet's bit 0x08 the user is
 *	SHA-1/DES (DES pads to whole blocks: the padding is taken off).
 *
 * Seeds (corpus/snmpv3): msg-* are datagrams snmpv3get exchanged with
 * net-snmp's snmpd serving a printer walk through its proxy (probe,
 * reports, Get/GetBulk requests and Responses, noAuthNoPriv and authPriv
 * with SHA-1/AES-256 and SHA-512/AES-256), prefixed with 0x00; scoped-*
 * are their ScopedPDUs, decrypted and given this target's engine id as
 * contextEngineID, prefixed with 0x03 (0x05 for Reports).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ber.h"
#include "snmp.h"
#include "usm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MSGID	0x1234

static const uint8_t	 engine[] = { 0x80, 0x00, 0x1f, 0x88, 0x80, 0x01,
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

static struct usm_user	 user, noauth, user_des;
static struct usm_agent	 template_agent, template_des, agent;
static uint8_t		 akey[USM_MAX_KEY], pkey[USM_MAX_PRIVKEY];
static uint8_t		 akey_des[USM_MAX_KEY], pkey_des[USM_MAX_PRIVKEY];
static struct snmp_msg	 m1, m2;
static struct snmp_v3	 h1, h2;
static struct snmp_scoped s1, s2;
static uint8_t		 pkt[SNMP_MAX_MSGLEN], enc1[SNMP_MAX_MSGLEN];
static uint8_t		 enc2[SNMP_MAX_MSGLEN];
static int		 ready;

static int
bytes_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
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
		return bytes_eq(a->s, a->slen, b->s, b->slen);
	case SNMP_T_OID:
		return snmp_oid_cmp(&a->oid, &b->oid) == 0;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
	case SNMP_T_COUNTER64:
		return a->u == b->u;
	case SNMP_T_NULL:
	case SNMP_T_NOSUCHOBJECT:
	case SNMP_T_NOSUCHINSTANCE:
	case SNMP_T_ENDOFMIBVIEW:
		return 1;
	default:
		return 0;
	}
}

static int
pdu_eq(const struct snmp_msg *a, const struct snmp_msg *b)
{
	size_t	 i;

	if (a->version != b->version || a->pdu_type != b->pdu_type ||
	    a->request_id != b->request_id ||
	    a->error_status != b->error_status ||
	    a->error_index != b->error_index ||
	    a->non_repeaters != b->non_repeaters ||
	    a->max_repetitions != b->max_repetitions ||
	    a->nvarbinds != b->nvarbinds)
		return 0;
	for (i = 0; i < a->nvarbinds; i++) {
		if (snmp_oid_cmp(&a->vb[i].oid, &b->vb[i].oid) != 0 ||
		    !value_eq(&a->vb[i].v, &b->vb[i].v))
			return 0;
	}
	return 1;
}

static int
v3_eq(const struct snmp_v3 *a, const struct snmp_v3 *b)
{
	return a->msgid == b->msgid && a->maxsize == b->maxsize &&
	    a->flags == b->flags && a->boots == b->boots &&
	    a->time == b->time &&
	    bytes_eq(a->engineid, a->engineid_len, b->engineid,
	    b->engineid_len) &&
	    bytes_eq(a->user, a->user_len, b->user, b->user_len) &&
	    bytes_eq(a->authp, a->authp_len, b->authp, b->authp_len) &&
	    bytes_eq(a->privp, a->privp_len, b->privp, b->privp_len) &&
	    bytes_eq(a->data, a->data_len, b->data, b->data_len);
}

static int
inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return n == 0 || (p >= buf && n <= len &&
	    (size_t)(p - buf) <= len - n);
}

/* invariants of any decoded message */
static void
check_v3(const struct snmp_v3 *h, const uint8_t *buf, size_t len)
{
	if (h->msgid < 0 || h->maxsize < SNMP_V3_MIN_MAXSIZE ||
	    h->boots < 0 || h->time < 0 ||
	    (h->flags & ~(SNMP_V3_F_AUTH | SNMP_V3_F_PRIV |
	    SNMP_V3_F_REPORTABLE)) != 0 ||
	    ((h->flags & SNMP_V3_F_PRIV) && !(h->flags & SNMP_V3_F_AUTH)) ||
	    h->engineid_len > SNMP_V3_MAX_ENGINEID ||
	    (h->engineid_len > 0 && h->engineid_len < SNMP_V3_MIN_ENGINEID) ||
	    h->user_len > SNMP_V3_MAX_USER ||
	    h->authp_len > SNMP_V3_MAX_AUTHPARAMS ||
	    h->privp_len > SNMP_V3_MAX_PRIVPARAMS ||
	    !inside(h->engineid, h->engineid_len, buf, len) ||
	    !inside(h->user, h->user_len, buf, len) ||
	    !inside(h->authp, h->authp_len, buf, len) ||
	    !inside(h->privp, h->privp_len, buf, len) ||
	    !inside(h->data, h->data_len, buf, len))
		abort();
}

static void
check_pdu(const struct snmp_scoped *s, const struct snmp_msg *m,
    const uint8_t *buf, size_t len)
{
	size_t	 i;

	if (m->version != SNMP_V3 || m->nvarbinds > SNMP_MAX_VARBINDS ||
	    s->ctx_engineid_len > SNMP_V3_MAX_ENGINEID ||
	    s->ctx_name_len > SNMP_V3_MAX_CONTEXT ||
	    !inside(s->ctx_engineid, s->ctx_engineid_len, buf, len) ||
	    !inside(s->ctx_name, s->ctx_name_len, buf, len))
		abort();
	for (i = 0; i < m->nvarbinds; i++) {
		if (m->vb[i].oid.len < 2 ||
		    m->vb[i].oid.len > SNMP_MAX_SUBIDS ||
		    !inside(m->vb[i].v.s, m->vb[i].v.slen, buf, len))
			abort();
	}
}

/* the user, and the agent once discovered: both fixed */
static void
setup(void)
{
	static const uint8_t	 aku[USM_MAX_KEY] = { 1, 2, 3, 4, 5 };
	static const uint8_t	 pku[USM_MAX_KEY] = { 6, 7, 8, 9 };
	struct usm_sent		 sent;
	struct snmp_v3		 h;
	struct snmp_scoped	 s;
	const char		*e;
	size_t			 len;

	if (usm_user_init_keys(&user, "fuzz", USM_AUTH_SHA256, aku,
	    USM_PRIV_AES128, pku, 0, &e) == -1 ||
	    usm_user_init_keys(&noauth, "fuzz", USM_AUTH_NONE, NULL,
	    USM_PRIV_NONE, NULL, 0, &e) == -1 ||
	    usm_agent_init(&template_agent, 42, "") == -1 ||
	    usm_localize(USM_AUTH_SHA256, aku, engine, sizeof(engine),
	    akey) == -1 ||
	    usm_privkey(USM_AUTH_SHA256, USM_PRIV_AES128, pku, engine,
	    sizeof(engine), pkey) == -1 ||
	    usm_user_init_keys(&user_des, "fuzz", USM_AUTH_SHA1, aku,
	    USM_PRIV_DES, pku, 1, &e) == -1 ||
	    usm_agent_init(&template_des, 42, "") == -1 ||
	    usm_localize(USM_AUTH_SHA1, aku, engine, sizeof(engine),
	    akey_des) == -1 ||
	    usm_privkey(USM_AUTH_SHA1, USM_PRIV_DES, pku, engine,
	    sizeof(engine), pkey_des) == -1)
		abort();
	/* discovery: a probe and the agent's unknownEngineIDs report */
	if (usm_encode_probe(MSGID, 1, &sent, pkt, sizeof(pkt), &len) == -1)
		abort();
	memset(&s, 0, sizeof(s));
	s.ctx_engineid = engine;
	s.ctx_engineid_len = sizeof(engine);
	memset(&m1, 0, sizeof(m1));
	m1.version = SNMP_V3;
	m1.pdu_type = SNMP_PDU_REPORT;
	m1.nvarbinds = 1;
	if (snmp_oid_parse("1.3.6.1.6.3.15.1.1.4.0", &m1.vb[0].oid) == -1)
		abort();
	m1.vb[0].v.type = SNMP_T_COUNTER32;
	if (snmp_scoped_encode(&s, &m1, pkt, sizeof(pkt), &len) == -1)
		abort();
	memset(&h, 0, sizeof(h));
	h.msgid = MSGID;
	h.maxsize = 65507;
	h.engineid = engine;
	h.engineid_len = sizeof(engine);
	h.boots = 7;
	h.time = 1000;
	if (usm_seal(&h, USM_AUTH_NONE, NULL, USM_PRIV_NONE, NULL, pkt,
	    sizeof(pkt), len, &len) == -1)
		abort();
	memcpy(enc1, pkt, len);
	if (usm_decode(&user, &template_agent, 100, &sent, pkt, len, &m1,
	    &e) != USM_DISCOVERED ||
	    usm_decode(&user_des, &template_des, 100, &sent, enc1, len, &m1,
	    &e) != USM_DISCOVERED)
		abort();
	ready = 1;
}

/* a whole message from the input */
static void
fuzz_message(const uint8_t *data, size_t size)
{
	struct usm_sent		 sent;
	enum usm_status		 st;
	const char		*e = NULL;
	size_t			 len1, len2, off1, off2;

	if (snmp_v3_decode(data, size, &h1, &e) == -1) {
		if (e == NULL)
			abort();
		return;
	}
	check_v3(&h1, data, size);
	if (snmp_v3_encode(&h1, enc1, sizeof(enc1), &len1, &off1) == -1) {
		/* canonical lengths and integers: a few octets more */
		if (size + 64 < SNMP_MAX_MSGLEN)
			abort();
		return;
	}
	if (snmp_v3_decode(enc1, len1, &h2, &e) == -1)
		abort();
	check_v3(&h2, enc1, len1);
	if (!v3_eq(&h1, &h2) || (h1.authp_len > 0 &&
	    h2.authp != enc1 + off1))
		abort();
	if (snmp_v3_encode(&h2, enc2, sizeof(enc2), &len2, &off2) == -1 ||
	    len2 != len1 || off2 != off1 || memcmp(enc1, enc2, len1) != 0)
		abort();

	if (!(h1.flags & SNMP_V3_F_PRIV) &&
	    snmp_scoped_decode(h1.data, h1.data_len, &s1, &m1, &e) == 0) {
		check_pdu(&s1, &m1, data, size);
		if (snmp_scoped_encode(&s1, &m1, enc1, sizeof(enc1),
		    &len1) == -1) {
			if (h1.data_len + 8 * SNMP_MAX_VARBINDS + 64 <
			    SNMP_MAX_MSGLEN)
				abort();
		} else {
			if (snmp_scoped_decode(enc1, len1, &s2, &m2,
			    &e) == -1 || !pdu_eq(&m1, &m2))
				abort();
			check_pdu(&s2, &m2, enc1, len1);
		}
	}

	/* the USM, as the answer to a request and to a probe */
	sent.msgid = h1.msgid;
	sent.flags = SNMP_V3_F_AUTH | SNMP_V3_F_PRIV | SNMP_V3_F_REPORTABLE;
	sent.probe = 0;
	agent = template_agent;
	memcpy(pkt, data, size);
	st = usm_decode(&user, &agent, 200, &sent, pkt, size, &m1, &e);
	if (st == USM_OK || e == NULL)
		abort();	/* a forged digest passed */
	sent.flags = SNMP_V3_F_REPORTABLE;
	sent.probe = 1;
	agent = template_agent;
	memcpy(pkt, data, size);
	st = usm_decode(&noauth, &agent, 200, &sent, pkt, size, &m1, &e);
	if (st == USM_OK || e == NULL)
		abort();	/* a Response to a probe */
	if (st == USM_DISCOVERED && (agent.engineid_len <
	    SNMP_V3_MIN_ENGINEID || agent.synced))
		abort();
}

/*
 * With DES the agent pads its plaintext to whole blocks with zeros
 * (usm_seal): what it sends is a ScopedPDU if the padded octets start
 * with one followed by less than a block of others.
 */
static int
des_padded(const uint8_t *data, size_t size)
{
	struct ber_reader	 r;
	struct ber_tlv		 t;
	const char		*e;
	size_t			 seqlen, padded;

	padded = (size + 7) / 8 * 8;
	if (padded > sizeof(enc1))
		return 0;
	memcpy(enc1, data, size);
	memset(enc1 + size, 0, padded - size);
	ber_reader_init(&r, enc1, padded);
	if (ber_expect(&r, BER_TAG_SEQUENCE, &t, &e) == -1)
		return 0;
	seqlen = (size_t)(r.p - enc1);
	if (padded - seqlen >= 8)
		return 0;
	return snmp_scoped_decode(enc1, seqlen, &s1, &m1, &e) == 0;
}

/* a ScopedPDU from the input, sealed by the agent */
static void
fuzz_scoped(uint8_t mode, const uint8_t *data, size_t size)
{
	static const uint8_t	 salt[USM_SALT_LEN] = { 0xa, 0xb, 0xc };
	struct usm_sent		 sent;
	struct snmp_v3		 h;
	enum usm_status		 st;
	const char		*e = NULL;
	size_t			 len;
	int			 scoped_ok, want_ok;

	if (size > sizeof(pkt) - 256)
		return;
	/* the plaintext's own reading, from a copy that stays */
	memcpy(enc1, data, size);
	scoped_ok = snmp_scoped_decode(enc1, size, &s1, &m1, &e) == 0;
	/* DES: less than a block of octets after it is taken as padding */
	if (!scoped_ok && (mode & 8) && (mode & 2))
		scoped_ok = des_padded(data, size);
	if (scoped_ok)
		check_pdu(&s1, &m1, enc1, size);
	want_ok = scoped_ok && m1.pdu_type == SNMP_PDU_RESPONSE &&
	    bytes_eq(s1.ctx_engineid, s1.ctx_engineid_len, engine,
	    sizeof(engine)) && s1.ctx_name_len == 0;

	memset(&h, 0, sizeof(h));
	h.msgid = MSGID;
	h.maxsize = 65507;
	h.flags = (mode & 2) ? SNMP_V3_F_AUTH | SNMP_V3_F_PRIV :
	    SNMP_V3_F_AUTH;
	if ((mode & 4) && scoped_ok && m1.pdu_type == SNMP_PDU_REPORT)
		h.flags = 0;
	h.engineid = engine;
	h.engineid_len = sizeof(engine);
	h.boots = template_agent.boots;
	h.time = template_agent.time + 100;
	h.user = user.name;
	h.user_len = user.name_len;
	h.privp = salt;
	h.privp_len = sizeof(salt);
	memcpy(pkt, data, size);
	if (mode & 8) {
		if (usm_seal(&h, USM_AUTH_SHA1, akey_des, USM_PRIV_DES,
		    pkey_des, pkt, sizeof(pkt), size, &len) == -1)
			return;
	} else if (usm_seal(&h, USM_AUTH_SHA256, akey, USM_PRIV_AES128, pkey,
	    pkt, sizeof(pkt), size, &len) == -1)
		return;		/* too big once wrapped */

	sent.msgid = MSGID;
	sent.flags = SNMP_V3_F_AUTH | SNMP_V3_F_PRIV | SNMP_V3_F_REPORTABLE;
	sent.probe = 0;
	agent = (mode & 8) ? template_des : template_agent;
	st = usm_decode((mode & 8) ? &user_des : &user, &agent, 200, &sent,
	    pkt, len, &m2, &e);
	if (e == NULL)
		abort();
	if (want_ok && (h.flags & SNMP_V3_F_PRIV)) {
		if (st != USM_OK || !pdu_eq(&m1, &m2) || !agent.synced ||
		    agent.time != h.time)
			abort();
	} else if (st == USM_OK)
		abort();	/* below the level, or not a good Response */
	if (!scoped_ok && st != USM_DROP)
		abort();
	if (scoped_ok && m1.pdu_type == SNMP_PDU_REPORT && st == USM_DROP &&
	    m1.nvarbinds > 0 && h.flags != 0)
		abort();	/* an authenticated Report is always judged */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		setup();
	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0)
		fuzz_message(data + 1, size - 1);
	else
		fuzz_scoped(data[0], data + 1, size - 1);
	return 0;
}

/*
 * libFuzzer target for the SNMP v1/v2c message decoder.
 *
 * Whatever decodes is encoded again; the encoding must succeed (unless
 * canonical re-encoding pushes a message near the size limit over it),
 * decode to an equal message, and be a fixed point: encoding the second
 * decode gives the same octets.  Also exercises snmp_value_fmt() and
 * snmp_oid_fmt() on everything decoded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snmp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct snmp_msg	 m1, m2;
static uint8_t		 enc1[SNMP_MAX_MSGLEN], enc2[SNMP_MAX_MSGLEN];
static char		 text[2 * SNMP_MAX_MSGLEN + 16];

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
	case SNMP_T_NULL:
	case SNMP_T_NOSUCHOBJECT:
	case SNMP_T_NOSUCHINSTANCE:
	case SNMP_T_ENDOFMIBVIEW:
		return 1;
	default:
		return 0;	/* the decoder let an unknown type through */
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

/* invariants of any decoded message */
static void
check_decoded(const struct snmp_msg *m, const uint8_t *pkt, size_t len)
{
	const struct snmp_value	*v;
	size_t			 i;

	if ((m->version != SNMP_V1 && m->version != SNMP_V2C) ||
	    m->community_len > SNMP_MAX_COMMUNITY ||
	    m->nvarbinds > SNMP_MAX_VARBINDS)
		abort();
	if (m->community_len > 0 && (m->community < pkt ||
	    m->community + m->community_len > pkt + len))
		abort();
	for (i = 0; i < m->nvarbinds; i++) {
		v = &m->vb[i].v;
		if (m->vb[i].oid.len < 2 ||
		    m->vb[i].oid.len > SNMP_MAX_SUBIDS ||
		    m->vb[i].oid.sub[0] > 2)
			abort();
		if (v->slen > 0 && (v->s < pkt || v->s + v->slen > pkt + len))
			abort();
		if (v->type == SNMP_T_INTEGER &&
		    (v->i < INT32_MIN || v->i > INT32_MAX))
			abort();
		if ((v->type == SNMP_T_COUNTER32 ||
		    v->type == SNMP_T_GAUGE32 ||
		    v->type == SNMP_T_TIMETICKS) && v->u > UINT32_MAX)
			abort();
		if (v->type == SNMP_T_IPADDR && v->slen != 4)
			abort();
		if (snmp_oid_fmt(&m->vb[i].oid, text, sizeof(text)) == -1 ||
		    snmp_value_fmt(v, text, sizeof(text)) == -1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*errstr = NULL;
	size_t		 len1, len2;

	if (snmp_decode(data, size, &m1, &errstr) == -1) {
		if (errstr == NULL)
			abort();
		return 0;
	}
	check_decoded(&m1, data, size);

	if (snmp_encode(&m1, enc1, sizeof(enc1), &len1) == -1) {
		/*
		 * Canonical encoding can grow (a leading 0x00 for unsigned
		 * values sent without it, longer length fields), at most by
		 * a few octets per variable binding.
		 */
		if (size + 8 * SNMP_MAX_VARBINDS + 64 < SNMP_MAX_MSGLEN)
			abort();
		return 0;
	}
	if (snmp_decode(enc1, len1, &m2, &errstr) == -1)
		abort();
	check_decoded(&m2, enc1, len1);
	if (!msg_eq(&m1, &m2))
		abort();
	if (snmp_encode(&m2, enc2, sizeof(enc2), &len2) == -1 ||
	    len2 != len1 || memcmp(enc1, enc2, len1) != 0)
		abort();
	return 0;
}

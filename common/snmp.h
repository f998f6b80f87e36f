/*
 * SNMP v1 and v2c messages (RFC 1157, RFC 3416), decoded and encoded by the
 * strict BER code of ber.h.
 *
 * Decoding never allocates and never reads outside the packet; octet
 * strings and the community point into the packet, so the packet must
 * outlive the decoded message.  The decoder accepts exactly:
 *
 *	Message ::= SEQUENCE { version INTEGER (0 | 1),
 *	    community OCTET STRING (SIZE (0..255)), pdu PDU }
 *	PDU ::= [0 | 1 | 2 | 3 | 5 | 6 | 7 | 8] IMPLICIT SEQUENCE {
 *	    request-id INTEGER, INTEGER, INTEGER,
 *	    SEQUENCE (SIZE (0..256)) OF SEQUENCE { name OID, value } }
 *
 * with nothing before, between or after its parts.  An SNMPv1 message may
 * not carry the PDUs that SNMPv2 introduced (GetBulk, Inform, SNMPv2-Trap,
 * Report); the SNMPv1 Trap PDU (0xa4) and SNMPv3 messages are refused
 * (snmp_v3_decode() below reads those).
 * Value types are those of enum snmp_type, with the lengths checked (see
 * ber.h for the integer forms accepted).  Counter64 and the exception
 * values are accepted in any version: an SNMPv1 agent that sends them has
 * still said something meaningful.  Values of error-status, error-index,
 * non-repeaters and max-repetitions are not judged here.
 *
 * Encoding produces the canonical form (minimal lengths and integers),
 * so decode(encode(m)) == m for every m that snmp_decode() produced.
 */
#ifndef CALLHOME_SNMP_H
#define CALLHOME_SNMP_H

#include <stddef.h>
#include <stdint.h>

#define SNMP_MAX_SUBIDS		128	/* sub-identifiers per OID */
#define SNMP_MAX_VARBINDS	256	/* per message */
#define SNMP_MAX_MSGLEN		65535	/* largest message decoded or encoded */
#define SNMP_MAX_COMMUNITY	255

/* room for any OID formatted by snmp_oid_fmt(), with its NUL */
#define SNMP_OID_STRLEN		(SNMP_MAX_SUBIDS * 11)

struct snmp_oid {
	uint32_t	 sub[SNMP_MAX_SUBIDS];
	uint32_t	 len;
};

enum snmp_type {		/* the BER tag of the value */
	SNMP_T_INTEGER = 0x02,
	SNMP_T_OCTETS = 0x04,
	SNMP_T_NULL = 0x05,
	SNMP_T_OID = 0x06,
	SNMP_T_IPADDR = 0x40,
	SNMP_T_COUNTER32 = 0x41,
	SNMP_T_GAUGE32 = 0x42,
	SNMP_T_TIMETICKS = 0x43,
	SNMP_T_OPAQUE = 0x44,
	SNMP_T_COUNTER64 = 0x46,
	SNMP_T_NOSUCHOBJECT = 0x80,
	SNMP_T_NOSUCHINSTANCE = 0x81,
	SNMP_T_ENDOFMIBVIEW = 0x82
};

enum snmp_pdu_type {
	SNMP_PDU_GET = 0xa0,
	SNMP_PDU_GETNEXT = 0xa1,
	SNMP_PDU_RESPONSE = 0xa2,
	SNMP_PDU_SET = 0xa3,
	SNMP_PDU_GETBULK = 0xa5,
	SNMP_PDU_INFORM = 0xa6,
	SNMP_PDU_TRAPV2 = 0xa7,
	SNMP_PDU_REPORT = 0xa8
};

#define SNMP_V1			0
#define SNMP_V2C		1

/* error-status (RFC 3416 section 3) */
#define SNMP_ERR_NOERROR		0
#define SNMP_ERR_TOOBIG			1
#define SNMP_ERR_NOSUCHNAME		2
#define SNMP_ERR_BADVALUE		3
#define SNMP_ERR_READONLY		4
#define SNMP_ERR_GENERR			5
#define SNMP_ERR_NOACCESS		6
#define SNMP_ERR_WRONGTYPE		7
#define SNMP_ERR_WRONGLENGTH		8
#define SNMP_ERR_WRONGENCODING		9
#define SNMP_ERR_WRONGVALUE		10
#define SNMP_ERR_NOCREATION		11
#define SNMP_ERR_INCONSISTENTVALUE	12
#define SNMP_ERR_RESOURCEUNAVAILABLE	13
#define SNMP_ERR_COMMITFAILED		14
#define SNMP_ERR_UNDOFAILED		15
#define SNMP_ERR_AUTHORIZATIONERROR	16
#define SNMP_ERR_NOTWRITABLE		17
#define SNMP_ERR_INCONSISTENTNAME	18

struct snmp_value {
	uint8_t		 type;		/* enum snmp_type */
	int64_t		 i;		/* INTEGER (fits int32) */
	uint64_t	 u;		/* Counter32, Gauge32, TimeTicks (fit
					   uint32), Counter64 */
	const uint8_t	*s;		/* OCTETS, IPADDR (4 bytes), OPAQUE */
	size_t		 slen;
	struct snmp_oid	 oid;		/* OID values */
};

struct snmp_varbind {
	struct snmp_oid		 oid;
	struct snmp_value	 v;
};

struct snmp_msg {
	int			 version;	/* SNMP_V1 or SNMP_V2C */
	const uint8_t		*community;
	size_t			 community_len;
	uint8_t			 pdu_type;
	int32_t			 request_id;
	int32_t			 error_status, error_index; /* not GetBulk */
	int32_t			 non_repeaters, max_repetitions; /* GetBulk */
	size_t			 nvarbinds;
	struct snmp_varbind	 vb[SNMP_MAX_VARBINDS];
};

/*
 * Decode a whole message: 0 on success; -1 on any malformation with
 * *errstr set to a static reason (and *m half-filled: do not use it).
 * Never reads outside pkt[0..len).  Fields of a value that its type does
 * not use are zero (s NULL, oid.len 0).
 */
int		 snmp_decode(const uint8_t *, size_t, struct snmp_msg *,
		    const char **);
/*
 * Encode into buf: 0 and *outlen on success; -1 if it does not fit (in
 * bufsz or in SNMP_MAX_MSGLEN) or the message is invalid: bad version,
 * PDU type or counts, an OID shorter than 2 or longer than SNMP_MAX_SUBIDS
 * or with bad first arcs, a value out of the range of its type, an
 * IpAddress not of 4 octets.  Only the fields the type uses are read.
 */
int		 snmp_encode(const struct snmp_msg *, uint8_t *, size_t,
		    size_t *);
/*
 * A request whose values are all NULL.  nonrep and maxrep are used for
 * GetBulk only; other PDUs get error-status and error-index 0.
 */
int		 snmp_encode_request(int, const char *, uint8_t, int32_t,
		    int32_t, int32_t, const struct snmp_oid *, size_t,
		    uint8_t *, size_t, size_t *);

/* "1.3.6.1.2.1.1.1.0", optional leading '.'; -1 on any error */
/*
 * Request-ids from SNMP_REQID_MIN to SNMP_REQID_MAX always encode in four
 * octets, so a sender may encode a request once and set its id later:
 * snmp_reqid_offset() finds those four octets (-1 if the message's id is
 * not four octets long).
 */
#define SNMP_REQID_MIN	0x01000000
#define SNMP_REQID_MAX	0x7fffffff
int		 snmp_reqid_offset(const uint8_t *, size_t, size_t *);
/* the same in a ScopedPDU (SNMPv3), before it is sealed */
int		 snmp_scoped_reqid_offset(const uint8_t *, size_t, size_t *);
void		 snmp_reqid_set(uint8_t *, size_t off, int32_t);

int		 snmp_oid_parse(const char *, struct snmp_oid *);
/* dotted; 0, or -1 if truncated (buf is still NUL-terminated) */
int		 snmp_oid_fmt(const struct snmp_oid *, char *, size_t);
/* lexicographic, a proper prefix first: <0, 0, >0 */
int		 snmp_oid_cmp(const struct snmp_oid *, const struct snmp_oid *);
/* 1 if the second starts with the first (or equals it), else 0 */
int		 snmp_oid_is_prefix(const struct snmp_oid *,
		    const struct snmp_oid *);
/* 0, or -1 if the OID is full */
int		 snmp_oid_append(struct snmp_oid *, uint32_t);
/* copy only the arcs in use (an OID is 516 bytes, most use a dozen) */
void		 snmp_oid_copy(struct snmp_oid *, const struct snmp_oid *);

/* "Counter32", "noSuchName", "GetBulkRequest"...; "unknown" otherwise */
const char	*snmp_type_name(uint8_t);
const char	*snmp_error_name(int32_t);
const char	*snmp_pdu_name(uint8_t);

/*
 * A value in the snmprec format of snmpsim, "TAG|VALUE": the tag in
 * decimal; octet strings as text when every octet is printable ASCII
 * (and the text neither starts nor ends with a space), else as "4x|"
 * followed by lowercase hex; Opaque always as "68x|hex"; IpAddress dotted;
 * OIDs dotted; exception values and NULL with an empty value.
 * 0, or -1 if truncated (buf is still NUL-terminated).
 */
int		 snmp_value_fmt(const struct snmp_value *, char *, size_t);

/*
 * SNMPv3 messages (RFC 3412) with the User-based Security Model's
 * parameters (RFC 3414), decoded and encoded without any cryptography:
 * usm.h authenticates, encrypts and keeps the state of an agent.
 *
 *	SNMPv3Message ::= SEQUENCE { msgVersion INTEGER (3),
 *	    msgGlobalData SEQUENCE { msgID INTEGER (0..2147483647),
 *	        msgMaxSize INTEGER (484..2147483647),
 *	        msgFlags OCTET STRING (SIZE (1)),
 *	        msgSecurityModel INTEGER (3) },
 *	    msgSecurityParameters OCTET STRING,	-- holds exactly:
 *	        UsmSecurityParameters ::= SEQUENCE {
 *	            msgAuthoritativeEngineID OCTET STRING (SIZE (0 | 5..32)),
 *	            msgAuthoritativeEngineBoots INTEGER (0..2147483647),
 *	            msgAuthoritativeEngineTime INTEGER (0..2147483647),
 *	            msgUserName OCTET STRING (SIZE (0..32)),
 *	            msgAuthenticationParameters OCTET STRING (SIZE (0..48)),
 *	            msgPrivacyParameters OCTET STRING (SIZE (0..32)) }
 *	    msgData ScopedPDU, or OCTET STRING (encryptedPDU) when the
 *	        privacy flag is set }
 *	ScopedPDU ::= SEQUENCE { contextEngineID OCTET STRING (SIZE (0..32)),
 *	    contextName OCTET STRING (SIZE (0..32)), data PDU }
 *
 * again with nothing before, between or after the parts.  msgFlags may
 * only hold the three defined bits, and privacy without authentication is
 * refused (RFC 3412 section 7.2 step 5).  The PDU inside a ScopedPDU is
 * decoded as in an SNMPv2c message (see above; the same bounds).
 */
#define SNMP_V3			3
#define SNMP_V3_F_AUTH		0x01	/* msgFlags */
#define SNMP_V3_F_PRIV		0x02
#define SNMP_V3_F_REPORTABLE	0x04
#define SNMP_V3_SEC_USM		3	/* msgSecurityModel */
#define SNMP_V3_MIN_MAXSIZE	484
#define SNMP_V3_MIN_ENGINEID	5	/* SnmpEngineID, RFC 3411 */
#define SNMP_V3_MAX_ENGINEID	32
#define SNMP_V3_MAX_USER	32	/* usmUserName, SnmpAdminString */
#define SNMP_V3_MAX_CONTEXT	32	/* contextName */
#define SNMP_V3_MAX_AUTHPARAMS	48	/* HMAC-SHA-512 is cut to 48 */
#define SNMP_V3_MAX_PRIVPARAMS	32

/*
 * A decoded message: the pointers point into the packet.  data is the
 * encryptedPDU's contents when SNMP_V3_F_PRIV is set, else the whole
 * ScopedPDU (tag, length and contents) for snmp_scoped_decode().
 */
struct snmp_v3 {
	int32_t		 msgid;
	int32_t		 maxsize;
	uint8_t		 flags;
	const uint8_t	*engineid;
	size_t		 engineid_len;
	int32_t		 boots;
	int32_t		 time;
	const uint8_t	*user;
	size_t		 user_len;
	const uint8_t	*authp;
	size_t		 authp_len;
	const uint8_t	*privp;
	size_t		 privp_len;
	const uint8_t	*data;
	size_t		 data_len;
};

struct snmp_scoped {
	const uint8_t	*ctx_engineid;
	size_t		 ctx_engineid_len;
	const uint8_t	*ctx_name;
	size_t		 ctx_name_len;
};

/* 0, or -1 with *errstr; never reads outside pkt[0..len) */
int		 snmp_v3_decode(const uint8_t *, size_t, struct snmp_v3 *,
		    const char **);
/*
 * A ScopedPDU that fills buf[0..len) exactly; the PDU goes to *m with
 * version SNMP_V3 and no community.  0, or -1 with *errstr.
 */
int		 snmp_scoped_decode(const uint8_t *, size_t,
		    struct snmp_scoped *, struct snmp_msg *, const char **);
/*
 * Encode into buf: 0, *outlen and *authoff (where the authentication
 * parameters' authp_len octets start in buf); -1 if it does not fit (in
 * bufsz or in SNMP_MAX_MSGLEN) or a field is out of the ranges above, or
 * data is not one SEQUENCE when SNMP_V3_F_PRIV is clear.  The
 * authentication parameters are zeros when h->authp is NULL (a place for
 * the digest).  h->data may point anywhere into buf, no other field may.
 */
int		 snmp_v3_encode(const struct snmp_v3 *, uint8_t *, size_t,
		    size_t *, size_t *);
/* the ScopedPDU of *m (any PDU an SNMPv2c message may carry) */
int		 snmp_scoped_encode(const struct snmp_scoped *,
		    const struct snmp_msg *, uint8_t *, size_t, size_t *);
/* a ScopedPDU holding a request, as snmp_encode_request() makes them */
int		 snmp_scoped_encode_request(const struct snmp_scoped *,
		    uint8_t, int32_t, int32_t, int32_t, const struct snmp_oid *,
		    size_t, uint8_t *, size_t, size_t *);

#endif /* CALLHOME_SNMP_H */

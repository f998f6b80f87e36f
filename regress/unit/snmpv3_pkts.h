/* SNMPv3 packets net-snmp exchanged: see snmpv3_pkts.c */
#ifndef REGRESS_SNMPV3_PKTS_H
#define REGRESS_SNMPV3_PKTS_H

#include <stddef.h>
#include <stdint.h>

#define V3CAP_PROBE	0
#define V3CAP_REPORT	1
#define V3CAP_REQUEST	2
#define V3CAP_RESPONSE	3

struct v3capture {
	const char	*user;
	const uint8_t	*pkt[4];
	size_t		 len[4];
};

extern const struct v3capture	v3cap[];
extern const size_t		v3ncap;

#endif /* REGRESS_SNMPV3_PKTS_H */

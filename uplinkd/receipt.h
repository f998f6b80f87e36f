/*
 * The server's receipt for an upload: a SOAP envelope holding ch:Receipt,
 * parsed with xmlsafe (no DTD, no entities, no network, schema-checked).
 */
#ifndef UPLINKD_RECEIPT_H
#define UPLINKD_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "xmlsafe.h"

struct receipt {
	char		 sha256[65];
	int64_t		 doc_id;
	char		 server_time[40];
	int		 duplicate;
};

int	receipt_parse(struct xschema *, const uint8_t *, size_t,
	    struct receipt *, char *, size_t);

#endif /* UPLINKD_RECEIPT_H */

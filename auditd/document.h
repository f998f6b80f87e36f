/*
 * The upload document of one collection cycle: a SOAP 1.2 envelope whose
 * Body holds one ch:Upload (etc/callhome.xsd), built from the readings as
 * they were stored (never from the messages), filtered by the categories
 * switched on with "send".
 *
 * Deterministic: the same stored readings, parameters and salt give the
 * same bytes.  The only times in it are the cycle's and the devices' own;
 * attributes come in a fixed order; the envelope is indented one space
 * per level, and each Device is one line.
 *
 * Every text is written as XML characters only (anything else becomes
 * U+FFFD) and within the schema's length limits; values the schema would
 * refuse (an OID that is not dotted digits, an enterprise number out of
 * range, a percentage outside 0..100) are left out, so that nothing a
 * device says can make the document invalid.
 *
 * Devices are named by a key that names no address:
 *
 *	serial:<vendor>:<serial>	with "send identity yes" and a serial
 *	anon:<32 hex>			otherwise: the first 128 bits of
 *					SHA-256(salt || "serial:<vendor>:
 *					<serial>") when there is a serial,
 *					else of SHA-256(salt || address)
 *
 * where the salt is the site's 32 random bytes kept in the database
 * (auditd/outbox.c), so the key of a device is stable across cycles and
 * nobody without the salt can recover an address from it.  Unless "send
 * device-address yes", the device's address appears nowhere: there is no
 * Address element, and any occurrence of its host part in a text the
 * device returned (sysDescr, a reason...) is replaced by "[address]".
 *
 * With "send job-data yes", a device's JobData is its sealed job data as
 * collectd sealed it (callhome-jobdata(5)), in base64: the document
 * carries it, opaque, and never the plaintext kept in the database.
 */
#ifndef CALLHOME_DOCUMENT_H
#define CALLHOME_DOCUMENT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"

#define DOC_SOFTWARE		"callhome/0.1"
#define DOC_SALT_LEN		32
#define DOC_KEY_MAX		1024	/* a device key, NUL included */
#define DOC_MAX_DEVICES		100000	/* maxOccurs of Device */

struct doc_params {
	const char	*gateway;	/* callhome.conf "gateway" */
	const char	*site;		/* "site", sent with site-info */
	uint32_t	 send;		/* CAT_BIT() mask */
	const uint8_t	*salt;		/* DOC_SALT_LEN bytes */
};

/*
 * Append the document of stored cycle `cycle' to out.  -1 with a reason
 * in err on a database error or when the cycle is not there.
 */
int	document_build(sqlite3 *, int64_t cycle, const struct doc_params *,
	    struct wbuf *out, char *err, size_t errlen);

/* the key of a device as the document names it (DOC_KEY_MAX bytes) */
void	document_device_key(const struct doc_params *, const char *address,
	    const char *vendor, const char *serial, char *key);

/* xs:dateTime in UTC, "2026-11-21T10:00:00Z" (at least 21 bytes) */
void	document_time(int64_t, char *, size_t);

#endif /* CALLHOME_DOCUMENT_H */

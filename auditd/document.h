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
/* a part's number and count: at most one part per device of a cycle */
#define DOC_PARTS_MAX		(1U << 20)	/* STORE_MAX_DEVICES */
/* the Part element and the end of a document, at most */
#define DOC_TAIL_MAX		256

struct doc_params {
	const char	*gateway;	/* callhome.conf "gateway" */
	const char	*site;		/* "site", sent with site-info */
	uint32_t	 send;		/* CAT_BIT() mask */
	const uint8_t	*salt;		/* DOC_SALT_LEN bytes */
};

/*
 * A cycle in parts.  Its devices are cut, in order and whole, into parts
 * of at most `limit' bytes each (a device that alone is larger makes a
 * part of its own, larger than the limit).  Every part is a whole
 * document: the same envelope, Gateway, Site, Cycle and Categories, its
 * devices, and last, after Devices,
 *
 *	<ch:Part number="I" firstDevice="F" devices="D" of="N"  .../>
 *
 * part I of N, holding the cycle's devices F to F + D - 1 (ordinals from
 * 0).  It comes last so that each part is written once, in one pass, and
 * nobody holds a whole large cycle: N is known only when the last part is
 * cut, so the Part element of the others is written with of="I" and
 * padded to a fixed width; document_tail() gives the final one, of the
 * same length, to put in its place (auditd does so in the stored bytes
 * and only then hashes them).
 */
struct doc_part {
	uint32_t	 number;	/* from 1 */
	int		 last;		/* no device follows: of = number */
	uint32_t	 first;		/* its first device's ordinal */
	uint32_t	 devices;
	const uint8_t	*data;		/* the whole part, valid in the call */
	size_t		 len;
	size_t		 tail;		/* where its Part element starts */
};
/* -1 (with a reason in err) stops the build, which then fails */
typedef int	(*doc_part_fn)(void *, const struct doc_part *, char *err,
		    size_t errlen);

/*
 * The parts of stored cycle `cycle', handed to fn one by one, in order.
 * -1 with a reason in err on a database error, when the cycle is not
 * there, or when fn failed.
 */
int	document_parts(sqlite3 *, int64_t cycle, const struct doc_params *,
	    size_t limit, doc_part_fn fn, void *arg, char *err,
	    size_t errlen);
/*
 * The end of a part from its Part element on, with its count `of': into
 * buf (DOC_TAIL_MAX bytes), its length returned.  The length does not
 * depend on `of', so that the final tail replaces the first one in place.
 */
size_t	document_tail(char *buf, uint32_t number, uint32_t first,
	    uint32_t devices, uint32_t of);

/*
 * The whole cycle as one document (part 1 of 1, whatever its size),
 * appended to out.  -1 with a reason in err on a database error or when
 * the cycle is not there.
 */
int	document_build(sqlite3 *, int64_t cycle, const struct doc_params *,
	    struct wbuf *out, char *err, size_t errlen);

/* the key of a device as the document names it (DOC_KEY_MAX bytes) */
void	document_device_key(const struct doc_params *, const char *address,
	    const char *vendor, const char *serial, char *key);

/* xs:dateTime in UTC, "2026-11-21T10:00:00Z" (at least 21 bytes) */
void	document_time(int64_t, char *, size_t);

#endif /* CALLHOME_DOCUMENT_H */

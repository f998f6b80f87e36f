/*
 * The check-in exchange of the wire protocol (etc/callhome.xsd,
 * docs/protocol.md):
 *
 *	POST /callhome/1/checkin	ch:CheckIn -> ch:CheckInResponse
 *
 * checkin_build() writes the gateway's request: deterministic, the same
 * input gives the same bytes (packages are sorted by name).
 * checkin_response_parse() reads the server's answer strictly (xmlsafe:
 * no DTD, no entity, bounded size and depth, schema-valid) and returns
 * the bundles exactly as they were signed, decoded from base64 and
 * otherwise untouched: it does not look inside them, signerd does.
 */
#ifndef CALLHOME_CHECKIN_H
#define CALLHOME_CHECKIN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "bundle.h"
#include "xmlsafe.h"

#define CHECKIN_MAX_PACKAGES	256		/* maxOccurs of Package */
#define CHECKIN_MAX_BUNDLES	8		/* maxOccurs of Bundle */
#define CHECKIN_GATEWAY_MAX	1023		/* ch:Text, in characters */
#define CHECKIN_SOFTWARE_MAX	63		/* ch:Name */
/* the largest answer: uplinkd's HTTP_MAX_BODY; 8 bundles of 64 KiB fit */
#define CHECKIN_RESPONSE_MAX	(1024 * 1024)
#define CHECKIN_TIME_MAX	64		/* ServerTime, NUL included */

struct checkin_package {
	char		 name[BUNDLE_NAME_MAX + 1];	/* bundle_valid_name() */
	uint64_t	 version;			/* 1..BUNDLE_SEQ_MAX */
};

struct checkin {
	const char			*gateway;	/* callhome.conf "gateway" */
	const char			*software;	/* "callhome/0.1" */
	uint64_t			 last_sequence;	/* 0: none accepted */
	const struct checkin_package	*packages;	/* installed, any order */
	size_t				 npackages;
};

/*
 * Append the SOAP envelope of the CheckIn to out.  The gateway and the
 * software are written as the upload document writes them: characters
 * that are not valid UTF-8 or not allowed in XML become U+FFFD, and
 * they are cut to CHECKIN_GATEWAY_MAX and CHECKIN_SOFTWARE_MAX
 * characters.  -1 with a reason in err (out unchanged) for more than
 * CHECKIN_MAX_PACKAGES packages, a package name that is not valid or
 * given twice, a version or sequence out of range.
 */
int	checkin_build(const struct checkin *, struct wbuf *out, char *err,
	    size_t errlen);

struct checkin_bundle {
	uint8_t		*data;		/* the signed file's bytes */
	size_t		 len;		/* 1..BUNDLE_MAX */
};

/* the server's word on an incident of this gateway (IncidentStatus) */
#define CHECKIN_MAX_INCIDENTS	256
#define CHECKIN_INC_RECEIVED	1
#define CHECKIN_INC_SHIPPED	2
#define CHECKIN_INC_CLOSED	3
struct checkin_incident {
	int64_t		 id;		/* the gateway's number, > 0 */
	uint8_t		 status;	/* CHECKIN_INC_* */
};
/* "received", "shipped", "closed"; NULL for anything else */
static inline const char *
checkin_incident_status(int s)
{
	return s == CHECKIN_INC_RECEIVED ? "received" :
	    s == CHECKIN_INC_SHIPPED ? "shipped" :
	    s == CHECKIN_INC_CLOSED ? "closed" : NULL;
}

struct checkin_response {
	char			 server_time[CHECKIN_TIME_MAX];	/* for the log */
	size_t			 nbundles;
	struct checkin_bundle	 bundles[CHECKIN_MAX_BUNDLES];
	size_t			 nincidents;
	struct checkin_incident	 incidents[CHECKIN_MAX_INCIDENTS];
};

/*
 * Parse the server's answer (at most CHECKIN_RESPONSE_MAX bytes) against
 * the schema xs.  0 and *r filled (checkin_response_free() it), or -1
 * with a reason in err and *r empty.  Each Bundle must be one text node
 * of canonical base64 without white space that decodes to 1 to
 * BUNDLE_MAX bytes; each IncidentStatus a number and a known status.
 */
int	checkin_response_parse(struct xschema *xs, const uint8_t *, size_t,
	    struct checkin_response *r, char *err, size_t errlen);
void	checkin_response_free(struct checkin_response *);

#endif /* CALLHOME_CHECKIN_H */

/*
 * An incident as the administrator typed it (callhomectl incident), encoded
 * one way on the two channels it crosses: the control socket (client ->
 * parent, CTL_INCIDENT) and parent -> auditd (INCIDENT_NEW).
 *
 *	service		a device needs a technician: a problem text, and
 *			optionally a contact (name, e-mail, phone), which
 *			is personal data typed in for this incident only
 *	supply		a device needs supplies: one or more supply
 *			indexes (prtMarkerSuppliesIndex as the readings
 *			name them, "1" or "1.2")
 *
 * The device is named as "callhomectl devices" names it: its number, its
 * key or its last address.  Every text is bounded, printable and without
 * control characters; a decoder refuses anything else.
 */
#ifndef CALLHOME_CHAN_INCIDENT_H
#define CALLHOME_CHAN_INCIDENT_H

#include <stdint.h>

#include "buf.h"

#define INC_SERVICE		1
#define INC_SUPPLY		2

#define INC_DEVICE_MAX		256	/* the device's name, NUL included */
#define INC_PROBLEM_MAX		1024
#define INC_NAME_MAX		128	/* each part of the contact */
#define INC_SUPPLIES_MAX	16	/* indexes of one supply request */
#define INC_INDEX_MAX		32	/* "1.2": digits and dots */
#define INC_TEXT_MAX		512	/* INCIDENT_DONE's text */

struct incident_req {
	uint8_t		 kind;			/* INC_* */
	uint8_t		 send;			/* --send: deliver now */
	uint32_t	 uid;			/* who asked (the parent) */
	char		 device[INC_DEVICE_MAX];
	char		 problem[INC_PROBLEM_MAX];	/* service only */
	char		 name[INC_NAME_MAX];	/* the contact, all or none */
	char		 email[INC_NAME_MAX];
	char		 phone[INC_NAME_MAX];
	uint32_t	 nsupplies;		/* supply only: 1.. */
	char		 supplies[INC_SUPPLIES_MAX][INC_INDEX_MAX];
};
/* the largest encoding, for the channels' limits */
#define INC_REQ_WIRE_MAX	(2 + 4 + 6 * 4 + INC_DEVICE_MAX + \
	    INC_PROBLEM_MAX + 3 * INC_NAME_MAX + \
	    INC_SUPPLIES_MAX * (4 + INC_INDEX_MAX))

const char	*incident_kind_name(int);	/* "service", "supply" */
/* printable text without control characters (UTF-8 allowed) */
int		 incident_text_ok(const char *);
/* digits and dots, not starting or ending with a dot, no "..": 0 or -1 */
int		 incident_index_ok(const char *);
/* the rules above on a whole request: 0, or -1 with why */
int		 incident_req_check(const struct incident_req *, const char **);

void	wbuf_incident_req(struct wbuf *, const struct incident_req *);
void	rbuf_incident_req(struct rbuf *, struct incident_req *);
int	msg_incident_req_decode(const void *, size_t, struct incident_req *);

/* INCIDENT_DONE: recorded (its number), or why not */
#define INC_DONE_OK		0
#define INC_DONE_REFUSED	1	/* a wrong request: exit 1 */
#define INC_DONE_BUSY		2	/* a cycle is being stored: retry */
struct incident_done {
	uint8_t		 result;		/* INC_DONE_* */
	int64_t		 id;			/* > 0 when recorded */
	char		 text[INC_TEXT_MAX];
};
void	msg_incident_done_encode(struct wbuf *, const struct incident_done *);
int	msg_incident_done_decode(const void *, size_t, struct incident_done *);

#endif /* CALLHOME_CHAN_INCIDENT_H */

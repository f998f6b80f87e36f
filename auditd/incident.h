/*
 * Incidents and supply requests, auditd's part.
 *
 * An incident the administrator typed (INCIDENT_NEW) is recorded in its
 * own transaction with an "incident" record of the transaction log; a
 * supply that falls to its threshold makes an automatic supply request
 * while its cycle is stored ("supply requests yes"), once per low spell:
 * the request is made when the level falls to the threshold, and the
 * supply is watched until it rises above it again (a refill, recorded
 * too), so a supply that stays low makes no second request.  Special
 * levels (-1 other, -2 unknown, -3 some remaining) never make one; a
 * supply without a maximum is low when the printer's own alert says so
 * (an almost-empty or empty alert of the supplies or marker group naming
 * it, or the device's only such supply).
 *
 * Every incident not carried yet goes with the next cycle's documents
 * (INCIDENTS_PER_CYCLE at most; the rest with the one after): they are
 * assigned to the cycle inside its transaction, before its documents are
 * built.
 */
#ifndef CALLHOME_INCIDENT_H
#define CALLHOME_INCIDENT_H

#include <stdint.h>

#include "chan/incident.h"
#include "chan/parent_auditd.h"
#include "db.h"

#define INCIDENTS_PER_CYCLE	256

struct supply_policy {
	int			 enabled;
	uint32_t		 threshold;	/* percent, the default */
	uint32_t		 nrules;
	struct supply_rule	 rules[CONF_SUPPLY_RULES_MAX];
};
void	supply_policy_set(struct supply_policy *, const struct auditd_conf *);
/* the threshold of a supply of this vendor and type */
uint32_t supply_threshold(const struct supply_policy *, const char *vendor,
	    const char *type);

/*
 * Record an operator's incident in its own transaction; d says what came
 * of it (recorded, or refused and why).  -1 on a database error, with a
 * reason in err.
 */
int	incident_record(struct db *, const struct incident_req *, int64_t now,
	    struct incident_done *d, char *err, size_t errlen);

/*
 * Inside cycle `cycle''s transaction: its automatic supply requests and
 * refills, then the incidents not carried yet assigned to it.  -1 on a
 * database error, with a reason in err.
 */
int	incident_cycle(sqlite3 *, int64_t cycle, const struct supply_policy *,
	    int64_t now, char *err, size_t errlen);

/*
 * The server's status of incidents (a check-in's answer): kept, and each
 * change an "incident" record, in its own transaction or, while a cycle
 * is stored, a savepoint of the cycle's.  Numbers this gateway never used
 * are ignored.  -1 on a database error, with a reason in err.
 */
struct checkin_incident;
int	incident_server_status(struct db *, const struct checkin_incident *,
	    size_t n, int64_t now, char *err, size_t errlen);

#endif /* CALLHOME_INCIDENT_H */

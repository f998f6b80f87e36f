/*
 * The devices' readings in auditd's database, as "callhomectl devices"
 * (ctl_db.c) and "callhomectl report" (ctl_report.c) both read them: the
 * latest report of each device, sorted by address, and a device as the
 * JSON object of "devices -j" and "report json".
 */
#ifndef CALLHOME_CTL_READINGS_H
#define CALLHOME_CTL_READINGS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "report.h"

struct json;

/* one device's latest report, as much as sorting and the tables need */
struct ctl_dev {
	int64_t		 report;
	int64_t		 cycle;
	/* the address, parsed for sorting */
	int		 family;	/* 4, 6, or 0: not an address */
	uint8_t		 addr[16];
	long		 port;
	char		 address[REPORT_NAME];
	/* for the tables */
	int		 outcome;
	char		 vendor[REPORT_NAME];
	char		 model[128];
	char		 serial[128];
	int64_t		 printer_status;
	int64_t		 pages;		/* the meter "total" */
	int64_t		 alerts;
	int		 state;		/* enum dev_state, NONE before v4 */
	int64_t		 state_since;
};

/*
 * The latest report of each device collected in [since, until)
 * (CTL_TIME_MIN and CTL_TIME_MAX leave the period open), sorted by
 * address: IPv4 by number, then IPv6, then anything else by text; then
 * by port.  *np of them, to free(); exits on error.
 */
struct ctl_dev	*ctl_load_devices(sqlite3 *, int64_t since, int64_t until,
		    size_t *np);

/* one report whole: the device and its rows */
struct ctl_full {
	struct rpt_device	 d;
	int64_t			 cycle;
	struct rpt_meter	*m;
	size_t			 nm, cm;
	struct rpt_supply	*s;
	size_t			 ns, cs;
	struct rpt_alert	*a;
	size_t			 na, ca;
};

/* the statements that read a report whole */
struct ctl_rq {
	sqlite3		*db;
	sqlite3_stmt	*report;
	sqlite3_stmt	*meters;
	sqlite3_stmt	*supplies;
	sqlite3_stmt	*alerts;
};

/* prepared once for all the reports; exits on error */
void	ctl_rq_prepare(sqlite3 *, struct ctl_rq *);
void	ctl_rq_finalize(struct ctl_rq *);
/* a device's report into f, reusing its rows; exits on error */
void	ctl_load_full(struct ctl_rq *, const struct ctl_dev *,
	    struct ctl_full *);
void	ctl_full_free(struct ctl_full *);

/*
 * The member "devices": the n devices of v, each read whole into f and
 * written as an object of the fixed shape of "devices -j": address,
 * status, serial, vendor, enterprise, model, firmware, device_status,
 * printer_status, errors, meters, supplies, alerts; then more keys
 * (state and state_since among them; a meter's flag and previous value
 * when it is flagged).
 */
void	ctl_json_devices(struct json *, struct ctl_rq *, struct ctl_full *,
	    const struct ctl_dev *v, size_t n);

#endif /* CALLHOME_CTL_READINGS_H */

/*
 * collectd: polls printers over SNMP (UDP) and streams typed reports to
 * auditd.  No disk, no TCP, no TLS, and no channel to uplinkd.
 */
#ifndef COLLECTD_H
#define COLLECTD_H

#include <sys/queue.h>

#include "build.h"
#include "chan/parent_collectd.h"
#include "child.h"
#include "engine.h"
#include "kset.h"
#include "profile.h"
#include "report.h"
#include "walk.h"

struct collectd;
struct device;

/* the built-in OIDs, parsed once (device.c) */
#define DEVICE_MAX_STD		40
#define DEVICE_MAX_PRT		4
struct device_oids {
	struct snmp_oid		 std[DEVICE_MAX_STD];	/* phase 1 columns */
	struct snmp_oid		 prt[DEVICE_MAX_PRT];	/* the printer's row */
	struct snmp_oid		 sysuptime0;
	struct build_oids	 build;
};

/*
 * The profile of a (sysObjectID, sysDescr) pair: a fleet repeats its
 * models, so it is remembered until the profiles change.
 */
#define MATCH_CACHE		256
#define MATCH_WAYS		4
struct match_entry {
	uint8_t			*key;
	size_t			 keylen;
	const struct profile	*p;
	const char		*vendor;
};

/* what collectd remembers of an address across cycles (targets.c) */
#define TGT_ANSWERED		0x01	/* answered in its last cycle */
#define TGT_ASLEEP		0x02	/* then silent: a longer wait next */

/* one collection cycle */
struct cycle {
	int			 running;
	struct rpt_cycle	 summary;
	/* the targets, in order: configured devices, then discovery */
	struct device_conf	*next_dev;
	int			 dev_pos;	/* next_dev's number */
	struct discover_conf	*next_disc;
	uint64_t		 disc_pos;	/* host number inside next_disc */
	uint64_t		 disc_count;
	size_t			 active;	/* devices being collected */
	size_t			 max_active;
	int			 filling;	/* fill() is running */
	uint64_t		 sent_before;	/* engine count at start */
	struct kset		 configured;	/* addresses of the devices */
	struct kset		 serials;	/* "vendor|serial" reported */
	struct kset		 engines;	/* SNMPv3 engine ids seen */
};

struct collectd {
	struct child		 c;
	struct imsgev		 auditd;
	struct collectd_conf	*conf;
	struct collectd_conf	*pending_conf;	/* applied between cycles */
	struct engine		*eng;
	struct cycle		 cycle;
	struct device_oids	 oids;
	struct match_entry	 match[MATCH_CACHE];
	unsigned int		 match_next;	/* the way to evict */
	struct kset		 targets;	/* discovered: address -> TGT_* */
	uint8_t			*dev_tgt;	/* configured devices' TGT_* */
	size_t			 ndev_tgt;
	struct dev_report	 report;	/* the one being sent */
};

/* device.c */
void		 device_oids_init(struct device_oids *);
/* slot: the configured device's number (its memory), or -1: discovered */
struct device	*device_new(struct collectd *, const struct sockaddr_storage *,
		    socklen_t, const struct snmp_target_opts *, int discovered,
		    int slot);
void		 device_start(struct device *);
void		 device_free(struct device *);

/* targets.c: what collectd keeps across devices and cycles */
/* an address as a key: family, port, address */
size_t		 addr_key(const struct sockaddr_storage *, uint8_t *, size_t);
#define ADDR_KEY_MAX	19

const struct profile *collectd_match_profile(struct collectd *,
		    const struct scalar *sysobjectid,
		    const struct scalar *sysdescr, const char **vendor);
/* the profiles are about to change: nothing remembered may stay */
void		 collectd_forget_profiles(struct collectd *);
/*
 * A longer wait for this address (it answered, then went silent); slot
 * as device_new()'s.  What is remembered of a configured device is in
 * an array (slot), of a discovered one in a set by address.
 */
int		 collectd_asleep(struct collectd *, int slot,
		    const struct sockaddr_storage *);
/* how a device ended, for the next cycle */
void		 collectd_device_answered(struct collectd *, int slot,
		    const struct sockaddr_storage *, int answered, int outcome);
/* a new configuration: what is remembered follows the addresses */
void		 collectd_targets_remap(struct collectd *,
		    const struct collectd_conf *, const struct collectd_conf *);
/*
 * An SNMPv3 engine id of a device that answered, with its serial number:
 * a note (and a warning) when another address with another serial (or
 * none known) has it; the same serial is one agent on two addresses.
 */
void		 collectd_engine_seen(struct collectd *,
		    const struct sockaddr_storage *, const uint8_t *, size_t,
		    const char *serial, char *note, size_t);
/* a discovered printer already reported at another address this cycle */
int		 collectd_duplicate(struct collectd *,
		    const struct sockaddr_storage *, int discovered,
		    const struct dev_report *);
/* the report to auditd */
void		 collectd_send_report(struct collectd *,
		    const struct dev_report *);

/* cycle.c */
void		 cycle_start(struct collectd *, uint64_t token, const char *);
/*
 * A device has ended: reported (sent to auditd) with its outcome, or
 * not (a discovered address that is not a printer, or silent; outcome
 * DEV_OUTCOME_MAX: a printer already reported at another address).
 */
void		 cycle_device_done(struct collectd *, struct device *,
		    int discovered, int reported, int outcome);
/* discovery: an address answered (before cycle_device_done) */
void		 cycle_discovered(struct collectd *, int answered);
void		 cycle_free(struct cycle *);
/* collectd.c */
void		 collectd_cycle_ended(struct collectd *);

#endif /* COLLECTD_H */

/*
 * collectd: polls printers over SNMP (UDP) and streams typed reports to
 * auditd.  No disk, no TCP, no TLS, and no channel to uplinkd.
 */
#ifndef COLLECTD_H
#define COLLECTD_H

#include <sys/queue.h>

#include "chan/parent_collectd.h"
#include "child.h"
#include "engine.h"
#include "profile.h"
#include "report.h"
#include "walk.h"

struct collectd;
struct device;

/* one collection cycle */
struct cycle {
	int			 running;
	struct rpt_cycle	 summary;
	/* the targets, in order: configured devices, then discovery */
	struct device_conf	*next_dev;
	struct discover_conf	*next_disc;
	uint64_t		 disc_pos;	/* host number inside next_disc */
	uint64_t		 disc_count;
	size_t			 active;	/* devices being collected */
	size_t			 max_active;
	int			 filling;	/* fill() is running */
	uint64_t		 sent_before;	/* engine count at start */
};

struct collectd {
	struct child		 c;
	struct imsgev		 auditd;
	struct collectd_conf	*conf;
	struct collectd_conf	*pending_conf;	/* applied between cycles */
	struct engine		*eng;
	struct cycle		 cycle;
};

/* device.c */
struct device	*device_new(struct collectd *, const struct sockaddr_storage *,
		    socklen_t, const struct snmp_target_opts *, int discovered);
void		 device_start(struct device *);
void		 device_free(struct device *);
void		 device_init_oids(void);
void		 device_forget_profiles(void);

/* cycle.c */
void		 cycle_start(struct collectd *, uint64_t token, const char *);
void		 cycle_device_done(struct collectd *, struct device *,
		    int reported, int outcome);
/* collectd.c */
void		 collectd_cycle_ended(struct collectd *);

#endif /* COLLECTD_H */

/*
 * callhomed, the parent: root until the children are started; reads the
 * configuration and key files, dials the server, owns timers and policy.
 * It parses no network data.
 */
#ifndef CALLHOMED_H
#define CALLHOMED_H

#include <sys/types.h>
#include <sys/queue.h>
#include <limits.h>
#include <time.h>

#include "chan/control.h"
#include "chan/parent_auditd.h"
#include "chan/parent_collectd.h"
#include "chan/parent_signerd.h"
#include "chan/parent_uplinkd.h"
#include "config.h"
#include "imsgev.h"
#include "proc.h"
#include "report.h"
#include "sandbox.h"

/* where the children live: set in callhomed.c from the build */
extern const char	*callhome_libexec;
extern const char	*callhome_schema;	/* etc/callhome.xsd */
#define EMPTY_DIR	"/var/empty"
#define ONCE_PEERID	0xffffffffU	/* -1's OUTBOX_STATUS_REQ */
#define KILL_GRACE_MS	1000	/* SIGTERM, then SIGKILL after this */

struct kid {
	enum proc_id		 id;
	pid_t			 pid;
	int			 alive;
	int			 ready;
	struct imsgev		 iev;
	/* the child's stderr, relayed to ours or to syslog */
	int			 logfd;
	int			 foreground;
	struct event		*ev_log;
	char			 logbuf[1024];
	size_t			 loglen;
	struct msg_pong		 pong;
};

/* the control socket and its clients (control.c) */
#define NGROUPS_MAX_CTL	256	/* a client's groups the kernel tells us */
struct ctl_conn;
struct control {
	TAILQ_HEAD(, ctl_conn)	 conns;
	size_t			 nconns;
	uint32_t		 next_id;
	int			 listen_fd;
	struct event		*ev_accept;
	gid_t			 gid;		/* the socket's group, 0: none */
	char			 path[108];	/* sun_path */
};

struct dial;
struct profile;

struct callhomed {
	struct event_base	*base;
	char			 conffile[PATH_MAX];
	struct callhome_conf	*conf;
	int			 foreground;
	int			 verbose;
	int			 oneshot;
	uid_t			 uid;
	gid_t			 gid;
	struct kid		 kids[PROC_MAX];	/* by proc id */
	int			 nready;
	int			 stopping;
	int			 exitcode;
	struct event		*ev_sig[4];
	struct event		*ev_ping;
	uint32_t		 ping_seq;
	/* collection */
	struct event		*ev_collect;
	time_t			 next_collect;
	int			 collecting;
	int			 incident_cycle; /* collect after this one */
	uint64_t		 cycle_token;
	struct timespec		 collect_started;
	struct rpt_cycle	 last_cycle;	/* as auditd stored it */
	int			 once_upload;	/* -1: waiting for uploads */
	int			 once_armed;	/* -1: auditd has seen the kick */
	int			 once_code;	/* -1: the collection's status */
	time_t			 once_since;	/* -1: attempts from now on */
	struct control		 ctl;
	struct dial		*dial;		/* dial.c: the one in progress */
	struct evdns_base	*dns;
	uint16_t		 dial_port;	/* the sandbox's one TCP port */
	/* check-in and instructions (instruct.c) */
	struct event		*ev_checkin;
	time_t			 next_checkin;	/* 0: none planned */
	struct gw_state		 gw;		/* auditd's, and since */
	int			 have_gw;
	int			 have_delivered;
	uint64_t		 delivered;	/* the outbox's, last seen */
	struct profile		*pkgprof;	/* installed profile packages */
	size_t			 npkgprof;
};

/* each child's part that the parent reads from files */
struct conf_parts {
	uint8_t			*xsd;		/* auditd's and uplinkd's */
	size_t			 xsdlen;
	struct signer_conf	 signer;
	struct uplink_conf	 uplink;
};

/* children.c */
void	 kids_spawn(struct callhomed *);
void	 kids_configure(struct callhomed *, const struct callhome_conf *,
	    const struct conf_parts *);
void	 kids_reap(struct callhomed *);
void	 kids_stop(struct callhomed *);
uint32_t kids_ping(struct callhomed *);
int	 kids_alive(const struct callhomed *);

/* confsend.c */
int	 conf_load_profiles(struct callhome_conf *);
int	 conf_load_jobkey(struct callhome_conf *);
void	 conf_load_tzname(struct callhome_conf *);
int	 conf_parts_load(const struct callhome_conf *, struct conf_parts *);
void	 conf_parts_free(struct conf_parts *);
void	 conf_send_all(struct callhomed *, const struct callhome_conf *,
	    const struct conf_parts *);

/* confrec.c */
int	 conf_record(struct callhomed *, const struct callhome_conf *old,
	    const struct callhome_conf *);

/* control.c */
void	 control_init(struct callhomed *);
void	 control_listen(struct callhomed *);
void	 control_cleanup(struct callhomed *);
void	 control_outbox_status(struct callhomed *, struct imsg *);
void	 control_outbox_op_done(struct callhomed *, struct imsg *);
void	 control_incident_done(struct callhomed *, struct imsg *);
void	 control_pong(struct callhomed *);
void	 ctl_reply(struct ctl_conn *, const char *, const char *, ...)
	    __attribute__((__format__(printf, 3, 4)));

/* dial.c */
struct evdns_base;
void	 dial_init(struct callhomed *);
void	 dial_request(struct callhomed *, struct imsg *);
void	 dial_cleanup(struct callhomed *);

/* instruct.c */
struct profile_set;
int	 sched_minute_now(const struct callhomed *);
uint32_t checkin_every_now(const struct callhomed *);
void	 checkin_schedule(struct callhomed *, int first);
int	 checkin_now(struct callhomed *, const char *);
void	 checkin_outbox_news(struct callhomed *,
	    const struct msg_outbox_status *);
void	 instructions_handle(struct callhomed *, struct imsg *);
void	 gateway_state_handle(struct callhomed *, struct imsg *);
void	 profile_package_handle(struct callhomed *, struct imsg *);
int	 profiles_merge(const struct callhomed *, struct profile_set *);

/* schedule.c */
struct tm;
/* the first instant the local clock shows a time (a gap: its end) */
time_t	 sched_local(const struct tm *);
/* the collection after now, r seconds into the window (r <= jitter) */
time_t	 sched_slot(time_t now, int minute, uint32_t jitter, uint32_t r);
time_t	 sched_daily(time_t, int);
time_t	 sched_next_collect(time_t, int, uint32_t);

/* callhomed.c */
extern const imsgev_dispatch	parent_dispatch[PROC_MAX];
void	 parent_shutdown(struct callhomed *, int);
int	 reload(struct callhomed *);
void	 once_outbox(struct callhomed *, const struct msg_outbox_status *);
void	 collect_now(struct callhomed *, const char *);
void	 sched_collect(struct callhomed *, int at_start);

#endif /* CALLHOMED_H */

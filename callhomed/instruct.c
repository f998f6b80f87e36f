/*
 * Check-in and what comes of it, the parent's part: when to check in,
 * the customer's policy over each verified instruction, and the state
 * auditd keeps (the schedule and interval instructions set, the last
 * accepted sequence, the installed vendor profiles).
 *
 * signerd has verified a bundle before its instructions get here: signed
 * by a trusted key, for this gateway, newer than the last, fresh.  What
 * is left is the customer's word: callhome.conf's "allow" statements.
 * Each instruction, done or refused, goes to auditd for the log.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callhomed.h"
#include "clock.h"
#include "log.h"
#include "profile.h"
#include "upload_status.h"

#define FIRST_CHECKIN_MAX	60	/* seconds after start, at most */

/*
 * What the running schedule is: an instruction's, while the policy
 * allows it, else the configuration's.
 */
int
sched_minute_now(const struct callhomed *ch)
{
	const struct policy_conf	*p = &ch->conf->policy;
	int				 m = ch->gw.sched_minute;

	if (m >= 0 && (p->instructions & POL_SCHEDULE) &&
	    m >= p->sched_from && m <= p->sched_to)
		return m;
	return ch->conf->sched_minute;
}

uint32_t
checkin_every_now(const struct callhomed *ch)
{
	const struct policy_conf	*p = &ch->conf->policy;
	uint32_t			 s = ch->gw.checkin_every;

	if (ch->conf->checkin_every == 0 ||
	    ch->conf->trust_instructions[0] == '\0')
		return 0;
	if (s != 0 && (p->instructions & POL_CHECKIN) && s >= p->checkin_min)
		return s;
	return ch->conf->checkin_every;
}

static void
on_checkin_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct callhomed	*ch = arg;

	(void)checkin_now(ch, "schedule");
	checkin_schedule(ch, 0);
}

/*
 * Arm the timer: the interval from now, or for the first check-in
 * after start a random moment of the first minute (a fleet restarted
 * together does not call at once).
 */
void
checkin_schedule(struct callhomed *ch, int first)
{
	struct timeval	 tv;
	uint32_t	 every = checkin_every_now(ch);

	if (ch->ev_checkin == NULL && (ch->ev_checkin = evtimer_new(ch->base,
	    on_checkin_timer, ch)) == NULL)
		fatalx("evtimer_new");
	evtimer_del(ch->ev_checkin);
	ch->next_checkin = 0;
	if (every == 0 || ch->oneshot)
		return;
	tv.tv_sec = first ? 1 + (time_t)arc4random_uniform(
	    every < FIRST_CHECKIN_MAX ? every : FIRST_CHECKIN_MAX) : every;
	tv.tv_usec = 0;
	ch->next_checkin = clock_now() + tv.tv_sec;
	evtimer_add(ch->ev_checkin, &tv);
}

/* ask auditd for a check-in; -1 with the reason in why */
int
checkin_now(struct callhomed *ch, const char *reason)
{
	if (ch->conf->trust_instructions[0] == '\0') {
		log_debug("no check-in (%s): no trust instructions", reason);
		return -1;
	}
	if (!ch->conf->have_server) {
		log_debug("no check-in (%s): no server", reason);
		return -1;
	}
	if (!ch->have_gw) {
		/* signerd must know the last sequence before any bundle */
		log_debug("no check-in (%s): auditd's state has not come yet",
		    reason);
		return -1;
	}
	log_info("check-in (%s)", reason);
	msg_checkin_now_send(&ch->kids[PROC_AUDITD].iev);
	return 0;
}

/*
 * News of the outbox (peer id 0: after each upload result, and the
 * answer asked for at start, which sets the count): a delivery run that
 * delivered something is followed by a check-in.
 */
void
checkin_outbox_news(struct callhomed *ch, const struct msg_outbox_status *s)
{
	if (!ch->have_delivered) {
		ch->have_delivered = 1;
		ch->delivered = s->delivered;
		return;
	}
	if (s->inflight || s->delivered <= ch->delivered)
		return;
	ch->delivered = s->delivered;
	if (!ch->oneshot)
		(void)checkin_now(ch, "after upload");
}

/*
 * The policy over one instruction: 1 allowed, or 0 and why not in text.
 */
static int
allowed(const struct callhomed *ch, const struct bundle_item *it,
    char *text, size_t len)
{
	const struct policy_conf	*p = &ch->conf->policy;
	uint32_t			 bit;

	switch (it->kind) {
	case BI_COLLECT_NOW:
		if (p->instructions & POL_COLLECT)
			return 1;
		(void)snprintf(text, len, "collect now: not allowed (allow "
		    "instructions)");
		return 0;
	case BI_UPLOAD_NOW:
		if (!(p->instructions & POL_UPLOAD))
			(void)snprintf(text, len, "upload now: not allowed "
			    "(allow instructions)");
		else if (!ch->conf->authorize_upload)
			(void)snprintf(text, len, "upload now: uploading is "
			    "not authorized (authorize upload no)");
		else
			return 1;
		return 0;
	case BI_SCHEDULE_DAILY:
		if (!(p->instructions & POL_SCHEDULE))
			(void)snprintf(text, len, "schedule daily %02d:%02d: "
			    "not allowed (allow instructions)",
			    it->u.minute / 60, it->u.minute % 60);
		else if (it->u.minute < p->sched_from ||
		    it->u.minute > p->sched_to)
			(void)snprintf(text, len, "schedule daily %02d:%02d: "
			    "outside the window %02d:%02d-%02d:%02d (allow "
			    "schedule)", it->u.minute / 60, it->u.minute % 60,
			    p->sched_from / 60, p->sched_from % 60,
			    p->sched_to / 60, p->sched_to % 60);
		else
			return 1;
		return 0;
	case BI_CHECKIN_EVERY:
		if (!(p->instructions & POL_CHECKIN))
			(void)snprintf(text, len, "checkin every %us: not "
			    "allowed (allow instructions)", it->u.seconds);
		else if (it->u.seconds < p->checkin_min)
			(void)snprintf(text, len, "checkin every %us: shorter "
			    "than %us (allow checkin every)", it->u.seconds,
			    p->checkin_min);
		else
			return 1;
		return 0;
	case BI_PACKAGE:
		bit = it->u.pkg.kind == PKG_PROFILE ? POL_PKG_PROFILE :
		    POL_PKG_SOFTWARE;
		if (p->packages & bit)
			return 1;
		(void)snprintf(text, len, "package %s %s-%" PRIu64 ": %s "
		    "packages are not allowed (allow packages)",
		    package_kind_name(it->u.pkg.kind), it->u.pkg.name,
		    it->u.pkg.version, package_kind_name(it->u.pkg.kind));
		return 0;
	}
	fatalx("%s: instruction kind %d", __func__, (int)it->kind);
}

/* carry out one allowed instruction; text says what was done */
static void
carry_out(struct callhomed *ch, const struct bundle_item *it, char *text,
    size_t len)
{
	struct msg_fetch	 f;

	switch (it->kind) {
	case BI_COLLECT_NOW:
		if (ch->collecting)
			(void)snprintf(text, len, "collect now: a collection "
			    "was running already");
		else {
			collect_now(ch, "instruction");
			(void)snprintf(text, len, "collect now: started");
		}
		break;
	case BI_UPLOAD_NOW:
		msg_outbox_kick_send(&ch->kids[PROC_AUDITD].iev);
		(void)snprintf(text, len, "upload now: delivery requested");
		break;
	case BI_SCHEDULE_DAILY:
		ch->gw.sched_minute = it->u.minute;
		sched_collect(ch, 0);
		(void)snprintf(text, len, "schedule daily %02d:%02d: set",
		    it->u.minute / 60, it->u.minute % 60);
		break;
	case BI_CHECKIN_EVERY:
		ch->gw.checkin_every = it->u.seconds;
		checkin_schedule(ch, 0);
		(void)snprintf(text, len, "checkin every %us: set",
		    it->u.seconds);
		break;
	case BI_PACKAGE:
		memset(&f, 0, sizeof(f));
		f.id.kind = (uint8_t)it->u.pkg.kind;
		(void)strlcpy(f.id.name, it->u.pkg.name, sizeof(f.id.name));
		f.id.version = it->u.pkg.version;
		f.size = it->u.pkg.size;
		msg_fetch_send(&ch->kids[PROC_UPLINKD].iev, &f);
		(void)snprintf(text, len, "package %s %s-%" PRIu64 ": fetch "
		    "requested (%" PRIu64 " bytes)",
		    package_kind_name(it->u.pkg.kind), it->u.pkg.name,
		    it->u.pkg.version, it->u.pkg.size);
		break;
	}
}

/* signerd verified a bundle: each instruction against the policy */
void
instructions_handle(struct callhomed *ch, struct imsg *m)
{
	struct msg_instructions		*mi;
	struct msg_instruction_done	 d;
	uint32_t			 i;

	if ((mi = malloc(sizeof(*mi))) == NULL)
		fatal(NULL);
	if (msg_instructions_decode(m->data, m->len, mi) == -1)
		fatalx("bad INSTRUCTIONS from signerd");
	if (mi->sequence > ch->gw.last_seq)
		ch->gw.last_seq = mi->sequence;
	for (i = 0; i < mi->nitems; i++) {
		memset(&d, 0, sizeof(d));
		d.sequence = mi->sequence;
		d.index = i;
		d.item = mi->items[i];
		if (allowed(ch, &mi->items[i], d.text, sizeof(d.text))) {
			d.done = 1;
			carry_out(ch, &mi->items[i], d.text, sizeof(d.text));
			log_info("bundle %" PRIu64 ": %s", mi->sequence,
			    d.text);
		} else {
			(void)strlcpy(d.reason, "policy", sizeof(d.reason));
			log_warnx("bundle %" PRIu64 ": refused by the policy: "
			    "%s", mi->sequence, d.text);
		}
		msg_instruction_done_send(&ch->kids[PROC_AUDITD].iev, &d);
	}
	free(mi);
}

/*
 * auditd's state, at start and after each install: the timers follow
 * it, and signerd gets it before any check-in can bring a bundle.
 */
void
gateway_state_handle(struct callhomed *ch, struct imsg *m)
{
	struct gw_state	 st;
	int		 first = !ch->have_gw;

	if (msg_gateway_state_decode(m->data, m->len, &st) == -1)
		fatalx("bad GATEWAY_STATE from auditd");
	ch->gw = st;
	ch->have_gw = 1;
	msg_signer_state_send(&ch->kids[PROC_SIGNERD].iev, &st);
	if (first) {
		sched_collect(ch, 0);
		checkin_schedule(ch, 1);
		/* the outbox as it is: deliveries from now on count */
		msg_outbox_status_req_send(&ch->kids[PROC_AUDITD].iev, 0);
	}
}


/*
 * The installed profile packages over the profiles of the directory:
 * a package replaces the file profile of its name.  -1 when the set
 * would hold more than PROFILE_MAX.
 */
int
profiles_merge(const struct callhomed *ch, struct profile_set *set)
{
	struct profile	*np;
	size_t		 i, j;

	for (i = 0; i < ch->npkgprof; i++) {
		/* the set is sorted by name: the place of this one */
		for (j = 0; j < set->n; j++)
			if (strcmp(set->p[j].name, ch->pkgprof[i].name) >= 0)
				break;
		if (j == set->n ||
		    strcmp(set->p[j].name, ch->pkgprof[i].name) != 0) {
			if (set->n == PROFILE_MAX) {
				log_warnx("profile package %s: more than %d "
				    "profiles: not used", ch->pkgprof[i].name,
				    PROFILE_MAX);
				return -1;
			}
			if ((np = reallocarray(set->p, set->n + 1,
			    sizeof(*set->p))) == NULL)
				fatal(NULL);
			set->p = np;
			/* no qsort(): glibc's calls sysinfo(2), which the
			 * sandbox does not allow */
			memmove(&set->p[j + 1], &set->p[j],
			    (set->n - j) * sizeof(*set->p));
			set->n++;
		}
		set->p[j] = ch->pkgprof[i];
	}
	return 0;
}

/* an installed profile package: collectd uses it from the next cycle */
void
profile_package_handle(struct callhomed *ch, struct imsg *m)
{
	struct msg_profile_package	 pp;
	struct profile			*p, *np;
	size_t				 i;

	if (msg_profile_package_decode(m->data, m->len, &pp) == -1)
		fatalx("bad PROFILE_PACKAGE from auditd");
	if ((p = malloc(sizeof(*p))) == NULL)
		fatal(NULL);
	/* auditd parsed it before installing it: this cannot fail */
	if (profile_parse(pp.id.name, (const char *)pp.data, pp.len, p) ==
	    -1) {
		log_warnx("profile package %s-%" PRIu64 " does not parse: not "
		    "used", pp.id.name, pp.id.version);
		free(p);
		return;
	}
	for (i = 0; i < ch->npkgprof; i++)
		if (strcmp(ch->pkgprof[i].name, p->name) == 0)
			break;
	if (i == ch->npkgprof) {
		if ((np = reallocarray(ch->pkgprof, ch->npkgprof + 1,
		    sizeof(*np))) == NULL)
			fatal(NULL);
		ch->pkgprof = np;
		ch->npkgprof++;
	}
	ch->pkgprof[i] = *p;
	free(p);
	if (profiles_merge(ch, ch->conf->profile_set) == -1)
		return;
	msg_conf_collectd_send(&ch->kids[PROC_COLLECTD].iev, ch->conf);
	log_info("profile package %s-%" PRIu64 " in use from the next cycle",
	    pp.id.name, pp.id.version);
}

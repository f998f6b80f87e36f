/*
 * The channel from collectd to auditd: see collectd_auditd.h.
 */
#include "chan/collectd_auditd.h"
#include "jobseal.h"

static const struct chan_msg collectd_to_auditd[] = {
	{ IMSG_CYCLE_BEGIN, 0, 1024 },
	{ IMSG_DEV_BEGIN, 0, 16 * 1024 },
	{ IMSG_DEV_METER, 0, 2 * 1024 },
	{ IMSG_DEV_SUPPLY, 0, 4 * 1024 },
	{ IMSG_DEV_ALERT, 0, 4 * 1024 },
	/* the plaintext and its sealed form, each with its length */
	{ IMSG_DEV_JOBDATA, MT_STREAM, 2 * REPORT_JOBS_PLAIN_MAX +
	    JOBSEAL_OVERHEAD + 8 },
	{ IMSG_DEV_END, 0, 0 },
	{ IMSG_CYCLE_END, 0, 1024 },
};

const struct chan_def chan_collectd_auditd = {
	"collectd-auditd", PROC_COLLECTD, PROC_AUDITD,
	CHAN_MSGS(collectd_to_auditd), CHAN_NONE,
};

/* encode into the channel's buffer and queue it */
#define SEND(iev, type, enc, p) do {					\
	struct wbuf	*w_ = imsgev_wbuf(iev);				\
									\
	enc(w_, p);							\
	imsgev_sendw(iev, type, 0, -1, w_);				\
} while (0)

void
msg_cycle_begin_send(struct imsgev *iev, const struct rpt_cycle *c)
{
	SEND(iev, IMSG_CYCLE_BEGIN, msg_cycle_encode, c);
}

void
msg_dev_begin_send(struct imsgev *iev, const struct rpt_device *d)
{
	SEND(iev, IMSG_DEV_BEGIN, msg_device_encode, d);
}

void
msg_dev_meter_send(struct imsgev *iev, const struct rpt_meter *m)
{
	SEND(iev, IMSG_DEV_METER, msg_meter_encode, m);
}

void
msg_dev_supply_send(struct imsgev *iev, const struct rpt_supply *s)
{
	SEND(iev, IMSG_DEV_SUPPLY, msg_supply_encode, s);
}

void
msg_dev_alert_send(struct imsgev *iev, const struct rpt_alert *a)
{
	SEND(iev, IMSG_DEV_ALERT, msg_alert_encode, a);
}

void
msg_dev_jobdata_send(struct imsgev *iev, const struct rpt_jobdata *j)
{
	SEND(iev, IMSG_DEV_JOBDATA, msg_jobdata_encode, j);
}

void
msg_dev_end_send(struct imsgev *iev)
{
	imsgev_send(iev, IMSG_DEV_END, 0, -1, NULL, 0);
}

void
msg_cycle_end_send(struct imsgev *iev, const struct rpt_cycle *c)
{
	SEND(iev, IMSG_CYCLE_END, msg_cycle_encode, c);
}

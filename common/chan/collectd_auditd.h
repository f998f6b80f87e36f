/*
 * The channel from collectd to auditd: one cycle's reports, as typed
 * fields (never XML), in this order:
 *
 *	CYCLE_BEGIN				struct rpt_cycle (planned)
 *	per device: DEV_BEGIN			struct rpt_device
 *		    DEV_METER*, DEV_SUPPLY*, DEV_ALERT*
 *		    DEV_JOBDATA?		struct rpt_jobdata (sealed job
 *						data, with "send job-data yes")
 *		    DEV_END			no payload
 *	CYCLE_END				struct rpt_cycle (counts)
 *
 * The payloads are report.h's wire form.  auditd sends nothing back: the
 * channel is one-way, and collectd has no channel to uplinkd at all.
 */
#ifndef CALLHOME_CHAN_COLLECTD_AUDITD_H
#define CALLHOME_CHAN_COLLECTD_AUDITD_H

#include "chan.h"
#include "imsgev.h"
#include "report.h"

extern const struct chan_def	chan_collectd_auditd;

void	msg_cycle_begin_send(struct imsgev *, const struct rpt_cycle *);
void	msg_dev_begin_send(struct imsgev *, const struct rpt_device *);
void	msg_dev_meter_send(struct imsgev *, const struct rpt_meter *);
void	msg_dev_supply_send(struct imsgev *, const struct rpt_supply *);
void	msg_dev_alert_send(struct imsgev *, const struct rpt_alert *);
void	msg_dev_jobdata_send(struct imsgev *, const struct rpt_jobdata *);
void	msg_dev_end_send(struct imsgev *);
void	msg_cycle_end_send(struct imsgev *, const struct rpt_cycle *);

#endif /* CALLHOME_CHAN_COLLECTD_AUDITD_H */

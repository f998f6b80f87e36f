/*
 * The printer data model: what collectd reports for one device in one
 * cycle, streamed to auditd as typed fields (never as XML):
 *
 *	CYCLE_BEGIN, then per device DEV_BEGIN, DEV_METER*, DEV_SUPPLY*,
 *	DEV_ALERT*, DEV_END, and at last CYCLE_END with the counts.
 *
 * Strings are already made safe by collectd (report_str_clean): valid
 * UTF-8 kept, other bytes and every control character shown as \xNN,
 * backslash doubled, trailing NUL padding dropped.  Integers that a device
 * did not report are REPORT_NONE.
 */
#ifndef CALLHOME_REPORT_H
#define CALLHOME_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define REPORT_NONE		INT64_MIN	/* "the device did not say" */
#define REPORT_STR		1024	/* cleaned strings, NUL included */
#define REPORT_NAME		64	/* names, units, codes */
#define REPORT_OID		512	/* dotted OID text */
#define REPORT_MAX_ROWS		1024	/* meters, supplies or alerts each */

enum dev_outcome {
	DEV_OK,			/* everything asked was answered */
	DEV_PARTIAL,		/* answered, but some requests failed */
	DEV_TIMEOUT,		/* no answer at all */
	DEV_REFUSED,		/* port unreachable, or authentication failed */
	DEV_NOT_PRINTER,	/* an SNMP agent, but not a printer */
	DEV_ERROR,		/* the agent answered with an error */
	DEV_AUTH_FAILURE,	/* SNMPv3: the agent refused the user: an
				   unknown user, a wrong password */
	DEV_OUTCOME_MAX
};

/*
 * A device's state across cycles, with the time it entered it (auditd
 * keeps it per address, from the outcomes: see auditd/state.c).
 */
enum dev_state {
	DEV_STATE_NONE,		/* not known (a report from collectd) */
	DEV_STATE_ANSWERING,
	DEV_STATE_ASLEEP,	/* silent after it answered: retried with
				   a longer wait before it is unreachable */
	DEV_STATE_UNREACHABLE,
	DEV_STATE_AUTH_FAILURE,
	DEV_STATE_NOT_PRINTER,
	DEV_STATE_MAX
};

/* a meter's value against the device's previous one */
enum meter_flag {
	METER_FLAG_NONE,
	METER_FLAG_RESET,	/* lower than in the previous cycle */
	METER_FLAG_REPLACED,	/* another serial at the address than before */
	METER_FLAG_MAX
};

/* hrPrinterDetectedErrorState, bit 0 is the first octet's high bit */
#define PRT_ERR_BITS		16

/* CYCLE_BEGIN and CYCLE_END (collectd), CYCLE_STORED (auditd) */
struct rpt_cycle {
	uint64_t	 token;		/* the parent's id for this cycle */
	int64_t		 id;		/* auditd's cycle number (STORED) */
	int64_t		 txseq;		/* its transaction-log record */
	int64_t		 started;	/* unix time */
	int64_t		 finished;
	char		 reason[REPORT_NAME];	/* schedule, manual, ... */
	uint32_t	 ndevices;	/* CYCLE_BEGIN: planned; END: reported */
	uint32_t	 count[DEV_OUTCOME_MAX];	/* CYCLE_END only */
	uint32_t	 probed;	/* discovery: addresses probed */
	uint64_t	 requests;	/* SNMP requests sent */
	/* discovery (CYCLE_END): of the addresses probed */
	uint32_t	 answered;	/* an SNMP agent answered */
	uint32_t	 printers;	/* printers found (and reported) */
	uint32_t	 skipped;	/* not printers: counted, not reported */
	uint32_t	 duplicates;	/* a printer reported at another address */
};

struct rpt_device {
	char		 address[REPORT_NAME];	/* "127.0.1.1:161" */
	uint8_t		 outcome;		/* enum dev_outcome */
	char		 reason[REPORT_STR];
	int64_t		 collected;		/* unix time */
	uint32_t	 requests;		/* SNMP requests this device took */
	/* identity */
	char		 sysdescr[REPORT_STR];
	char		 sysobjectid[REPORT_OID];
	int64_t		 enterprise;
	char		 vendor[REPORT_NAME];
	char		 model[REPORT_STR];
	char		 model_source[REPORT_OID];	/* the OID it came from */
	char		 serial[REPORT_STR];
	char		 serial_source[REPORT_OID];
	char		 firmware[REPORT_STR];
	char		 firmware_source[REPORT_OID];
	char		 profile[REPORT_NAME];	/* vendor profile used */
	/* PII, only with "send pii yes" */
	char		 sysname[REPORT_STR];
	char		 syscontact[REPORT_STR];
	char		 syslocation[REPORT_STR];
	/* status */
	int64_t		 uptime;		/* sysUpTime, hundredths */
	int64_t		 device_status;		/* hrDeviceStatus 1..5 */
	int64_t		 printer_status;	/* hrPrinterStatus 1..5 */
	int32_t		 errors;		/* error bits, -1 unknown */
	/*
	 * Since schema 4; on the wire and in the readings digest only when
	 * one is set (waited or a state), so that older readings re-encode
	 * as they were sent.
	 */
	uint8_t		 waited;	/* collectd: silent after a longer wait */
	uint8_t		 state;		/* auditd: enum dev_state */
	int64_t		 state_since;	/* unix time it entered the state */
};

struct rpt_meter {
	char		 name[REPORT_NAME];	/* total, black, color, ... */
	char		 unit[REPORT_NAME];	/* impressions, sheets, ... */
	int64_t		 value;
	char		 source[REPORT_OID];
	/*
	 * Since schema 4, set by auditd, on the wire only when flagged: the
	 * value is not usage since the previous one (reset, replaced), and
	 * that previous value, kept (0 when not flagged).
	 */
	uint8_t		 flag;			/* enum meter_flag */
	int64_t		 previous;
};

struct rpt_supply {
	char		 index[REPORT_NAME];	/* "1.1": hrDeviceIndex.supply */
	char		 description[REPORT_STR];
	char		 class[REPORT_NAME];	/* consumed, receptacle, other */
	char		 type[REPORT_NAME];	/* toner, wasteToner, ... */
	char		 color[REPORT_NAME];	/* prtMarkerColorantValue */
	char		 unit[REPORT_NAME];	/* percent, impressions, ... */
	int64_t		 max;	/* -1 other, -2 unknown kept as such */
	int64_t		 level;	/* -1 other, -2 unknown, -3 some remaining */
	int64_t		 percent;	/* REPORT_NONE unless both are real */
};

struct rpt_alert {
	char		 index[REPORT_NAME];
	char		 severity[REPORT_NAME];	/* critical, warning, ... */
	char		 group[REPORT_NAME];	/* marker, input, ... */
	char		 code[REPORT_NAME];	/* PrtAlertCodeTC name */
	char		 description[REPORT_STR];
	int64_t		 time;			/* prtAlertTime, hundredths */
};

/*
 * A printer's job data (DEV_JOBDATA: after its alerts, at most one per
 * device): the plaintext collectd sealed, a JSON object described in
 * callhome-jobdata(5), which the customer's database keeps, and its
 * sealed form (the same format), which is what is sent.  Views: into the
 * message decoded, or the sender's buffers.
 */
#define REPORT_JOBS_PLAIN_MAX	(512 * 1024)
struct rpt_jobdata {
	const uint8_t	*plain;
	size_t		 plainlen;
	const uint8_t	*sealed;
	size_t		 sealedlen;
};

/* names */
const char	*dev_outcome_name(int);
const char	*dev_state_name(int);		/* "" for DEV_STATE_NONE */
int		 dev_state_from_name(const char *);	/* -1 if unknown */
const char	*meter_flag_name(int);		/* "" for METER_FLAG_NONE */
const char	*hr_device_status_name(int64_t);	/* NULL if unknown */
const char	*hr_printer_status_name(int64_t);
const char	*prt_error_name(int);			/* bit 0..15 */
const char	*prt_marker_unit_name(int64_t);		/* prtMarkerCounterUnit */
const char	*prt_supply_unit_name(int64_t);		/* prtMarkerSuppliesSupplyUnit */
const char	*prt_supply_type_name(int64_t);
const char	*prt_supply_class_name(int64_t);
const char	*prt_alert_severity_name(int64_t);
const char	*prt_alert_group_name(int64_t);
const char	*prt_alert_code_name(int64_t);

/*
 * Make device bytes safe to store and show: valid UTF-8 is kept; any other
 * byte, every C0/C1 control character and DEL become "\xNN" (C1 as the
 * bytes of their UTF-8 form), a backslash becomes "\\".  Trailing NUL
 * bytes are dropped first.  The result is always NUL-terminated and cut on
 * a character boundary if dst is too small.
 */
void	report_str_clean(const uint8_t *, size_t, char *, size_t);
/* percent of level in max, rounded half up; REPORT_NONE unless max > 0
 * and level >= 0; never above 100 */
int64_t	report_percent(int64_t level, int64_t max);

/*
 * One line for cycle `id': "cycle 7 (manual): 20 devices: 18 ok,
 * 1 timeout, 1 not-a-printer" (the transaction log's summary of it).
 */
void	rpt_cycle_summary(char *, size_t, int64_t id, const struct rpt_cycle *);

/*
 * The wire form of the report structures: the payloads of CYCLE_* and
 * DEV_* on the collectd -> auditd channel (chan/collectd_auditd.h), of
 * CYCLE_STORED, and the bytes the transaction log's readings digest
 * hashes (txlog.h), so they live with the data model.
 */
void	msg_cycle_encode(struct wbuf *, const struct rpt_cycle *);
int	msg_cycle_decode(const void *, size_t, struct rpt_cycle *);
void	msg_device_encode(struct wbuf *, const struct rpt_device *);
int	msg_device_decode(const void *, size_t, struct rpt_device *);
void	msg_meter_encode(struct wbuf *, const struct rpt_meter *);
int	msg_meter_decode(const void *, size_t, struct rpt_meter *);
void	msg_supply_encode(struct wbuf *, const struct rpt_supply *);
int	msg_supply_decode(const void *, size_t, struct rpt_supply *);
void	msg_alert_encode(struct wbuf *, const struct rpt_alert *);
int	msg_alert_decode(const void *, size_t, struct rpt_alert *);
/*
 * Decoding checks the form only: the plaintext holds no NUL, the sealed
 * form is "CHJD" version 1 and as long as the plaintext and the seal's
 * overhead.  Whether it seals that plaintext only the key's owner can
 * tell.
 */
void	msg_jobdata_encode(struct wbuf *, const struct rpt_jobdata *);
int	msg_jobdata_decode(const void *, size_t, struct rpt_jobdata *);

#endif /* CALLHOME_REPORT_H */

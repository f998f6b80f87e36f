/*
 * The printer data model: names of the MIB enumerations, string cleaning,
 * and the codecs of the report messages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "jobseal.h"
#include "report.h"

struct enum_name {
	int64_t		 v;
	const char	*name;
};

static const char *
lookup(const struct enum_name *t, size_t n, int64_t v)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}
#define LOOKUP(t, v)	lookup(t, sizeof(t) / sizeof((t)[0]), v)

static const char *const outcome_names[DEV_OUTCOME_MAX] = {
	"ok", "partial", "timeout", "refused", "not-a-printer", "error",
	"auth-failure"
};

const char *
dev_outcome_name(int o)
{
	if (o < 0 || o >= DEV_OUTCOME_MAX)
		return "unknown";
	return outcome_names[o];
}

static const char *const state_names[DEV_STATE_MAX] = {
	"", "answering", "asleep", "unreachable", "auth-failure",
	"not-a-printer"
};

const char *
dev_state_name(int s)
{
	if (s < 0 || s >= DEV_STATE_MAX)
		return "unknown";
	return state_names[s];
}

int
dev_state_from_name(const char *name)
{
	int	 i;

	for (i = DEV_STATE_NONE + 1; i < DEV_STATE_MAX; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

static const char *const meter_flag_names[METER_FLAG_MAX] = {
	"", "reset", "replaced"
};

const char *
meter_flag_name(int f)
{
	if (f < 0 || f >= METER_FLAG_MAX)
		return "unknown";
	return meter_flag_names[f];
}


/* HOST-RESOURCES-MIB hrDeviceStatus */
static const struct enum_name hr_device_status[] = {
	{ 1, "unknown" }, { 2, "running" }, { 3, "warning" },
	{ 4, "testing" }, { 5, "down" },
};
/* HOST-RESOURCES-MIB hrPrinterStatus */
static const struct enum_name hr_printer_status[] = {
	{ 1, "other" }, { 2, "unknown" }, { 3, "idle" }, { 4, "printing" },
	{ 5, "warmup" },
};
/* hrPrinterDetectedErrorState bits */
static const char *const prt_errors[PRT_ERR_BITS] = {
	"lowPaper", "noPaper", "lowToner", "noToner", "doorOpen", "jammed",
	"offline", "serviceRequested", "inputTrayMissing",
	"outputTrayMissing", "markerSupplyMissing", "outputNearFull",
	"outputFull", "inputTrayEmpty", "overduePreventMaint", "bit15",
};
/* Printer-MIB PrtMarkerCounterUnitTC */
static const struct enum_name marker_units[] = {
	{ 3, "tenThousandthsOfInches" }, { 4, "micrometers" },
	{ 5, "characters" }, { 6, "lines" }, { 7, "impressions" },
	{ 8, "sheets" }, { 9, "dotRow" }, { 11, "hours" },
	{ 16, "feet" }, { 17, "meters" },
};
/* Printer-MIB PrtMarkerSuppliesSupplyUnitTC */
static const struct enum_name supply_units[] = {
	{ 1, "other" }, { 2, "unknown" }, { 3, "tenThousandthsOfInches" },
	{ 4, "micrometers" }, { 7, "impressions" }, { 8, "sheets" },
	{ 11, "hours" }, { 12, "thousandthsOfOunces" },
	{ 13, "tenthsOfGrams" }, { 14, "hundrethsOfFluidOunces" },
	{ 15, "tenthsOfMilliliters" }, { 16, "feet" }, { 17, "meters" },
	{ 18, "items" }, { 19, "percent" },
};
/* Printer-MIB PrtMarkerSuppliesTypeTC */
static const struct enum_name supply_types[] = {
	{ 1, "other" }, { 2, "unknown" }, { 3, "toner" }, { 4, "wasteToner" },
	{ 5, "ink" }, { 6, "inkCartridge" }, { 7, "inkRibbon" },
	{ 8, "wasteInk" }, { 9, "opc" }, { 10, "developer" },
	{ 11, "fuserOil" }, { 12, "solidWax" }, { 13, "ribbonWax" },
	{ 14, "wasteWax" }, { 15, "fuser" }, { 16, "coronaWire" },
	{ 17, "fuserOilWick" }, { 18, "cleanerUnit" },
	{ 19, "fuserCleaningPad" }, { 20, "transferUnit" },
	{ 21, "tonerCartridge" }, { 22, "fuserOiler" }, { 23, "water" },
	{ 24, "wasteWater" }, { 25, "glueWaterAdditive" },
	{ 26, "wastePaper" }, { 27, "bindingSupply" },
	{ 28, "bandingSupply" }, { 29, "stitchingWire" },
	{ 30, "shrinkWrap" }, { 31, "paperWrap" }, { 32, "staples" },
	{ 33, "inserts" }, { 34, "covers" }, { 35, "matteToner" },
	{ 36, "matteInk" },
};
/* Printer-MIB PrtMarkerSuppliesClassTC */
static const struct enum_name supply_classes[] = {
	{ 1, "other" }, { 3, "consumed" }, { 4, "receptacle" },
};
/* Printer-MIB PrtAlertSeverityLevelTC */
static const struct enum_name alert_severities[] = {
	{ 1, "other" }, { 3, "critical" }, { 4, "warning" },
	{ 5, "warningBinaryChangeEvent" },
};
/* Printer-MIB PrtAlertGroupTC */
static const struct enum_name alert_groups[] = {
	{ 1, "other" }, { 3, "hostResourcesMIBStorageTable" },
	{ 4, "hostResourcesMIBDeviceTable" }, { 5, "generalPrinter" },
	{ 6, "cover" }, { 7, "localization" }, { 8, "input" },
	{ 9, "output" }, { 10, "marker" }, { 11, "markerSupplies" },
	{ 12, "markerColorant" }, { 13, "mediaPath" }, { 14, "channel" },
	{ 15, "interpreter" }, { 16, "consoleDisplayBuffer" },
	{ 17, "consoleLights" }, { 18, "alert" }, { 30, "finDevice" },
	{ 31, "finSupply" }, { 32, "finSupplyMediaInput" },
	{ 33, "finAttribute" },
};
/* Printer-MIB PrtAlertCodeTC */
static const struct enum_name alert_codes[] = {
	{ 1, "other" }, { 2, "unknown" }, { 3, "coverOpen" },
	{ 4, "coverClosed" }, { 5, "interlockOpen" }, { 6, "interlockClosed" },
	{ 7, "configurationChange" }, { 8, "jam" }, { 9, "subunitMissing" },
	{ 10, "subunitLifeAlmostOver" }, { 11, "subunitLifeOver" },
	{ 12, "subunitAlmostEmpty" }, { 13, "subunitEmpty" },
	{ 14, "subunitAlmostFull" }, { 15, "subunitFull" },
	{ 16, "subunitNearLimit" }, { 17, "subunitAtLimit" },
	{ 18, "subunitOpened" }, { 19, "subunitClosed" },
	{ 20, "subunitTurnedOn" }, { 21, "subunitTurnedOff" },
	{ 22, "subunitOffline" }, { 23, "subunitPowerSaver" },
	{ 24, "subunitWarmingUp" }, { 25, "subunitAdded" },
	{ 26, "subunitRemoved" }, { 27, "subunitResourceAdded" },
	{ 28, "subunitResourceRemoved" },
	{ 29, "subunitRecoverableFailure" },
	{ 30, "subunitUnrecoverableFailure" },
	{ 31, "subunitRecoverableStorageError" },
	{ 32, "subunitUnrecoverableStorageError" },
	{ 33, "subunitMotorFailure" }, { 34, "subunitMemoryExhausted" },
	{ 35, "subunitUnderTemperature" }, { 36, "subunitOverTemperature" },
	{ 37, "subunitTimingFailure" }, { 38, "subunitThermistorFailure" },
	{ 501, "doorOpen" }, { 502, "doorClosed" }, { 503, "poweredUp" },
	{ 504, "poweredDown" }, { 505, "printerNMSReset" },
	{ 506, "printerManualReset" }, { 507, "printerReadyToPrint" },
	{ 801, "inputMediaTrayMissing" }, { 802, "inputMediaSizeChange" },
	{ 803, "inputMediaWeightChange" }, { 804, "inputMediaTypeChange" },
	{ 805, "inputMediaColorChange" }, { 806, "inputMediaFormPartsChange" },
	{ 807, "inputMediaSupplyLow" }, { 808, "inputMediaSupplyEmpty" },
	{ 809, "inputMediaChangeRequest" }, { 810, "inputManualInputRequest" },
	{ 811, "inputTrayPositionFailure" }, { 812, "inputTrayElevationFailure" },
	{ 813, "inputCannotFeedSizeSelected" },
	{ 901, "outputMediaTrayMissing" }, { 902, "outputMediaTrayAlmostFull" },
	{ 903, "outputMediaTrayFull" }, { 904, "outputMailboxSelectFailure" },
	{ 1001, "markerFuserUnderTemperature" },
	{ 1002, "markerFuserOverTemperature" },
	{ 1003, "markerFuserTimingFailure" },
	{ 1004, "markerFuserThermistorFailure" },
	{ 1005, "markerAdjustingPrintQuality" },
	{ 1101, "markerTonerEmpty" }, { 1102, "markerInkEmpty" },
	{ 1103, "markerPrintRibbonEmpty" }, { 1104, "markerTonerAlmostEmpty" },
	{ 1105, "markerInkAlmostEmpty" },
	{ 1106, "markerPrintRibbonAlmostEmpty" },
	{ 1107, "markerWasteTonerReceptacleAlmostFull" },
	{ 1108, "markerWasteInkReceptacleAlmostFull" },
	{ 1109, "markerWasteTonerReceptacleFull" },
	{ 1110, "markerWasteInkReceptacleFull" },
	{ 1111, "markerOpcLifeAlmostOver" }, { 1112, "markerOpcLifeOver" },
	{ 1113, "markerDeveloperAlmostEmpty" },
	{ 1114, "markerDeveloperEmpty" },
	{ 1115, "markerTonerCartridgeMissing" },
	{ 1301, "mediaPathMediaTrayMissing" },
	{ 1302, "mediaPathMediaTrayAlmostFull" },
	{ 1303, "mediaPathMediaTrayFull" },
	{ 1304, "mediaPathCannotDuplexMediaSelected" },
	{ 1501, "interpreterMemoryIncrease" },
	{ 1502, "interpreterMemoryDecrease" },
	{ 1503, "interpreterCartridgeAdded" },
	{ 1504, "interpreterCartridgeDeleted" },
	{ 1505, "interpreterResourceAdded" },
	{ 1506, "interpreterResourceDeleted" },
	{ 1507, "interpreterResourceUnavailable" },
	{ 1509, "interpreterComplexPageEncountered" },
	{ 1801, "alertRemovalOfBinaryChangeEntry" },
};

const char *
hr_device_status_name(int64_t v)
{
	return LOOKUP(hr_device_status, v);
}

const char *
hr_printer_status_name(int64_t v)
{
	return LOOKUP(hr_printer_status, v);
}

const char *
prt_error_name(int bit)
{
	if (bit < 0 || bit >= PRT_ERR_BITS)
		return NULL;
	return prt_errors[bit];
}

const char *
prt_marker_unit_name(int64_t v)
{
	return LOOKUP(marker_units, v);
}

const char *
prt_supply_unit_name(int64_t v)
{
	return LOOKUP(supply_units, v);
}

const char *
prt_supply_type_name(int64_t v)
{
	return LOOKUP(supply_types, v);
}

const char *
prt_supply_class_name(int64_t v)
{
	return LOOKUP(supply_classes, v);
}

const char *
prt_alert_severity_name(int64_t v)
{
	return LOOKUP(alert_severities, v);
}

const char *
prt_alert_group_name(int64_t v)
{
	return LOOKUP(alert_groups, v);
}

const char *
prt_alert_code_name(int64_t v)
{
	return LOOKUP(alert_codes, v);
}

/* length of the valid UTF-8 sequence at p (1..4), or 0 */
static size_t
utf8_seq(const uint8_t *p, size_t n)
{
	uint32_t	 cp;
	size_t		 len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void
report_str_clean(const uint8_t *s, size_t n, char *dst, size_t dstsz)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 esc[16];
	size_t			 i, o = 0, k, elen, seq;

	if (dstsz == 0)
		return;
	while (n > 0 && s[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i += seq) {
		seq = utf8_seq(s + i, n - i);
		elen = 0;
		if (seq == 0) {
			seq = 1;
			esc[elen++] = '\\';
			esc[elen++] = 'x';
			esc[elen++] = hex[s[i] >> 4];
			esc[elen++] = hex[s[i] & 0xf];
		} else if (seq == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			esc[elen++] = '\\';
			esc[elen++] = 'x';
			esc[elen++] = hex[s[i] >> 4];
			esc[elen++] = hex[s[i] & 0xf];
		} else if (seq == 1 && s[i] == '\\') {
			esc[elen++] = '\\';
			esc[elen++] = '\\';
		} else if (seq == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) {
			/* C1 control: both bytes of its UTF-8 form */
			for (k = 0; k < 2; k++) {
				esc[elen++] = '\\';
				esc[elen++] = 'x';
				esc[elen++] = hex[s[i + k] >> 4];
				esc[elen++] = hex[s[i + k] & 0xf];
			}
		} else {
			for (k = 0; k < seq; k++)
				esc[elen++] = (char)s[i + k];
		}
		if (o + elen >= dstsz)
			break;
		memcpy(dst + o, esc, elen);
		o += elen;
	}
	dst[o] = '\0';
}

int64_t
report_percent(int64_t level, int64_t max)
{
	int64_t	 p;

	if (level == REPORT_NONE || max == REPORT_NONE || max <= 0 ||
	    level < 0)
		return REPORT_NONE;
	if (level >= max)
		return 100;
	/* level < max <= INT32_MAX-ish in practice; guard anyway */
	if (level > INT64_MAX / 200)
		return level / (max / 100 ? max / 100 : 1);
	p = (level * 200 + max) / (2 * max);
	return p > 100 ? 100 : p;
}

void
rpt_cycle_summary(char *buf, size_t len, int64_t id,
    const struct rpt_cycle *c)
{
	size_t	 o;
	int	 i, n, first = 1;

	n = snprintf(buf, len, "cycle %" PRId64 " (%s): ", id, c->reason);
	o = n < 0 ? 0 : (size_t)n;
	if (c->ndevices == 0) {
		if (o < len)
			(void)snprintf(buf + o, len - o, "no devices");
		return;
	}
	if (o < len) {
		n = snprintf(buf + o, len - o, "%u device%s", c->ndevices,
		    c->ndevices == 1 ? "" : "s");
		o += n < 0 ? 0 : (size_t)n;
	}
	for (i = 0; i < DEV_OUTCOME_MAX; i++) {
		if (c->count[i] == 0 || o >= len)
			continue;
		n = snprintf(buf + o, len - o, "%s%u %s", first ? ": " : ", ",
		    c->count[i], dev_outcome_name(i));
		o += n < 0 ? 0 : (size_t)n;
		first = 0;
	}
}

/* codecs */

void
msg_cycle_encode(struct wbuf *w, const struct rpt_cycle *c)
{
	int	 i;

	wbuf_u64(w, c->token);
	wbuf_i64(w, c->id);
	wbuf_i64(w, c->txseq);
	wbuf_i64(w, c->started);
	wbuf_i64(w, c->finished);
	wbuf_str(w, c->reason);
	wbuf_u32(w, c->ndevices);
	for (i = 0; i < DEV_OUTCOME_MAX; i++)
		wbuf_u32(w, c->count[i]);
	wbuf_u32(w, c->probed);
	wbuf_u64(w, c->requests);
	wbuf_u32(w, c->answered);
	wbuf_u32(w, c->printers);
	wbuf_u32(w, c->skipped);
	wbuf_u32(w, c->duplicates);
}

int
msg_cycle_decode(const void *p, size_t len, struct rpt_cycle *c)
{
	struct rbuf	 r;
	int		 i;

	memset(c, 0, sizeof(*c));
	rbuf_init(&r, p, len);
	c->token = rbuf_u64(&r);
	c->id = rbuf_i64(&r);
	c->txseq = rbuf_i64(&r);
	c->started = rbuf_i64(&r);
	c->finished = rbuf_i64(&r);
	rbuf_str(&r, c->reason, sizeof(c->reason));
	c->ndevices = rbuf_u32(&r);
	for (i = 0; i < DEV_OUTCOME_MAX; i++)
		c->count[i] = rbuf_u32(&r);
	c->probed = rbuf_u32(&r);
	c->requests = rbuf_u64(&r);
	c->answered = rbuf_u32(&r);
	c->printers = rbuf_u32(&r);
	c->skipped = rbuf_u32(&r);
	c->duplicates = rbuf_u32(&r);
	return rbuf_done(&r);
}

void
msg_device_encode(struct wbuf *w, const struct rpt_device *d)
{
	wbuf_str(w, d->address);
	wbuf_u8(w, d->outcome);
	wbuf_str(w, d->reason);
	wbuf_i64(w, d->collected);
	wbuf_u32(w, d->requests);
	wbuf_str(w, d->sysdescr);
	wbuf_str(w, d->sysobjectid);
	wbuf_i64(w, d->enterprise);
	wbuf_str(w, d->vendor);
	wbuf_str(w, d->model);
	wbuf_str(w, d->model_source);
	wbuf_str(w, d->serial);
	wbuf_str(w, d->serial_source);
	wbuf_str(w, d->firmware);
	wbuf_str(w, d->firmware_source);
	wbuf_str(w, d->profile);
	wbuf_str(w, d->sysname);
	wbuf_str(w, d->syscontact);
	wbuf_str(w, d->syslocation);
	wbuf_i64(w, d->uptime);
	wbuf_i64(w, d->device_status);
	wbuf_i64(w, d->printer_status);
	wbuf_u32(w, (uint32_t)d->errors);
	/* schema 4: only when set (see report.h) */
	if (d->waited || d->state != DEV_STATE_NONE) {
		wbuf_u8(w, d->waited);
		wbuf_u8(w, d->state);
		wbuf_i64(w, d->state_since);
	}
}

int
msg_device_decode(const void *p, size_t len, struct rpt_device *d)
{
	struct rbuf	 r;

	memset(d, 0, sizeof(*d));
	rbuf_init(&r, p, len);
	rbuf_str(&r, d->address, sizeof(d->address));
	d->outcome = rbuf_u8(&r);
	rbuf_str(&r, d->reason, sizeof(d->reason));
	d->collected = rbuf_i64(&r);
	d->requests = rbuf_u32(&r);
	rbuf_str(&r, d->sysdescr, sizeof(d->sysdescr));
	rbuf_str(&r, d->sysobjectid, sizeof(d->sysobjectid));
	d->enterprise = rbuf_i64(&r);
	rbuf_str(&r, d->vendor, sizeof(d->vendor));
	rbuf_str(&r, d->model, sizeof(d->model));
	rbuf_str(&r, d->model_source, sizeof(d->model_source));
	rbuf_str(&r, d->serial, sizeof(d->serial));
	rbuf_str(&r, d->serial_source, sizeof(d->serial_source));
	rbuf_str(&r, d->firmware, sizeof(d->firmware));
	rbuf_str(&r, d->firmware_source, sizeof(d->firmware_source));
	rbuf_str(&r, d->profile, sizeof(d->profile));
	rbuf_str(&r, d->sysname, sizeof(d->sysname));
	rbuf_str(&r, d->syscontact, sizeof(d->syscontact));
	rbuf_str(&r, d->syslocation, sizeof(d->syslocation));
	d->uptime = rbuf_i64(&r);
	d->device_status = rbuf_i64(&r);
	d->printer_status = rbuf_i64(&r);
	d->errors = (int32_t)rbuf_u32(&r);
	if (!r.err && r.off < r.len) {
		d->waited = rbuf_u8(&r);
		d->state = rbuf_u8(&r);
		d->state_since = rbuf_i64(&r);
		/* the tail is there only when one is set */
		if (d->waited > 1 || d->state >= DEV_STATE_MAX ||
		    (d->waited == 0 && d->state == DEV_STATE_NONE))
			return -1;
	}
	if (d->outcome >= DEV_OUTCOME_MAX ||
	    d->errors < -1 || d->errors >= (1 << PRT_ERR_BITS))
		return -1;
	return rbuf_done(&r);
}

void
msg_meter_encode(struct wbuf *w, const struct rpt_meter *m)
{
	wbuf_str(w, m->name);
	wbuf_str(w, m->unit);
	wbuf_i64(w, m->value);
	wbuf_str(w, m->source);
	/* schema 4: only when flagged (see report.h) */
	if (m->flag != METER_FLAG_NONE) {
		wbuf_u8(w, m->flag);
		wbuf_i64(w, m->previous);
	}
}

int
msg_meter_decode(const void *p, size_t len, struct rpt_meter *m)
{
	struct rbuf	 r;

	memset(m, 0, sizeof(*m));
	rbuf_init(&r, p, len);
	rbuf_str(&r, m->name, sizeof(m->name));
	rbuf_str(&r, m->unit, sizeof(m->unit));
	m->value = rbuf_i64(&r);
	rbuf_str(&r, m->source, sizeof(m->source));
	if (!r.err && r.off < r.len) {
		m->flag = rbuf_u8(&r);
		m->previous = rbuf_i64(&r);
		if (m->flag == METER_FLAG_NONE || m->flag >= METER_FLAG_MAX)
			return -1;
	}
	if (m->name[0] == '\0')
		return -1;
	return rbuf_done(&r);
}

void
msg_supply_encode(struct wbuf *w, const struct rpt_supply *s)
{
	wbuf_str(w, s->index);
	wbuf_str(w, s->description);
	wbuf_str(w, s->class);
	wbuf_str(w, s->type);
	wbuf_str(w, s->color);
	wbuf_str(w, s->unit);
	wbuf_i64(w, s->max);
	wbuf_i64(w, s->level);
	wbuf_i64(w, s->percent);
}

int
msg_supply_decode(const void *p, size_t len, struct rpt_supply *s)
{
	struct rbuf	 r;

	memset(s, 0, sizeof(*s));
	rbuf_init(&r, p, len);
	rbuf_str(&r, s->index, sizeof(s->index));
	rbuf_str(&r, s->description, sizeof(s->description));
	rbuf_str(&r, s->class, sizeof(s->class));
	rbuf_str(&r, s->type, sizeof(s->type));
	rbuf_str(&r, s->color, sizeof(s->color));
	rbuf_str(&r, s->unit, sizeof(s->unit));
	s->max = rbuf_i64(&r);
	s->level = rbuf_i64(&r);
	s->percent = rbuf_i64(&r);
	if (s->percent != REPORT_NONE && (s->percent < 0 || s->percent > 100))
		return -1;
	return rbuf_done(&r);
}

void
msg_alert_encode(struct wbuf *w, const struct rpt_alert *a)
{
	wbuf_str(w, a->index);
	wbuf_str(w, a->severity);
	wbuf_str(w, a->group);
	wbuf_str(w, a->code);
	wbuf_str(w, a->description);
	wbuf_i64(w, a->time);
}

int
msg_alert_decode(const void *p, size_t len, struct rpt_alert *a)
{
	struct rbuf	 r;

	memset(a, 0, sizeof(*a));
	rbuf_init(&r, p, len);
	rbuf_str(&r, a->index, sizeof(a->index));
	rbuf_str(&r, a->severity, sizeof(a->severity));
	rbuf_str(&r, a->group, sizeof(a->group));
	rbuf_str(&r, a->code, sizeof(a->code));
	rbuf_str(&r, a->description, sizeof(a->description));
	a->time = rbuf_i64(&r);
	return rbuf_done(&r);
}

void
msg_jobdata_encode(struct wbuf *w, const struct rpt_jobdata *j)
{
	wbuf_blob(w, j->plain, j->plainlen);
	wbuf_blob(w, j->sealed, j->sealedlen);
}

int
msg_jobdata_decode(const void *p, size_t len, struct rpt_jobdata *j)
{
	struct rbuf	 r;

	memset(j, 0, sizeof(*j));
	rbuf_init(&r, p, len);
	j->plain = rbuf_blob(&r, &j->plainlen, REPORT_JOBS_PLAIN_MAX);
	j->sealed = rbuf_blob(&r, &j->sealedlen, REPORT_JOBS_PLAIN_MAX +
	    JOBSEAL_OVERHEAD);
	if (rbuf_done(&r) == -1 || j->plain == NULL || j->sealed == NULL ||
	    memchr(j->plain, '\0', j->plainlen) != NULL ||
	    j->sealedlen != j->plainlen + JOBSEAL_OVERHEAD ||
	    memcmp(j->sealed, JOBSEAL_MAGIC, 4) != 0 ||
	    j->sealed[4] != JOBSEAL_VERSION)
		return -1;
	return 0;
}

/*
 * collectd's report building (collectd/build.c), apart from any engine
 * or channel: answers stored as device.c stores them, the report built
 * from them.  Identity (which source wins), status of the printer's own
 * hrDevice row, meter names (vendor OIDs, vendor tables, marker life
 * counts and their "total"), supplies with their colorants, alerts, the
 * categories of "send", and no rows for a device that is not ok.
 */
#include <string.h>

#include "category.h"
#include "collectd/build.h"
#include "profile.h"
#include "snmp.h"
#include "test.h"

static struct build_oids	 oids;
static struct dev_report	 rep;

static const char acme[] =
	"vendor \"Acme\"\n"
	"match oid 1.3.6.1.4.1.99999.1\n"
	"serial 1.3.6.1.4.1.99999.2.1.0\n"
	"model 1.3.6.1.4.1.99999.2.2.0\n"
	"firmware 1.3.6.1.4.1.99999.2.3.0\n"
	"meter total 1.3.6.1.4.1.99999.3.1.0 unit impressions\n"
	"meter color 1.3.6.1.4.1.99999.3.2.0 unit impressions\n"
	"meter-table 1.3.6.1.4.1.99999.4.1.2 names 1.3.6.1.4.1.99999.4.1.3 "
	"unit sheets {\n"
	"	\"Copies\"	copies\n"
	"}\n";

static struct snmp_value
octets(const char *s)
{
	struct snmp_value	 v;

	memset(&v, 0, sizeof(v));
	v.type = SNMP_T_OCTETS;
	v.s = (const uint8_t *)s;
	v.slen = strlen(s);
	return v;
}

static struct snmp_value
integer(int64_t i)
{
	struct snmp_value	 v;

	memset(&v, 0, sizeof(v));
	v.type = SNMP_T_INTEGER;
	v.i = i;
	return v;
}

static struct snmp_value
counter(uint64_t u)
{
	struct snmp_value	 v;

	memset(&v, 0, sizeof(v));
	v.type = SNMP_T_COUNTER32;
	v.u = u;
	return v;
}

static struct snmp_value
oidval(const char *s)
{
	struct snmp_value	 v;

	memset(&v, 0, sizeof(v));
	v.type = SNMP_T_OID;
	if (snmp_oid_parse(s, &v.oid) == -1)
		abort();
	return v;
}

static void
sc(struct dev_data *d, enum sc_id id, uint32_t idx, struct snmp_value v)
{
	scalar_set(&d->sc[id], &idx, 1, &v);
}

/* a printer as collectd stores it: row 2 of hrDeviceTable */
static void
printer(struct dev_data *d, const struct profile *p)
{
	uint32_t		 k[2];
	struct snmp_value	 v;

	memset(d, 0, sizeof(*d));
	v = octets("Acme Laser 5100 v1.2.3");
	scalar_set(&d->sc[SC_SYSDESCR], (const uint32_t[]){ 0 }, 1, &v);
	v = oidval("1.3.6.1.4.1.99999.1.7");
	scalar_set(&d->sc[SC_SYSOBJECTID], (const uint32_t[]){ 0 }, 1, &v);
	v = integer(4242);
	v.type = SNMP_T_TIMETICKS;
	v.u = 4242;
	scalar_set(&d->sc[SC_SYSUPTIME], (const uint32_t[]){ 0 }, 1, &v);
	sc(d, SC_HRDEVTYPE, 1, oidval("1.3.6.1.2.1.25.3.1.3"));
	sc(d, SC_HRDEVDESCR, 1, octets("Acme CPU 800"));
	sc(d, SC_HRDEVSTATUS, 1, integer(2));
	sc(d, SC_HRPRTSTATUS, 2, integer(3));
	sc(d, SC_HRPRTERR, 2, octets("\x08\x00"));	/* bit 4: doorOpen */
	sc(d, SC_PRTSERIAL, 2, octets("unknown"));	/* a placeholder */
	sc(d, SC_SYSNAME, 0, octets("printer-7"));
	dev_data_init(d, p, p != NULL ? p->vendor : NULL);
	dev_find_printer_index(d);
	/* its own row, asked for in phase 2 */
	scalar_set(&d->sc[SC_P_HRDEVTYPE], &d->prt_index, 1,
	    &(struct snmp_value){ 0 });
	v = oidval("1.3.6.1.2.1.25.3.1.5");
	scalar_set(&d->sc[SC_P_HRDEVTYPE], &d->prt_index, 1, &v);
	v = octets("Acme Laser 5100");
	scalar_set(&d->sc[SC_P_HRDEVDESCR], &d->prt_index, 1, &v);
	v = integer(3);
	scalar_set(&d->sc[SC_P_HRDEVSTATUS], &d->prt_index, 1, &v);
	/* two markers, in impressions (7) */
	k[0] = 2, k[1] = 1;
	v = integer(7);
	row_int(&d->rs[RS_MARKERS], k, 2, MRK_UNIT, &v);
	v = counter(1000);
	row_int(&d->rs[RS_MARKERS], k, 2, MRK_LIFE, &v);
	k[1] = 2;
	v = integer(7);
	row_int(&d->rs[RS_MARKERS], k, 2, MRK_UNIT, &v);
	v = counter(234);
	row_int(&d->rs[RS_MARKERS], k, 2, MRK_LIFE, &v);
	/* a supply with colorant 1, and colorant 1's name */
	k[1] = 1;
	v = integer(1);
	row_int(&d->rs[RS_SUPPLIES], k, 2, SUP_COLORANT, &v);
	v = integer(3);
	row_int(&d->rs[RS_SUPPLIES], k, 2, SUP_TYPE, &v);
	v = integer(100);
	row_int(&d->rs[RS_SUPPLIES], k, 2, SUP_MAX, &v);
	v = integer(42);
	row_int(&d->rs[RS_SUPPLIES], k, 2, SUP_LEVEL, &v);
	v = octets("Black Toner");
	row_str(&d->rs[RS_SUPPLIES], k, 2, 0, &v, REPORT_STR);
	v = octets("black");
	row_str(&d->rs[RS_COLORANTS], k, 2, 0, &v, REPORT_NAME);
	/* an alert */
	v = integer(3);
	row_int(&d->rs[RS_ALERTS], k, 2, ALR_SEV, &v);
	v = octets("Door open");
	row_str(&d->rs[RS_ALERTS], k, 2, 0, &v, REPORT_STR);
}

static void
start(uint8_t outcome)
{
	dev_report_reset(&rep);
	rep.dev.outcome = outcome;
}

static const struct rpt_meter *
meter(const char *name)
{
	size_t	 i;

	for (i = 0; i < rep.nmeters; i++)
		if (strcmp(rep.meters[i].name, name) == 0)
			return &rep.meters[i];
	return NULL;
}

TEST(standard_mibs)
{
	struct dev_data		 d;
	const struct rpt_meter	*m;

	printer(&d, NULL);
	CHECK_EQ_INT(d.prt_index, 2);
	CHECK_EQ_INT(dev_printer(&d), IDP_PRINTER_MIB);
	start(DEV_OK);
	build_report(&d, &oids, CAT_DEFAULTS, &rep);
	/* the model of the printer's own row; "unknown" is no serial */
	CHECK_STR(rep.dev.model, "Acme Laser 5100");
	CHECK_STR(rep.dev.model_source, "1.3.6.1.2.1.25.3.2.1.3.2");
	CHECK_STR(rep.dev.serial, "");
	CHECK_STR(rep.dev.serial_source, "");
	CHECK_STR(rep.dev.sysobjectid, "1.3.6.1.4.1.99999.1.7");
	CHECK_EQ_INT(rep.dev.enterprise, 99999);
	CHECK_STR(rep.dev.sysdescr, "Acme Laser 5100 v1.2.3");
	/* status of row 2, not row 1 */
	CHECK_EQ_INT(rep.dev.device_status, 3);
	CHECK_EQ_INT(rep.dev.printer_status, 3);
	CHECK_EQ_INT(rep.dev.errors, 1 << 4);
	CHECK_EQ_INT(rep.dev.uptime, 4242);
	CHECK_STR(rep.dev.sysname, "");		/* PII not sent */
	/* two markers: lifecount.<idx> each and their sum as total */
	CHECK_EQ_INT(rep.nmeters, 3);
	CHECK((m = meter("lifecount.2.1")) != NULL);
	CHECK_EQ_INT(m->value, 1000);
	CHECK_STR(m->unit, "impressions");
	CHECK_STR(m->source, "1.3.6.1.2.1.43.10.2.1.4.2.1");
	CHECK((m = meter("total")) != NULL);
	CHECK_EQ_INT(m->value, 1234);
	CHECK_EQ_INT(m->flag, METER_FLAG_NONE);
	CHECK_EQ_INT(rep.nsupplies, 1);
	CHECK_STR(rep.supplies[0].index, "2.1");
	CHECK_STR(rep.supplies[0].color, "black");
	CHECK_STR(rep.supplies[0].type, "toner");
	CHECK_EQ_INT(rep.supplies[0].percent, 42);
	CHECK_EQ_INT(rep.nalerts, 1);
	CHECK_STR(rep.alerts[0].severity, "critical");
	CHECK_STR(rep.alerts[0].description, "Door open");
	dev_data_free(&d);
}

TEST(vendor_profile)
{
	struct profile		 p;
	struct dev_data		 d;
	struct snmp_value	 v;
	const struct rpt_meter	*m;
	uint32_t		 k = 5;

	CHECK(profile_parse("acme", acme, sizeof(acme) - 1, &p) == 0);
	printer(&d, &p);
	CHECK_EQ_INT(d.nvs, 3 + 2);
	/* the vendor's serial wins over the placeholder, its model too */
	v = octets("AC123456");
	scalar_set(&d.vserial[0], NULL, 0, &v);
	v = octets("Acme Laser 5100dn");
	scalar_set(&d.vmodel[0], NULL, 0, &v);
	v = octets("5.1.0");
	scalar_set(&d.vfw[0], NULL, 0, &v);
	v = counter(99999);
	scalar_set(&d.vmeter[0], NULL, 0, &v);
	v = octets("not a number");		/* ignored */
	scalar_set(&d.vmeter[1], NULL, 0, &v);
	/* the table: "Copies" (mapped) and an unmapped name, twice */
	v = counter(77);
	row_int(&d.rs[RS_VTABLE], &k, 1, TBL_VALUE, &v);
	v = octets("Copies");
	row_str(&d.rs[RS_VTABLE], &k, 1, 0, &v, REPORT_STR);
	k = 6;
	v = counter(5);
	row_int(&d.rs[RS_VTABLE], &k, 1, TBL_VALUE, &v);
	v = octets("Fax Pages");
	row_str(&d.rs[RS_VTABLE], &k, 1, 0, &v, REPORT_STR);
	k = 7;
	v = counter(6);
	row_int(&d.rs[RS_VTABLE], &k, 1, TBL_VALUE, &v);
	v = octets("Fax Pages");
	row_str(&d.rs[RS_VTABLE], &k, 1, 0, &v, REPORT_STR);
	CHECK_EQ_INT(dev_printer(&d), IDP_PRINTER_MIB);

	start(DEV_PARTIAL);
	build_report(&d, &oids, CAT_DEFAULTS | CAT_BIT(CAT_PII), &rep);
	CHECK_STR(rep.dev.vendor, "Acme");
	CHECK_STR(rep.dev.profile, "acme");
	CHECK_STR(rep.dev.serial, "AC123456");
	CHECK_STR(rep.dev.serial_source, "1.3.6.1.4.1.99999.2.1.0");
	CHECK_STR(rep.dev.model, "Laser 5100dn");
	CHECK_STR(rep.dev.model_source, "1.3.6.1.4.1.99999.2.2.0");
	CHECK_STR(rep.dev.firmware, "5.1.0");
	CHECK_STR(rep.dev.firmware_source, "1.3.6.1.4.1.99999.2.3.0");
	CHECK_STR(rep.dev.sysname, "printer-7");
	/* the vendor total: the markers are lifecount.<idx>, no sum */
	CHECK((m = meter("total")) != NULL);
	CHECK_EQ_INT(m->value, 99999);
	CHECK_STR(m->source, "1.3.6.1.4.1.99999.3.1.0");
	CHECK(meter("color") == NULL);
	CHECK((m = meter("copies")) != NULL);
	CHECK_EQ_INT(m->value, 77);
	CHECK_STR(m->unit, "sheets");
	CHECK_STR(m->source, "1.3.6.1.4.1.99999.4.1.2.5");
	CHECK((m = meter("x-fax-pages")) != NULL);
	CHECK_EQ_INT(m->value, 5);
	CHECK((m = meter("x-fax-pages.7")) != NULL);	/* a repeated name */
	CHECK_EQ_INT(m->value, 6);
	CHECK(meter("lifecount.2.2") != NULL);
	CHECK_EQ_INT(rep.nmeters, 6);
	dev_data_free(&d);
}

TEST(categories)
{
	struct dev_data	 d;

	printer(&d, NULL);
	/* identity off: no identity in the report, but collectd knows it */
	start(DEV_OK);
	build_report(&d, &oids, CAT_BIT(CAT_METERS), &rep);
	CHECK_STR(rep.dev.model, "");
	CHECK_STR(rep.dev.sysdescr, "");
	CHECK_STR(rep.dev.sysobjectid, "");
	CHECK_STR(rep.id.model.text, "Acme Laser 5100");
	CHECK_EQ_INT(rep.dev.device_status, REPORT_NONE);
	CHECK_EQ_INT(rep.dev.errors, -1);
	CHECK_EQ_INT(rep.nmeters, 3);
	CHECK_EQ_INT(rep.nsupplies, 0);
	CHECK_EQ_INT(rep.nalerts, 0);
	/* not ok: the identity and status, never rows */
	start(DEV_NOT_PRINTER);
	build_report(&d, &oids, CAT_DEFAULTS, &rep);
	CHECK_STR(rep.dev.model, "Acme Laser 5100");
	CHECK_EQ_INT(rep.dev.printer_status, REPORT_NONE);
	CHECK_EQ_INT(rep.nmeters + rep.nsupplies + rep.nalerts, 0);
	dev_data_free(&d);
}

/* raw octets: a control character is never a model; text is cleaned */
TEST(strings)
{
	struct dev_data		 d;
	struct snmp_value	 v;

	printer(&d, NULL);
	v = octets("Acme\x01Laser 5100");
	scalar_set(&d.sc[SC_P_HRDEVDESCR], &d.prt_index, 1, &v);
	v = octets("SN\\12345");
	scalar_set(&d.sc[SC_PRTSERIAL], (const uint32_t[]){ 2 }, 1, &v);
	v = octets("Acme\tDescr\xff");
	scalar_set(&d.sc[SC_SYSDESCR], (const uint32_t[]){ 0 }, 1, &v);
	start(DEV_OK);
	build_report(&d, &oids, CAT_DEFAULTS, &rep);
	CHECK_STR(rep.dev.model, "");
	CHECK_STR(rep.dev.serial, "SN\\\\12345");
	CHECK_STR(rep.dev.serial_source, "1.3.6.1.2.1.43.5.1.1.17.2");
	CHECK_STR(rep.dev.sysdescr, "Acme\\x09Descr\\xff");
	dev_data_free(&d);
}

/* a host: no Printer-MIB, hrDeviceType a processor */
TEST(not_a_printer)
{
	struct dev_data		 d;
	struct snmp_value	 v;

	memset(&d, 0, sizeof(d));
	v = octets("Linux host 6.1");
	scalar_set(&d.sc[SC_SYSDESCR], (const uint32_t[]){ 0 }, 1, &v);
	sc(&d, SC_HRDEVTYPE, 768, oidval("1.3.6.1.2.1.25.3.1.3"));
	dev_data_init(&d, NULL, NULL);
	dev_find_printer_index(&d);
	CHECK_EQ_INT(dev_printer(&d), IDP_NOT);
	/* hrDeviceType printer of its own row: a label printer */
	scalar_set(&d.sc[SC_P_HRDEVTYPE], &d.prt_index, 1,
	    &(struct snmp_value){ .type = SNMP_T_OID,
	    .oid = { { 1, 3, 6, 1, 2, 1, 25, 3, 1, 5 }, 10 } });
	CHECK_EQ_INT(dev_printer(&d), IDP_HRTYPE);
	dev_data_free(&d);
}

/* the Job MIB's rows as JSON: members only for what the printer said */
TEST(jobs)
{
	struct dev_data		 d;
	struct snmp_value	 v;
	struct wbuf		 w;
	uint32_t		 j1[2] = { 1, 7 }, j2[2] = { 1, 8 };
	uint32_t		 a[4] = { 1, 7, 23, 1 };
	char			*t;

	memset(&d, 0, sizeof(d));
	wbuf_init(&w);
	/* no job table: no job data */
	CHECK(build_jobs(&d, 1700000000, &w) == -1);
	CHECK_EQ_INT(w.len, 0);
	memset(&v, 0, sizeof(v));
	v.type = SNMP_T_TIMETICKS;
	v.u = 360000;		/* an hour */
	sc(&d, SC_SYSUPTIME, 0, v);
	row_int(&d.rs[RS_JOBS], j1, 2, JOB_STATE, &(struct snmp_value){
	    .type = SNMP_T_INTEGER, .i = 9 });
	v = integer(12);
	row_int(&d.rs[RS_JOBS], j1, 2, JOB_IMPR, &v);
	v = octets("al\"ice\\");
	row_str(&d.rs[RS_JOBS], j1, 2, 0, &v, JOB_STR_MAX);
	v = integer(-2);	/* unknown: no member */
	row_int(&d.rs[RS_JOBS], j2, 2, JOB_KOCTETS, &v);
	v = integer(42);	/* a state this code does not name */
	row_int(&d.rs[RS_JOBS], j2, 2, JOB_STATE, &v);
	v = octets("report\x01.pdf");
	row_str(&d.rs[RS_JOBATTRS], a, 4, 0, &v, JOB_STR_MAX);
	a[2] = 131;		/* pagesCompleted */
	v = integer(6);
	row_int(&d.rs[RS_JOBATTRS], a, 4, JATTR_INT, &v);
	a[2] = 191;		/* jobSubmissionTime: 600 s after the boot */
	v = integer(600);
	row_int(&d.rs[RS_JOBATTRS], a, 4, JATTR_INT, &v);
	a[2] = 29;		/* jobOriginatingHost: not kept */
	v = octets("ws17");
	row_str(&d.rs[RS_JOBATTRS], a, 4, 0, &v, JOB_STR_MAX);
	CHECK(build_jobs(&d, 1700003600, &w) == 0);
	wbuf_u8(&w, '\0');
	t = (char *)w.data;
	CHECK_STR(t, "{\"format\":\"callhome-jobs\",\"version\":1,"
	    "\"collected\":\"2023-11-14T23:13:20Z\",\"uptime\":360000,"
	    "\"jobs\":[{\"set\":1,\"job\":7,\"state\":\"completed\","
	    "\"owner\":\"al\\\"ice\\\\\\\\\",\"impressions\":12,"
	    "\"name\":\"report\\\\x01.pdf\",\"pages\":6,"
	    "\"submitted\":\"2023-11-14T22:23:20Z\"},"
	    "{\"set\":1,\"job\":8,\"state\":42}],\"truncated\":false}");
	wbuf_free(&w);
	dev_data_free(&d);
}

TEST_MAIN_BEGIN("test_build")
	build_oids_init(&oids);
	RUN(standard_mibs);
	RUN(vendor_profile);
	RUN(categories);
	RUN(strings);
	RUN(not_a_printer);
	RUN(jobs);
	dev_report_free(&rep);
TEST_MAIN_END

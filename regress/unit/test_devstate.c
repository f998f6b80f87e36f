/*
 * A device's state across cycles and its meters against the previous
 * reading (common/devstate.c): every transition of the rules in
 * devstate.h, and the flags of meters.
 */
#include <string.h>

#include "devstate.h"
#include "report.h"
#include "test.h"

TEST(transitions)
{
	static const int	 prevs[] = { DEV_STATE_NONE,
	    DEV_STATE_ANSWERING, DEV_STATE_ASLEEP, DEV_STATE_UNREACHABLE,
	    DEV_STATE_AUTH_FAILURE, DEV_STATE_NOT_PRINTER };
	size_t			 i;
	int			 p;

	for (i = 0; i < sizeof(prevs) / sizeof(prevs[0]); i++) {
		p = prevs[i];
		CHECK_EQ_INT(devstate_next(DEV_OK, 0, p), DEV_STATE_ANSWERING);
		CHECK_EQ_INT(devstate_next(DEV_PARTIAL, 0, p),
		    DEV_STATE_ANSWERING);
		CHECK_EQ_INT(devstate_next(DEV_ERROR, 0, p),
		    DEV_STATE_ANSWERING);
		CHECK_EQ_INT(devstate_next(DEV_AUTH_FAILURE, 0, p),
		    DEV_STATE_AUTH_FAILURE);
		CHECK_EQ_INT(devstate_next(DEV_NOT_PRINTER, 0, p),
		    DEV_STATE_NOT_PRINTER);
		CHECK_EQ_INT(devstate_next(DEV_REFUSED, 0, p),
		    DEV_STATE_UNREACHABLE);
		/* silent after the longer wait: unreachable, always */
		CHECK_EQ_INT(devstate_next(DEV_TIMEOUT, 1, p),
		    DEV_STATE_UNREACHABLE);
	}
	/* silent: asleep only after it answered (or while asleep) */
	CHECK_EQ_INT(devstate_next(DEV_TIMEOUT, 0, DEV_STATE_ANSWERING),
	    DEV_STATE_ASLEEP);
	CHECK_EQ_INT(devstate_next(DEV_TIMEOUT, 0, DEV_STATE_ASLEEP),
	    DEV_STATE_ASLEEP);
	CHECK_EQ_INT(devstate_next(DEV_TIMEOUT, 0, DEV_STATE_NONE),
	    DEV_STATE_UNREACHABLE);
	CHECK_EQ_INT(devstate_next(DEV_TIMEOUT, 0, DEV_STATE_UNREACHABLE),
	    DEV_STATE_UNREACHABLE);
	CHECK_EQ_INT(devstate_next(DEV_TIMEOUT, 0, DEV_STATE_AUTH_FAILURE),
	    DEV_STATE_UNREACHABLE);
	/* since: kept while the state stays */
	CHECK_EQ_INT(devstate_since(DEV_STATE_ASLEEP, 100, DEV_STATE_ASLEEP,
	    200), 100);
	CHECK_EQ_INT(devstate_since(DEV_STATE_ANSWERING, 100,
	    DEV_STATE_ASLEEP, 200), 200);
	CHECK_EQ_INT(devstate_since(DEV_STATE_NONE, 0, DEV_STATE_ANSWERING,
	    300), 300);
	CHECK_STR(dev_state_name(DEV_STATE_ASLEEP), "asleep");
	CHECK_STR(dev_state_name(DEV_STATE_NONE), "");
	CHECK_EQ_INT(dev_state_from_name("not-a-printer"),
	    DEV_STATE_NOT_PRINTER);
	CHECK_EQ_INT(dev_state_from_name(""), -1);
	CHECK_STR(dev_outcome_name(DEV_AUTH_FAILURE), "auth-failure");
}

static struct rpt_meter
m(const char *name, int64_t v)
{
	struct rpt_meter	 r;

	memset(&r, 0, sizeof(r));
	(void)strlcpy(r.name, name, sizeof(r.name));
	r.value = v;
	return r;
}

TEST(meters)
{
	struct prev_meters	 pm;
	struct rpt_meter	 r;

	memset(&pm, 0, sizeof(pm));
	prev_meters_reset(&pm, 0);
	prev_meters_add(&pm, "total", 1000);
	prev_meters_add(&pm, "black", 600);
	prev_meters_add(&pm, "color", REPORT_NONE);
	/* up, same: usage, no flag */
	r = m("total", 1200);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_NONE);
	CHECK_EQ_INT(r.previous, 0);
	r = m("black", 600);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_NONE);
	/* down: reset, the previous value kept */
	r = m("black", 10);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_RESET);
	CHECK_EQ_INT(r.previous, 600);
	/* nothing to compare with: no flag */
	r = m("color", 5);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_NONE);
	r = m("duplex", 5);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_NONE);
	r = m("total", REPORT_NONE);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_NONE);
	/* another device at the address: replaced, up or down */
	prev_meters_reset(&pm, 1);
	prev_meters_add(&pm, "total", 1000);
	r = m("total", 5000);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_REPLACED);
	CHECK_EQ_INT(r.previous, 1000);
	r = m("total", 5);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_REPLACED);
	CHECK_STR(meter_flag_name(METER_FLAG_RESET), "reset");
	CHECK_STR(meter_flag_name(METER_FLAG_NONE), "");
	prev_meters_free(&pm);
}

/* at most REPORT_MAX_ROWS previous meters are kept */
TEST(bounds)
{
	struct prev_meters	 pm;
	struct rpt_meter	 r;
	char			 name[32];
	int			 i;

	memset(&pm, 0, sizeof(pm));
	prev_meters_reset(&pm, 0);
	for (i = 0; i < REPORT_MAX_ROWS + 10; i++) {
		(void)snprintf(name, sizeof(name), "m%d", i);
		prev_meters_add(&pm, name, 100);
	}
	CHECK_EQ_INT(pm.n, REPORT_MAX_ROWS);
	r = m("m1023", 1);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_RESET);
	r = m("m1024", 1);
	prev_meters_flag(&pm, &r);
	CHECK_EQ_INT(r.flag, METER_FLAG_NONE);
	prev_meters_free(&pm);
}

TEST_MAIN_BEGIN("test_devstate")
	RUN(transitions);
	RUN(meters);
	RUN(bounds);
TEST_MAIN_END

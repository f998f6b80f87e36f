/*
 * A device's state across cycles and its meters against the previous
 * reading: see devstate.h.
 */
#include <stdlib.h>
#include <string.h>

#include "devstate.h"
#include "log.h"

int
devstate_next(int outcome, int waited, int prev)
{
	switch (outcome) {
	case DEV_OK:
	case DEV_PARTIAL:
	case DEV_ERROR:
		return DEV_STATE_ANSWERING;
	case DEV_AUTH_FAILURE:
		return DEV_STATE_AUTH_FAILURE;
	case DEV_NOT_PRINTER:
		return DEV_STATE_NOT_PRINTER;
	case DEV_TIMEOUT:
		if (!waited && (prev == DEV_STATE_ANSWERING ||
		    prev == DEV_STATE_ASLEEP))
			return DEV_STATE_ASLEEP;
		return DEV_STATE_UNREACHABLE;
	default:
		return DEV_STATE_UNREACHABLE;
	}
}

int64_t
devstate_since(int prev, int64_t prev_since, int state, int64_t now)
{
	return prev == state ? prev_since : now;
}

void
prev_meters_reset(struct prev_meters *pm, int replaced)
{
	pm->n = 0;
	pm->hint = 0;
	pm->replaced = replaced;
}

void
prev_meters_add(struct prev_meters *pm, const char *name, int64_t value)
{
	void	*p;
	size_t	 ncap;

	if (pm->n >= REPORT_MAX_ROWS)
		return;
	if (pm->n == pm->cap) {
		ncap = pm->cap ? pm->cap * 2 : 16;
		if ((p = reallocarray(pm->m, ncap, sizeof(*pm->m))) == NULL)
			fatal(NULL);
		pm->m = p;
		pm->cap = ncap;
	}
	(void)strlcpy(pm->m[pm->n].name, name, sizeof(pm->m[pm->n].name));
	pm->m[pm->n].value = value;
	pm->n++;
}

void
prev_meters_free(struct prev_meters *pm)
{
	free(pm->m);
	memset(pm, 0, sizeof(*pm));
}

/* the previous value of name; meters mostly come in the same order */
static int
lookup(struct prev_meters *pm, const char *name, int64_t *v)
{
	size_t	 i, k;

	for (k = 0; k < pm->n; k++) {
		i = (pm->hint + k) % pm->n;
		if (strcmp(pm->m[i].name, name) == 0) {
			pm->hint = i + 1;
			*v = pm->m[i].value;
			return 0;
		}
	}
	return -1;
}

void
prev_meters_flag(struct prev_meters *pm, struct rpt_meter *m)
{
	int64_t	 prev;

	m->flag = METER_FLAG_NONE;
	m->previous = 0;
	if (m->value == REPORT_NONE || lookup(pm, m->name, &prev) == -1 ||
	    prev == REPORT_NONE)
		return;
	if (pm->replaced) {
		m->flag = METER_FLAG_REPLACED;
		m->previous = prev;
	} else if (m->value < prev) {
		m->flag = METER_FLAG_RESET;
		m->previous = prev;
	}
}

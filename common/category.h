/*
 * The categories of data a customer switches on one by one ("send" in
 * callhome.conf(5)), and their names.
 */
#ifndef CALLHOME_CATEGORY_H
#define CALLHOME_CATEGORY_H

#include <stddef.h>
#include <stdint.h>

/* data categories: each has its own "send" switch */
enum category {
	CAT_METERS,
	CAT_SUPPLIES,
	CAT_ALERTS,
	CAT_IDENTITY,
	CAT_SITE_INFO,
	CAT_DEVICE_ADDRESS,
	CAT_PII,
	CAT_JOB_DATA,
	CAT_MAX
};
#define CAT_BIT(c)		(1U << (c))
/* PII, job data and device addresses are off unless switched on */
#define CAT_DEFAULTS		(CAT_BIT(CAT_METERS) | CAT_BIT(CAT_SUPPLIES) | \
				    CAT_BIT(CAT_ALERTS) | CAT_BIT(CAT_IDENTITY) | \
				    CAT_BIT(CAT_SITE_INFO))

const char	*category_name(enum category);
int		 category_from_name(const char *);	/* or -1 */
/* the names of a CAT_BIT() mask, in order, separated by spaces; buf */
const char	*category_list(uint32_t, char *buf, size_t);

#endif /* CALLHOME_CATEGORY_H */

/*
 * The data categories and their names: see category.h.
 */
#include <string.h>

#include "category.h"

static const char *const category_names[CAT_MAX] = {
	[CAT_METERS]		= "meters",
	[CAT_SUPPLIES]		= "supplies",
	[CAT_ALERTS]		= "alerts",
	[CAT_IDENTITY]		= "identity",
	[CAT_SITE_INFO]		= "site-info",
	[CAT_DEVICE_ADDRESS]	= "device-address",
	[CAT_PII]		= "pii",
	[CAT_JOB_DATA]		= "job-data",
};

const char *
category_name(enum category c)
{
	if ((unsigned)c >= CAT_MAX)
		return "unknown";
	return category_names[c];
}

int
category_from_name(const char *name)
{
	int	 c;

	for (c = 0; c < CAT_MAX; c++)
		if (strcmp(category_names[c], name) == 0)
			return c;
	return -1;
}

const char *
category_list(uint32_t mask, char *buf, size_t len)
{
	int	 c;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (c = 0; c < CAT_MAX; c++) {
		if (!(mask & CAT_BIT(c)))
			continue;
		if (buf[0] != '\0')
			(void)strlcat(buf, " ", len);
		(void)strlcat(buf, category_names[c], len);
	}
	return buf;
}

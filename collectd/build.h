/*
 * What collectd knows of one device once its walks have ended, and the
 * report built from it.  device.c stores the answers here as they come;
 * build.c turns them into the report structures of report.h, and
 * nothing else: no I/O, no engine, no channel (regress/unit/test_build.c
 * calls it directly).
 */
#ifndef COLLECTD_BUILD_H
#define COLLECTD_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "identity.h"
#include "profile.h"
#include "report.h"
#include "snmp.h"

#define BUILD_MAX_IDX		16	/* arcs of a row index (walk.h) */
#define BUILD_MAX_ROWS		1024	/* per table (walk.h) */
#define SKEY_MAX		6	/* arcs of a first instance */

/* the scalars: first instances (phase 1), then the printer's own row */
enum sc_id {
	SC_SYSDESCR,
	SC_SYSOBJECTID,
	SC_SYSUPTIME,
	SC_SYSCONTACT,
	SC_SYSNAME,
	SC_SYSLOCATION,
	SC_HRDEVTYPE,
	SC_HRDEVDESCR,
	SC_HRDEVSTATUS,
	SC_HRPRTSTATUS,
	SC_HRPRTERR,
	SC_PRTSERIAL,
	SC_PPMDEVID,		/* ppmPrinterIEEE1284DeviceId */
	/* phase 2: hrDeviceTable at the printer's index */
	SC_P_HRDEVTYPE,
	SC_P_HRDEVDESCR,
	SC_P_HRDEVSTATUS,
	SC_MAX
};

/* the tables */
enum rs_id {
	RS_SUPPLIES,
	RS_COLORANTS,
	RS_MARKERS,
	RS_ALERTS,
	RS_JOBS,		/* Job Monitoring MIB: jmJobTable */
	RS_JOBATTRS,		/* and jmAttributeTable */
	RS_VTABLE,		/* + k: the profile's meter tables */
	RS_MAX = RS_VTABLE + PROFILE_MAX_TABLES
};

/* integer slots of each table's row */
enum { SUP_COLORANT, SUP_CLASS, SUP_TYPE, SUP_UNIT, SUP_MAX, SUP_LEVEL };
enum { MRK_UNIT, MRK_LIFE };
enum { ALR_SEV, ALR_GROUP, ALR_CODE, ALR_TIME };
enum { TBL_VALUE };
enum { JOB_STATE, JOB_KOCTETS, JOB_IMPR_REQ, JOB_IMPR };
enum { JATTR_INT };
#define JOB_STR_MAX		256	/* owner, job name: cleaned, cut */
#define ROW_NINT	6
#define ROW_NSTR	1

/*
 * A scalar answer: the value and the instance it came from.  Octet
 * strings are kept raw (identity needs the octets, reports clean them),
 * at most SCALAR_RAW_MAX of them: identity refuses a longer value whole,
 * and a report keeps less.  An OID value is kept as its arcs, in s too
 * (slen arcs): thousands of devices are collected at once.
 */
#define SCALAR_RAW_MAX		(IDENTITY_RAW_MAX + 1)
struct scalar {
	int64_t		 i;		/* integers; octets: first two */
	uint8_t		*s;		/* octets or arcs (malloc'd), or NULL */
	size_t		 slen;		/* octets, or arcs */
	uint32_t	 k[SKEY_MAX];	/* instance (first-instance objects) */
	uint8_t		 klen;
	uint8_t		 have;
	uint8_t		 type;
};

/* an OID value into o; -1 if the scalar holds none */
int	scalar_oid(const struct scalar *, struct snmp_oid *);

struct rowkey {
	uint8_t		 len;
	uint32_t	 a[BUILD_MAX_IDX];
};

struct row {
	struct rowkey	 k;
	int64_t		 v[ROW_NINT];	/* the table's integer columns */
	char		*s[ROW_NSTR];	/* and its string, cleaned */
};

struct rowset {
	struct row	*r;
	size_t		 n, cap;
};

/* the answers of one device */
struct dev_data {
	struct scalar		 sc[SC_MAX];
	struct rowset		 rs[RS_MAX];
	/* the profile's objects: serial, model, firmware, devid, meters */
	const struct profile	*profile;	/* NULL: none */
	const char		*vendor;	/* profile_match()'s */
	struct scalar		*vs;		/* nvs of them */
	size_t			 nvs;
	struct scalar		*vserial, *vmodel, *vfw, *vdevid, *vmeter;
	uint32_t		 prt_index;	/* the printer's hrDeviceIndex */
};

/* the OIDs the report names as sources, parsed once */
struct build_oids {
	struct snmp_oid	 sysdescr, enterprises, prtserial, hrdevdescr,
			 ppmdevid, marklife;
};

/* a whole report, the rows in the order they are sent */
struct dev_report {
	struct rpt_device	 dev;
	struct rpt_meter	*meters;
	size_t			 nmeters, capmeters;
	struct rpt_supply	*supplies;
	size_t			 nsupplies, capsupplies;
	struct rpt_alert	*alerts;
	size_t			 nalerts, capalerts;
	struct identity		 id;		/* as identity_build() made it */
	/* job data: the plaintext and its sealed form (build_jobs()) */
	int			 have_jobs;
	struct wbuf		 jobs_plain;
	struct wbuf		 jobs_sealed;
};

void	build_oids_init(struct build_oids *);

/* the profile's objects, sized by it (profile NULL: none) */
void	dev_data_init(struct dev_data *, const struct profile *,
	    const char *vendor);
void	dev_data_free(struct dev_data *);

/* storing answers: a scalar, a row's integer or string slot */
void	scalar_set(struct scalar *, const uint32_t *, size_t,
	    const struct snmp_value *);
void	row_int(struct rowset *, const uint32_t *, size_t, int,
	    const struct snmp_value *);
void	row_str(struct rowset *, const uint32_t *, size_t, int,
	    const struct snmp_value *, size_t);

/* the printer's hrDeviceIndex: from the printer tables, else 1 */
void	dev_find_printer_index(struct dev_data *);
/* identity's input from what the device answered (its OIDs in oids) */
void	dev_identity_in(const struct dev_data *, struct identity_in *,
	    struct snmp_oid oids[2]);
/* a printer?  (identity.h's rule on what has been answered so far) */
enum identity_printer dev_printer(const struct dev_data *);

/*
 * The report of a device that answered: rep->dev's address, outcome,
 * reason, collected and requests are the caller's and kept; the rest is
 * built from the answers, only what the categories of send allow.
 * Rows are built only for DEV_OK and DEV_PARTIAL.  rep->id is always
 * built (identity_build()), whatever send says: collectd tells printers
 * apart by it, and it never leaves collectd unless identity is sent.
 */
void	build_report(const struct dev_data *, const struct build_oids *,
	    uint32_t send, struct dev_report *);
/* the identity and status of an answered device only (no rows) */
void	build_device(const struct dev_data *, const struct build_oids *,
	    uint32_t send, struct dev_report *);
/*
 * The job data of a device that answered, as the JSON object of
 * callhome-jobdata(5), appended to w: the jobs of jmJobTable with their
 * attributes of jmAttributeTable that it names, at most JOBS_MAX of them
 * and REPORT_JOBS_PLAIN_MAX bytes in all.  collected: the report's time
 * (unix), which with sysUpTime turns the Job MIB's times into dates.
 * 0, or -1 when the device has no job table (w unchanged).
 */
#define JOBS_MAX		512
int	build_jobs(const struct dev_data *, int64_t collected, struct wbuf *);

/* empty the report for the next device (its buffers are kept) */
void	dev_report_reset(struct dev_report *);
void	dev_report_free(struct dev_report *);

#endif /* COLLECTD_BUILD_H */

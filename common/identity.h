/*
 * A device's identity as a service technician would write it down:
 * vendor, model, serial number and firmware, each with where it came
 * from, and whether the device is a printer at all.  Pure code: raw
 * octets and the device's vendor profile in, text out; no I/O, no state.
 *
 * Model, in order of trust (the first acceptable one wins):
 *	1. the profile's model OIDs, in the profile's order (values may
 *	   carry a binary type/length prefix, which is decoded);
 *	2. hrDeviceDescr of the printer's hrDevice row;
 *	3. the MDL (or MODEL) of an IEEE 1284 device id: the standard
 *	   ppmPrinterIEEE1284DeviceId, then the profile's device-id OIDs,
 *	   then sysDescr itself when it is a device id (some agents);
 *	4. sysDescr, cut by the profile's descr-model rules (data, not
 *	   code); without a profile or a rule that applies, sysDescr gives
 *	   no model.
 * Each candidate is cleaned the same way: the profile's model-edit
 * rules; the words from the serial number or from a firmware code
 * ("LW62.DN4.P636": two dots and a digit) onwards dropped; a leading
 * vendor or brand name and a trailing "series" dropped.  It is refused
 * if it is empty, longer than 63 bytes, has no digit (product names
 * have one; "EPSON Built-in", "Printing System" have none), names a
 * network card or print server ("print server", "PrintServer",
 * "Ethernet", "JetDirect", "firmware", "kernel") or begins with a
 * not-model text of the profile.  A family name ("M408x Series")
 * gives way to a later candidate that names a member of it ("M4080FX").
 *
 * Serial: prtGeneralSerialNumber, the profile's serial OIDs, the
 * profile's descr-serial rules on sysDescr, the SN/SERN/SERIALNUMBER
 * key of a 1284 device id.  Refused: empty, longer than 63 bytes, no
 * letter or digit, or a placeholder ("unknown", "none", "n/a", zeros).
 *
 * Firmware: the profile's firmware OIDs.
 *
 * Vendor: the profile's (its brand when sysDescr names one, as
 * profile_match() does), or the brand a model found in step 1-4 begins
 * with ("Develop ineo+ 280" under Konica Minolta's enterprise is a
 * Develop); without a profile, the MFG of a 1284 device id.
 *
 * Every value is raw octets: trailing NULs are dropped, then a value
 * with a control character (C0, DEL, C1) or that is not UTF-8 is never
 * used; blanks are trimmed and runs of blanks made one.  Values over
 * IDENTITY_RAW_MAX bytes are refused whole.
 *
 * Printer: the Printer-MIB answered, or hrDeviceType of the printer
 * row is hrDevicePrinter (1.3.6.1.2.1.25.3.1.5), or a "match oid" line
 * of the profile covers sysObjectID (profiles name with "match oid"
 * only subtrees that hold printers; a "match enterprise" is no claim:
 * enterprises also make servers, switches and projectors).
 */
#ifndef CALLHOME_IDENTITY_H
#define CALLHOME_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "snmp.h"

#define IDENTITY_TEXT		REPORT_NAME	/* a field, NUL included */
#define IDENTITY_RAW_MAX	1024		/* longest value looked at */
#define IDENTITY_DEVID_FIELDS	64		/* KEY:VALUE pairs looked at */

/*
 * The objects collectd must fetch for identity_build() besides those it
 * fetches today (sysDescr, sysObjectID, hrDeviceType, hrDeviceDescr,
 * prtGeneralSerialNumber, the profile's serial/model/firmware OIDs):
 *
 *	ppmPrinterIEEE1284DeviceId (PWG Printer Port Monitor MIB), a
 *	column indexed by ppmPrinterIndex: its first instance, as a
 *	non-repeater of phase 1 like hrDeviceDescr;
 *	the profile's device-id OIDs (struct profile devid[], full
 *	instance OIDs, like its model OIDs), in phase 2.
 *
 * And it needs the raw octets of the string values (today collectd keeps
 * only report_str_clean()'s text, which escapes what identity refuses).
 */
#define IDENTITY_OID_PPM_DEVID	"1.3.6.1.4.1.2699.1.2.1.2.1.1.3"
#define IDENTITY_OID_HRPRINTER	"1.3.6.1.2.1.25.3.1.5"	/* hrDeviceType */

/* raw octets of one answer; s == NULL: no answer (or not asked) */
struct identity_value {
	const uint8_t	*s;
	size_t		 len;
};

struct identity_in {
	struct identity_value	 sysdescr;	/* sysDescr.0 */
	const struct snmp_oid	*sysobjectid;	/* sysObjectID.0, or NULL */
	struct identity_value	 prtserial;	/* prtGeneralSerialNumber.<p> */
	struct identity_value	 hrdescr;	/* hrDeviceDescr.<p> */
	const struct snmp_oid	*hrtype;	/* hrDeviceType.<p>, or NULL */
	struct identity_value	 devid;		/* ppmPrinterIEEE1284DeviceId */
	int			 printer_mib;	/* a Printer-MIB object answered */
	/* the profile's objects, index i for the profile's OID i */
	struct identity_value	 v_serial[PROFILE_MAX_IDENT];
	struct identity_value	 v_model[PROFILE_MAX_IDENT];
	struct identity_value	 v_firmware[PROFILE_MAX_IDENT];
	struct identity_value	 v_devid[PROFILE_MAX_IDENT];
};
/* <p>: the printer's hrDeviceIndex, as collectd finds it today */

enum identity_src {
	IDSRC_NONE,		/* no value */
	IDSRC_PROFILE,		/* vendor: the profile's vendor line */
	IDSRC_BRAND,		/* vendor: a brand whose descr is in sysDescr */
	IDSRC_MODEL_BRAND,	/* vendor: the brand the model begins with */
	IDSRC_PRTSERIAL,	/* prtGeneralSerialNumber */
	IDSRC_VENDOR_OID,	/* the profile's serial/model/firmware [idx] */
	IDSRC_HRDESCR,		/* hrDeviceDescr */
	IDSRC_DEVID,		/* ppmPrinterIEEE1284DeviceId */
	IDSRC_VENDOR_DEVID,	/* the profile's device-id OID [idx] */
	IDSRC_SYSDESCR_DEVID,	/* sysDescr, which is a 1284 device id */
	IDSRC_SYSDESCR		/* sysDescr, the profile's rule [idx] */
};

struct identity_field {
	char			 text[IDENTITY_TEXT];	/* "" when none */
	enum identity_src	 src;
	int			 idx;	/* OID or rule of the profile, or -1 */
};

enum identity_printer {
	IDP_NOT,		/* none of the below */
	IDP_PRINTER_MIB,	/* the Printer-MIB answered */
	IDP_HRTYPE,		/* hrDeviceType is hrDevicePrinter */
	IDP_PROFILE		/* a match oid of the profile covers it */
};

struct identity {
	struct identity_field	 vendor, model, serial, firmware;
	enum identity_printer	 printer;	/* IDP_NOT: not a printer */
};

/*
 * Fill *id from what the device answered and its profile (NULL: none;
 * as profile_match() chose it).  Never fails; every text it writes is
 * UTF-8 without control characters, at most IDENTITY_TEXT - 1 bytes.
 */
void		 identity_build(const struct identity_in *,
		    const struct profile *, struct identity *);
/* the printer field of identity_build() alone (cheap) */
enum identity_printer identity_printer(const struct identity_in *,
		    const struct profile *);
/* "vendor-oid", "hrDeviceDescr", ...: for logs and reports */
const char	*identity_src_name(enum identity_src);
const char	*identity_printer_name(enum identity_printer);

/*
 * The text of raw octets: trailing NULs dropped, a binary type/length
 * prefix decoded, blanks trimmed and their runs made one.  -1 (and "")
 * if empty, longer than IDENTITY_RAW_MAX, not UTF-8 or with a control
 * character, or if it does not fit dstsz.
 */
int		 identity_decode(const uint8_t *, size_t, char *, size_t);
/*
 * The value of the first of keys (NULL-terminated list, compared in any
 * case) in an IEEE 1284 device id ("MFG:Acme;MDL:Laser 1;"), trimmed;
 * -1 when none has a non-empty value that fits dstsz.  Looks at most at
 * IDENTITY_DEVID_FIELDS fields.
 */
int		 identity_devid_get(const char *devid,
		    const char *const *keys, char *, size_t);

#endif /* CALLHOME_IDENTITY_H */

# Zebra label printers (ZT, ZD, GK, ZM, Xi and the mobile QLn, ZQ).
#
# [sources] named alike by more than one public source, [single] one
# public source only (see README).  No Zebra walk is under shared/walks.
#
# A Zebra has HOST-RESOURCES printer data (hrDeviceType printer) but no
# Printer-MIB: identity.c calls it a printer for its hrDeviceType, and
# for its sysObjectID under the match oid below.  Its counters are
# Zebra's odometers.
#
# Sources: ZEBRA-QL-MIB and ESI-MIB as LibreNMS ships them
# (mibs/zebra/, with resources/definitions/os_discovery/zebra.yaml), the
# GLPI agent's Zebra MibSupport module (zbrGeneralInfo 1.3.6.1.4.1.10642.1:
# .1 model, .2 firmware, .9 unique id), a PRTG sensor script reading the
# odometer group 1.3.6.1.4.1.10642.3.1 (.7 "Labels printed") and a
# Node.js collector reading the same .3.1.7.0 as the label counter; CUPS
# and PAPPL read the device id at 1.3.6.1.4.1.10642.1.3.0.

vendor "Zebra"

match enterprise 10642				# [sources]
match oid 1.3.6.1.4.1.10642.1			# [sources] sysObjectID .1.1
match descr "Zebra"				# [sources] "ZebraNet ..."
match descr "ZTC "				# [sources] "ZTC ZT410-203dpi ZPL"

# zbrGeneralModel "ZTC GX430t-203dpi ZPL", zbrGeneralFirmwareVersion,
# zbrGeneralUniqueId; zql-device-product-name of the mobile printers.
model 1.3.6.1.4.1.10642.1.1.0			# [sources]
model 1.3.6.1.4.1.10642.200.19.7.0		# [sources]
firmware 1.3.6.1.4.1.10642.1.2.0		# [sources]
serial 1.3.6.1.4.1.10642.1.9.0			# [sources]
serial 1.3.6.1.4.1.10642.200.19.5.0		# [single]
device-id 1.3.6.1.4.1.10642.1.3.0		# [single]

# The model strings are "ZTC " (Zebra Technologies Corporation), the
# model, "-" the resolution, and the printer language: "ZTC ZT410-203dpi
# ZPL" is a ZT410.  sysDescr is the same string, or names the print
# server ("ZebraNet ... PrintServer"), which is no model.
descr-model unless "PrintServer" unless "ZebraNet" cut ";" cut ","
model-edit drop-prefix "ZTC "			# [sources]
model-edit cut "-#dpi"				# [sources]
model-edit drop-suffix " ZPL"
model-edit drop-prefix "Zebra Technologies "

# The odometer: labels printed since the printer was made.  (The print
# length odometers, 10642.3.1.8.0 and ZEBRA-QL-MIB's
# zql-odometer-total-print-length 10642.200.17.3.0, are left out: one
# source each for their unit, and the QL-MIB gives text, not a counter.)
meter total 1.3.6.1.4.1.10642.3.1.7.0 unit items	# [sources] labels printed

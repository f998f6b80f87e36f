# Lexmark (and the Lexmark engines that Dell sells; those answer with
# Dell's enterprise, see dell.profile).
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# The only Lexmark walk (lexmarkprinter) is a stub: sysDescr and
# sysObjectID.  The OIDs below are from LEXMARK-PVT-MIB (prtgen...,
# 1.3.6.1.4.1.641.2.1) and LEXMARK-MPS-MIB (1.3.6.1.4.1.641.6); public
# sources disagree on some of them, as noted.

vendor "Lexmark"

match enterprise 641				# [walk]
match oid 1.3.6.1.4.1.641.1			# [walk] printers
match descr "Lexmark"				# [walk]

serial 1.3.6.1.4.1.641.2.1.2.1.6.1	# [sources] prtgenSerialNo; one source reads it otherwise
serial 1.3.6.1.4.1.641.6.2.3.1.5.1	# [single]
model 1.3.6.1.4.1.641.2.1.2.1.2.1	# [sources] prtgenPrinterName
model 1.3.6.1.4.1.641.6.2.3.1.4.1	# [single]
firmware 1.3.6.1.4.1.641.2.1.2.1.4.1	# [single] prtgenCodeRevision

# prtgenIDString: the IEEE 1284 device id (CUPS and PAPPL read it)
device-id 1.3.6.1.4.1.641.2.1.2.1.3.1		# [sources]

# sysDescr "Lexmark T640 version NS.NP.N219 kernel 2.6.6 All-N-1" (walk)
descr-model before " version "			# [walk]
descr-model unless " version " cut ";" cut ","
# hrDeviceDescr adds the machine type and model number and the firmware:
# "Lexmark CX725 7528-635 CXTPC.052.025".
model-edit cut " #-#"

# Most sources read 5.1 as the total, 5.2 black, 5.3 colour; one reads
# 5.1 as colour.
meter total 1.3.6.1.4.1.641.2.1.5.1.0 unit impressions	# [sources]
meter black 1.3.6.1.4.1.641.2.1.5.2.0 unit impressions	# [sources]
meter color 1.3.6.1.4.1.641.2.1.5.3.0 unit impressions	# [sources]

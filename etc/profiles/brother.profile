# Brother HL, DCP and MFC.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# No meter lines: Brother's counters (brInfoCounter,
# 1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.10.0) are one packed binary record of
# (code, length, value) entries, which a meter line cannot read; the
# total comes from the Printer-MIB's prtMarkerLifeCount.

vendor "Brother"

match enterprise 2435				# [walk]
match oid 1.3.6.1.4.1.2435.2.3.9		# [walk] printers (NC print servers)
match descr "Brother"				# [walk]

serial 1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0	# [walk] [sources] brInfoSerialNumber
firmware 1.3.6.1.4.1.2435.2.4.3.1240.6.5.0	# [walk] "Firmware Ver.1.01 (08.12.12)"
firmware 1.3.6.1.4.1.2435.2.4.3.1240.1.4.0	# [single] brpsMainRevision

# The IEEE 1284 device id, "MFG:Brother;CMD:...;MDL:HL-5370DW series;".
device-id 1.3.6.1.4.1.2435.2.3.9.1.1.7.0	# [walk]

# sysDescr names the network card, "Brother NC-6800h, Firmware Ver.1.01
# ...": no model there.  Without "NC-", the part before the first comma.
descr-model unless "NC-" cut ","		# [walk]

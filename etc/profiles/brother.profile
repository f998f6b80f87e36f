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
match descr "Brother"				# [walk]

serial 1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0	# [walk] [sources] brInfoSerialNumber
firmware 1.3.6.1.4.1.2435.2.4.3.1240.6.5.0	# [walk] "Firmware Ver.1.01 (08.12.12)"
firmware 1.3.6.1.4.1.2435.2.4.3.1240.1.4.0	# [single] brpsMainRevision

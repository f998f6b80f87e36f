# Canon imageRUNNER, imagePRESS, i-SENSYS and imagePROGRAF.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).

vendor "Canon"

match enterprise 1602				# [walk]
match oid 1.3.6.1.4.1.1602.4			# [walk] printers and copiers
match descr "Canon"				# [walk]

# canPdInfoProductName, canPdInfoProductVersion (walk canonprinter_tm:
# "TM-5300" and "01.21"), canServInfoSerialNumberDeviceNumber.
model 1.3.6.1.4.1.1602.1.1.1.1.0		# [walk] [sources]
firmware 1.3.6.1.4.1.1602.1.1.1.4.0		# [walk] [sources]
serial 1.3.6.1.4.1.1602.1.2.1.8.1.3.1.1		# [single]

# sysDescr "Canon iR-ADV C5235 /P", "Canon TM-5300 /P": the model, then
# " /P" (or another letter).
descr-model cut " /" cut ";"			# [walk]
model-edit drop-suffix " /P"

# Canon's billing counters: column 4 of 1.3.6.1.4.1.1602.1.11.1.3.1,
# indexed by Canon's counter number (101 "Total 1", 112/113 black on
# large/small paper, 122/123 full and single colour on large/small
# paper, 301 print total, 501 scan total).  Which counters a device
# keeps is set per model; those it lacks are simply not reported.
meter total 1.3.6.1.4.1.1602.1.11.1.3.1.4.101 unit impressions	# [sources]
meter black-large 1.3.6.1.4.1.1602.1.11.1.3.1.4.112 unit impressions	# [sources]
meter black-small 1.3.6.1.4.1.1602.1.11.1.3.1.4.113 unit impressions	# [sources]
meter color-large 1.3.6.1.4.1.1602.1.11.1.3.1.4.122 unit impressions	# [sources]
meter color-small 1.3.6.1.4.1.1602.1.11.1.3.1.4.123 unit impressions	# [sources]
meter prints 1.3.6.1.4.1.1602.1.11.1.3.1.4.301 unit impressions	# [single]
meter scans 1.3.6.1.4.1.1602.1.11.1.3.1.4.501 unit pages	# [single]

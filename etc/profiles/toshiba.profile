# Toshiba TEC: e-STUDIO multifunction printers and B-series label
# printers.
#
# [walk] seen in a walk under shared/walks, [single] one public source
# only (see README).

vendor "Toshiba"

match enterprise 1129				# [walk]
match oid 1.3.6.1.4.1.1129.2.3			# [walk] e-STUDIO
match oid 1.3.6.1.4.1.1129.1.2			# [walk] TEC label printers
match descr "TOSHIBA"				# [walk]

# the label printers' bcpGeneral group (1.3.6.1.4.1.1129.1.2.1.1.1)
serial 1.3.6.1.4.1.1129.1.2.1.1.1.1.1.0	# [single] bcpProductNumber
model 1.3.6.1.4.1.1129.1.2.1.1.1.2.1.0		# [single] bcpDeviceModel
firmware 1.3.6.1.4.1.1129.1.2.1.1.1.1.2.0	# [single] bcpProductVersion

# sysDescr "TOSHIBA e-STUDIO2505AC", "TOSHIBA TEC B-SX5T" (walks)
descr-model cut ";"				# [walk]
model-edit drop-prefix "TOSHIBA TEC "		# [walk]
model-edit drop-prefix "TEC "

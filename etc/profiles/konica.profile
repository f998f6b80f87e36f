# Konica Minolta bizhub, and the same machines sold as Develop ineo.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# Develop devices answer under Konica Minolta's enterprise (18334) with a
# sysDescr of "Develop ineo ..." (walk developprinter): the brand line
# reports them as Develop.

vendor "Konica Minolta"

match enterprise 18334				# [walk]
match oid 1.3.6.1.4.1.18334.1.1.1.2		# [walk] bizhub
match oid 1.3.6.1.4.1.18334.1.2.1.2		# [walk] Develop ineo
match descr "KONICA MINOLTA"			# [walk]
brand "Develop" descr "Develop"			# [walk]

model 1.3.6.1.4.1.18334.1.1.1.1.6.2.1.0		# [walk] [sources]
serial 1.3.6.1.4.1.18334.1.1.1.1.3.2.2.0	# [single]

# sysDescr is "KONICA MINOLTA bizhub C250i" or "Develop ineo  280"
# (walks): the vendor or brand, then the model.  hrDeviceDescr may hold
# the name of the printer driver instead, "Generic 28C-1" (walk konica).
descr-model cut ";"				# [walk]
not-model "Generic "				# [walk]

# The counter subtree 1.3.6.1.4.1.18334.1.1.1.5.7.2.  The walk of a bizhub
# C250i (konica_c250i) holds 1.3.0, 1.5.0 and the copy/print table
# 2.2.1.5.<colour>.<function>, colour 1 black, 2 full colour, 4 two
# colours, function 1 copy, 2 print; its four black and colour cells add
# up to prtMarkerLifeCount within a few pages.
meter total 1.3.6.1.4.1.18334.1.1.1.5.7.2.1.1.0 unit impressions	# [sources]
meter duplex 1.3.6.1.4.1.18334.1.1.1.5.7.2.1.3.0 unit other	# [walk] [sources]
meter scans 1.3.6.1.4.1.18334.1.1.1.5.7.2.1.5.0 unit pages	# [walk] [sources]
meter copies-black 1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.1.1 unit impressions	# [walk] [sources]
meter prints-black 1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.1.2 unit impressions	# [walk] [sources]
meter copies-color 1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.2.1 unit impressions	# [walk] [sources]
meter prints-color 1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.2.2 unit impressions	# [walk] [sources]
meter copies-two-color 1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.4.1 unit impressions	# [sources]
meter prints-two-color 1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.4.2 unit impressions	# [sources]

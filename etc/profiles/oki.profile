# OKI (Oki Data) printers and MFPs.
#
# [walk] seen in a walk under shared/walks, [single] one public source
# only (see README).  A bare "OKI" would be found inside other words, so
# the descr lines are longer.

vendor "OKI"

match enterprise 2001				# [walk]
match descr "OkiLAN"				# [walk]
match descr "Oki Data"				# [walk]
match descr "OKI Electric"

model 1.3.6.1.4.1.2001.1.1.1.1.11.1.10.25.0	# [single]
serial 1.3.6.1.4.1.2001.1.1.1.1.11.1.10.45.0	# [single]

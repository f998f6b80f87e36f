# OKI (Oki Data) printers and MFPs.
#
# [walk] seen in a walk under shared/walks, [single] one public source
# only (see README).  A bare "OKI" would be found inside other words, so
# the descr lines are longer.

vendor "OKI"

match enterprise 2001				# [walk]
match oid 1.3.6.1.4.1.2001.1.1.1		# [walk] printers
match descr "OkiLAN"				# [walk]
match descr "Oki Data"				# [walk]
match descr "OKI Electric"

model 1.3.6.1.4.1.2001.1.1.1.1.11.1.10.25.0	# [single]
serial 1.3.6.1.4.1.2001.1.1.1.1.11.1.10.45.0	# [single]

# An OkiLAN print server names the printer it is attached to: "OKI OkiLAN
# 8500e Rev.01.23 10/100BASE Ethernet PrintServer: Attached to MC342
# Rev.02.70 : Copyright (c)2011 Oki Data Corporation." (walk okilan).
# The print server itself is never the model.
descr-model after "Attached to " cut " Rev." cut " :" cut ","	# [walk]
descr-model unless "OkiLAN" unless "PrintServer" drop-prefix "OKI " \
    cut ";" cut " Rev." cut ","

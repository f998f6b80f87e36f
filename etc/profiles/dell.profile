# Dell laser printers and MFPs.  Dell sold engines of several makers
# (Lexmark, Fuji Xerox, Samsung) under its own enterprise (674), so no
# counter OID holds for all of them.
#
# [walk] seen in a walk under shared/walks (see README).

vendor "Dell"

match enterprise 674				# [walk]
match oid 1.3.6.1.4.1.674.10898		# [walk] printers (not servers)
match descr "Dell"				# [walk]

# walk dell-laser_s5830dn: "NH62.YS.N636", the version in its sysDescr
firmware 1.3.6.1.4.1.674.10898.100.1.1.1.0	# [walk]

# "COMMAND SET:;MODEL:Dell S5830dn" (walk dell-laser_s5830dn)
device-id 1.3.6.1.4.1.674.10898.100.2.1.2.1.3.1	# [walk]

# sysDescr of the Lexmark engines: "Dell S5830dn version NH62.YS.N636
# kernel 3.0.0 All-N-1"; of the Fuji Xerox engines: "Dell MFP Laser
# 3115cn; Net 9.26, Controller ..., Engine ..." (walks).
descr-model before " version "			# [walk]
descr-model before ";"				# [walk]
descr-model unless " version " cut ","

# Dell laser printers and MFPs.  Dell sold engines of several makers
# (Lexmark, Fuji Xerox, Samsung) under its own enterprise (674), so no
# counter OID holds for all of them.
#
# [walk] seen in a walk under shared/walks (see README).

vendor "Dell"

match enterprise 674				# [walk]
match descr "Dell"				# [walk]

# walk dell-laser_s5830dn: "NH62.YS.N636", the version in its sysDescr
firmware 1.3.6.1.4.1.674.10898.100.1.1.1.0	# [walk]

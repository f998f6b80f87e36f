# Fujifilm Apeos and ApeosPort, and the older Fuji Xerox DocuPrint,
# DocuCentre and ApeosPort, all under enterprise 297.
#
# [walk] seen in a walk under shared/walks (see README).
#
# A Fuji Xerox sysDescr also contains "XEROX": the brand line makes it a
# descr match here too, and with the enterprise this profile outscores
# xerox.profile (walk xerox_docuprint).  No vendor OID is confirmed for
# these devices: identity and the total come from the standard MIBs.

vendor "Fujifilm"

match enterprise 297				# [walk]
match oid 1.3.6.1.4.1.297.1.11.93		# [walk] printers
match descr "FUJIFILM"				# [walk]
brand "Fuji Xerox" descr "FUJI XEROX"		# [walk]

# sysDescr "FUJIFILM Apeos C7580", "FUJI XEROX DocuPrint CM305 df; Net
# 16.41,ESS 201210101131,IOT 03.00.05" (walks).
descr-model cut ";"				# [walk]

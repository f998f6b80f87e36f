# HP LaserJet, Color LaserJet, OfficeJet Pro and PageWide printers, and
# the JetDirect cards in front of them.
#
# Where each OID comes from (see README):
#	[walk]		seen in a walk of a real device under shared/walks
#	[sources]	named alike by more than one public source
#	[single]	one public source only: unconfirmed
#
# The two HP walks (jetdirect_m252dw, jetdirect_m880) show the
# sysObjectID and sysDescr matched below, but they are partial and hold
# none of the vendor OIDs: those come from the HP LaserJet/JetDirect MIB
# (netPML "device" subtree 1.3.6.1.4.1.11.2.3.9.4.2.1) as published by
# MIB browsers and used by several monitoring projects.

vendor "HP"

match enterprise 11
match oid 1.3.6.1.4.1.11.2.3.9		# net-peripheral: JetDirect [walk]
match descr "JETDIRECT"
match descr "HP ETHERNET"		# [walk]
match descr "Hewlett-Packard"
match descr "HP LaserJet"

# system.id: serial-number, model-name, fw-rom
serial 1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0	# [sources]
model 1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.2.0	# [single]
firmware 1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.6.0	# [single]

# The IEEE 1284 device id of the printer behind the JetDirect (walks
# jetdirect_m252dw, jetdirect_m880: "MFG:Hewlett-Packard;...;MDL:HP Color
# LaserJet Pro M252dw;...").
device-id 1.3.6.1.4.1.11.2.3.9.1.1.7.0		# [walk] [sources]

# A JetDirect's sysDescr names the card, "HP ETHERNET MULTI-ENVIRONMENT,
# ROM none,JETDIRECT,JD149,..."; newer ones add the printer: ",SN:...,
# PID:HP Color LaserJet Pro M252dw" (walk jetdirect_m252dw).  Printers
# without a JetDirect name themselves ("HP LaserJet 4250").
descr-model after "PID:" cut ","		# [walk]
descr-model unless "ETHERNET" unless "JETDIRECT" unless "PrintServer" \
    cut "," cut ";"
descr-serial after ",SN:" cut ","		# [walk]
model-edit drop-prefix "Hewlett-Packard "

# status-prt-eng.  The page counts add two for a duplexed sheet;
# duplex-page-count counts the sheets that went through the duplexer.
meter total 1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0 unit impressions  # [sources]
meter black 1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.6.0 unit impressions  # [sources]
meter color 1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.7.0 unit impressions  # [sources]
meter duplex 1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.22.0 unit sheets     # [sources]

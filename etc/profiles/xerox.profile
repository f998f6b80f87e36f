# Xerox AltaLink, VersaLink, WorkCentre and Phaser.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# The Xerox walks (xerox, xerox_phaser) confirm the sysObjectIDs under
# 1.3.6.1.4.1.253 and the sysDescr; they hold no counters.  The counters
# are xcmHrDevDetailValueInteger of XEROX-HOST-RESOURCES-EXT-MIB
# (1.3.6.1.4.1.253.8.53.13.2.1.6), indexed by hrDeviceIndex (1, the
# printer), the detail type 20 (counters) and the counter number.
# Copy counters live under the copier's hrDeviceIndex, which differs
# between models (11, 103...): they are left out.
#
# Fuji Xerox and Fujifilm devices have their own enterprise (297) and
# profile (fujifilm.profile); "match descr" there scores higher because
# their enterprise matches too.

vendor "Xerox"

match enterprise 253				# [walk]
match oid 1.3.6.1.4.1.253.8.62.1		# [walk] printers
match descr "Xerox"				# [walk]

# The IEEE 1284 device id, "MFG:Xerox; CMD:...; MDL:AltaLink C8045; ..."
# (walk xerox).
device-id 1.3.6.1.4.1.253.8.51.1.2.1.20.1	# [walk]

# sysDescr "Xerox AltaLink C8045; SS 100.002.057.09608, ...", "Xerox
# Phaser 4600; System 35.004.32.000, ..." (walks); a WorkCentre says
# "Xerox WorkCentre 7855 v1 Multifunction System; System Software ...".
descr-model before ";" cut " v#" cut " Multifunction"	# [walk]
descr-model cut "," cut " v#" cut " #.#"

meter total 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1 unit impressions   # [sources] Total Impressions
meter color 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.33 unit impressions  # [sources] Color Impressions
meter black 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.34 unit impressions  # [sources] Black Impressions
meter large-color 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.43 unit impressions  # [sources]
meter large-black 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.44 unit impressions  # [sources]
meter large 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.47 unit impressions  # [single] Large Impressions

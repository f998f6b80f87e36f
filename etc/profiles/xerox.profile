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
match descr "Xerox"				# [walk]

meter total 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1 unit impressions   # [sources] Total Impressions
meter color 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.33 unit impressions  # [sources] Color Impressions
meter black 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.34 unit impressions  # [sources] Black Impressions
meter large-color 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.43 unit impressions  # [sources]
meter large-black 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.44 unit impressions  # [sources]
meter large 1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.47 unit impressions  # [single] Large Impressions

# Epson WorkForce, WorkForce Pro and AM series.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# The Epson walk (epson, a WF-C5790) holds no vendor OIDs; its
# sysObjectID is under 1.3.6.1.4.1.1248 and its sysDescr "EPSON Built-in".
# The counters were checked against the web pages of two Epson models by
# one public source.

vendor "Epson"

match enterprise 1248				# [walk]
match oid 1.3.6.1.4.1.1248.1.1			# [walk] printers (not projectors)
match descr "EPSON"				# [walk]

model 1.3.6.1.4.1.1248.1.2.2.1.1.1.2.1		# [single]
serial 1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1		# [single]

# sysDescr "EPSON Built-in" names the network interface; a sysDescr that
# begins with the product ("EPSON WF-C5790 Series") gives it.  A model
# has a digit, so "Built-in" never becomes one.
descr-model unless "Built-in" cut ";" cut ","

meter total 1.3.6.1.4.1.1248.1.2.2.27.1.1.30.1.1 unit impressions	# [single]
meter black 1.3.6.1.4.1.1248.1.2.2.27.1.1.3.1.1 unit impressions	# [single]
meter color 1.3.6.1.4.1.1248.1.2.2.27.1.1.4.1.1 unit impressions	# [single]
meter prints 1.3.6.1.4.1.1248.1.2.2.27.6.1.4.1.1.1 unit impressions	# [single]
meter copies 1.3.6.1.4.1.1248.1.2.2.27.6.1.4.1.1.2 unit impressions	# [single]
meter prints-color 1.3.6.1.4.1.1248.1.2.2.27.6.1.5.1.1.1 unit impressions	# [single]
meter copies-color 1.3.6.1.4.1.1248.1.2.2.27.6.1.5.1.1.2 unit impressions	# [single]

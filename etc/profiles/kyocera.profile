# Kyocera ECOSYS and TASKalfa, and the same machines sold as
# Triumph-Adler, UTAX and Copystar.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).

vendor "Kyocera"

match enterprise 1347				# [walk]
match oid 1.3.6.1.4.1.1347.41			# [walk] printing systems
match descr "KYOCERA"				# [walk]
brand "Triumph-Adler" descr "Triumph-Adler"
brand "UTAX" descr "UTAX"
brand "Copystar" descr "Copystar"

serial 1.3.6.1.4.1.1347.43.5.1.1.28.1		# [walk]
model 1.3.6.1.4.1.1347.43.5.1.1.1.1		# [walk]
firmware 1.3.6.1.4.1.1347.43.5.4.1.5.1.1	# [walk] system firmware id

# sysDescr is "KYOCERA Document Solutions Printing System" (walk): no
# model.  The rule is for those that begin with one ("KYOCERA ECOSYS
# P3055dn"); a text without a digit is never a model.
descr-model unless "Printing System" cut ";" cut ","

# The total of printed pages, as the device's web pages show it.
meter total 1.3.6.1.4.1.1347.43.10.1.1.12.1.1 unit impressions	# [sources]
# Function totals (1 printer, 2 copier, 4 fax), then the same split by
# colour (1 black & white, 3 full colour).
meter prints 1.3.6.1.4.1.1347.42.3.1.1.1.1 unit impressions	# [single]
meter copies 1.3.6.1.4.1.1347.42.3.1.1.1.2 unit impressions	# [single]
meter fax 1.3.6.1.4.1.1347.42.3.1.1.1.4 unit impressions	# [single]
meter prints-black 1.3.6.1.4.1.1347.42.3.1.2.1.1.1.1 unit impressions	# [single]
meter prints-color 1.3.6.1.4.1.1347.42.3.1.2.1.1.1.3 unit impressions	# [single]
meter copies-black 1.3.6.1.4.1.1347.42.3.1.2.1.1.2.1 unit impressions	# [single]
meter copies-color 1.3.6.1.4.1.1347.42.3.1.2.1.1.2.3 unit impressions	# [single]
meter fax-black 1.3.6.1.4.1.1347.42.3.1.2.1.1.4.1 unit impressions	# [single]

# Sharp MX and AR multifunction printers.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# Sharp keeps its counters in a table of value/name pairs: the values at
# 1.3.6.1.4.1.2385.1.1.19.2.1.3.<index> and the names at ...4.<index>,
# the index naming the function and colour (walk sharp, an MX-3570N).
# Sharp has no grand total in that table: prtMarkerLifeCount is the sum
# of "Black & White Total Count" and "Full Color Total Count" in the walk.
# Rows not mapped below are still reported, named "x-" and a slug of the
# row's name.  The table mixes printed pages and scans; all are reported
# in impressions.

vendor "Sharp"

match enterprise 2385				# [walk]
match oid 1.3.6.1.4.1.2385.3.1			# [walk] printers and copiers
match descr "SHARP"				# [walk]

# sysDescr "SHARP MX-3570N" (walk)
descr-model cut ";"				# [walk]

meter-table 1.3.6.1.4.1.2385.1.1.19.2.1.3 \
    names 1.3.6.1.4.1.2385.1.1.19.2.1.4 unit impressions {	# [walk]
	"Black & White Total Count"			black
	"Full Color Total Count"			color
	"Two Color Total Count"				two-color
	"Single Color Total Count"			single-color
	"Black & White Other Count"			other-black
	"Full Color Other Count"			other-color
	"Prints"					prints
	"Black & White Print Count"			prints-black
	"Full Color Print Count"			prints-color
	"Duplex"					duplex
	"Copies"					copies
	"Black & White Copy Count"			copies-black
	"Full Color Copy Count"				copies-color
	"Two Color Copy Count"				copies-two-color
	"Single Color Copy Count"			copies-single-color
	"Document Feeder"				document-feeder
	"Scan to E-mail/FTP"				scans-send
	"Black & White Scanner Count"			scans-send-black
	"Full Color Scanner Count"			scans-send-color
	"Scan to HDD"					scans-hdd
	"Black & White Scan to HDD Count"		scans-hdd-black
	"Full Color Scan to HDD Count"			scans-hdd-color
	"Two Color Scan to HDD Count"			scans-hdd-two-color
	"Prints (Document Filing)"			filing-prints
	"Black & White Document Filing Print Count"	filing-prints-black
	"Full Color Document Filing Print Count"	filing-prints-color
	"Two Color Document Filing Print Count"		filing-prints-two-color
	"Single Color Document Filing Count"		filing-prints-single-color
}

# Ricoh, and the brands Ricoh sells the same machines under: Gestetner,
# Savin, Lanier, NRG, Nashuatec, Rex-Rotary, infotec.
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# Every brand answers with Ricoh's sysObjectID 1.3.6.1.4.1.367.1.1 and
# its own name in sysDescr (walks gestetner, savin_c4503, ricoh...).

vendor "Ricoh"

match enterprise 367				# [walk]
match oid 1.3.6.1.4.1.367.1.1			# [walk]
match descr "RICOH"				# [walk]
brand "Gestetner" descr "Gestetner"		# [walk]
brand "Savin" descr "SAVIN"			# [walk]
brand "Lanier" descr "LANIER"
brand "NRG" descr "NRG "
brand "Nashuatec" descr "NASHUATEC"
brand "Rex-Rotary" descr "REX-ROTARY"
brand "infotec" descr "infotec"

# ricohEngSerialNumber, ricohSysName, ricohSysVers
serial 1.3.6.1.4.1.367.3.2.1.2.1.4.0		# [walk] [sources]
model 1.3.6.1.4.1.367.3.2.1.1.1.1.0		# [walk] [sources]
firmware 1.3.6.1.4.1.367.3.2.1.1.1.2.0		# [walk]

# sysDescr "RICOH MP 3053 1.09 / RICOH Network Printer C model / ...",
# "Gestetner MPC2500/DSc525 1.71 / ...": brand, model, the version, then
# " / " and the network parts (walks ricoh, gestetner, savin_c4503,
# ricoh_mpc3002).
descr-model before " / " cut " #.#"		# [walk]

# ricohEngCounterTable: names in column 5, values in column 9, one row
# per counter.  (The scalar ricohEngCounterTotal, ...19.1.0, holds the
# same total as "Counter: Machine Total"; it is not read twice.)  A public
# listing shows some models giving "Counter: Machine Total" on two rows
# (1 and 12): both are reported as total.
meter-table 1.3.6.1.4.1.367.3.2.1.2.19.5.1.9 \
    names 1.3.6.1.4.1.367.3.2.1.2.19.5.1.5 unit impressions {	# [sources]
	"Counter: Machine Total"		total
	"Counter:Copy:Total"			copies
	"Counter:Copy:Black & White"		copies-black
	"Counter:Copy:Single/Two-color"		copies-two-color
	"Counter:Copy:Full Color"		copies-color
	"Counter:FAX:Total"			fax
	"Counter:FAX:Black & White"		fax-black
	"Counter:Print:Total"			prints
	"Counter:Print:Black & White"		prints-black
	"Counter:Print:Single/Two-col."		prints-two-color
	"Counter:Print:Full Color"		prints-color
}

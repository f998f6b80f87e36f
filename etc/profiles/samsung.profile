# Samsung printers and MFPs (now sold by HP under Samsung's enterprise).
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# Some Samsung agents answer without a sysObjectID (walk
# samsungprinter_clx): "match descr" finds them.

vendor "Samsung"

match enterprise 236				# [walk]
match descr "Samsung"				# [walk]

model 1.3.6.1.4.1.236.11.5.1.1.1.1.0		# [sources]
firmware 1.3.6.1.4.1.236.11.5.1.1.1.2.0		# [sources]
serial 1.3.6.1.4.1.236.11.5.1.1.1.4.0		# [sources]

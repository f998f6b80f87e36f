# Samsung printers and MFPs (now sold by HP under Samsung's enterprise).
#
# [walk] seen in a walk under shared/walks, [sources] named alike by more
# than one public source, [single] one public source only (see README).
#
# Some Samsung agents answer without a sysObjectID (walk
# samsungprinter_clx): "match descr" finds them.

vendor "Samsung"

match enterprise 236				# [walk]
match oid 1.3.6.1.4.1.236.11.5			# [walk] printers
match descr "Samsung"				# [walk]

model 1.3.6.1.4.1.236.11.5.1.1.1.1.0		# [sources]
firmware 1.3.6.1.4.1.236.11.5.1.1.1.2.0		# [sources]
serial 1.3.6.1.4.1.236.11.5.1.1.1.4.0		# [sources]

# sysDescr "Samsung CLX-3170 Series;V1.00.01.64 Sep-27-2010;Engine
# 1.77.81;NIC V4.01.20(CLX-3170) 02-05-2010;S/N AAAAAAA000AAAA000",
# "Samsung M4080FX; V11.01.03.04_02-27-2017;...;S/N " (walks).
# hrDeviceDescr may name the family ("Samsung M408x Series"): the
# sysDescr's model then wins, being one of it.
descr-model cut ";"				# [walk]
descr-serial after ";S/N " cut ";"		# [walk]

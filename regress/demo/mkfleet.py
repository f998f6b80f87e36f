#!/usr/bin/python3
"""mkfleet.py: writes the demo fleet, regress/demo/fleet/*.snmprec.

	python3 regress/demo/mkfleet.py [DIR]	(default: fleet/ beside this file)

Twenty invented printers of twelve makers (and two brands, Develop and
Savin), for "make demo" (served by regress/tools/snmpfleet).  Every value
is made up: serial numbers, meter readings, names, places.  Each walk has
what callhome reads:

  * system group: sysDescr and a sysObjectID under the maker's enterprise
    number, as etc/profiles/*.profile match them; sysContact, sysName and
    sysLocation too, which callhome does not ask for while "send pii" is
    off;
  * hrDeviceTable (the printer, and on the larger machines a processor
    and a network interface) and hrPrinterTable: hrPrinterStatus and
    hrPrinterDetectedErrorState;
  * prtGeneralSerialNumber (left out where the vendor profile's serial
    OID must be used), prtMarkerLifeCount with its unit;
  * prtMarkerSuppliesTable: toner, ink, drums, fusers, waste toner and
    ink receptacles (class 4), some low (5 %), empty, unknown (-2) or
    "some remaining" (-3); prtMarkerColorantValue;
  * prtAlertTable on some: toner low and empty, paper jam, cover open,
    tray empty, output tray full, maintenance due;
  * the billing meters and identity OIDs that the maker's profile names,
    so that vendor meters are reported (meter tables for Sharp and Ricoh,
    with one row that no map names: reported as "x-...").

Records are written sorted by OID, as snmpsim and snmpfleet require.  The
committed data are the .snmprec files; this program is how they were made.
"""

import os
import sys

# ---- OIDs
SYS = "1.3.6.1.2.1.1"
HRDEV = "1.3.6.1.2.1.25.3.2.1"
HRPRT = "1.3.6.1.2.1.25.3.5.1"
GEN = "1.3.6.1.2.1.43.5.1.1"
MARKER = "1.3.6.1.2.1.43.10.2.1"
SUPPLY = "1.3.6.1.2.1.43.11.1.1"
COLORANT = "1.3.6.1.2.1.43.12.1.1"
ALERT = "1.3.6.1.2.1.43.18.1.1"
HRTYPE = {"printer": "1.3.6.1.2.1.25.3.1.5", "cpu": "1.3.6.1.2.1.25.3.1.3",
    "net": "1.3.6.1.2.1.25.3.1.4"}

# ---- enumerations (Printer-MIB, RFC 3805; Host Resources, RFC 2790)
DEVSTATUS = {"running": 2, "warning": 3, "down": 5}
PRTSTATUS = {"other": 1, "idle": 3, "printing": 4, "warmup": 5}
ERRBITS = {"lowPaper": 0, "noPaper": 1, "lowToner": 2, "noToner": 3,
    "doorOpen": 4, "jammed": 5, "offline": 6, "serviceRequested": 7,
    "inputTrayMissing": 8, "outputTrayMissing": 9,
    "markerSupplyMissing": 10, "outputNearFull": 11, "outputFull": 12,
    "inputTrayEmpty": 13, "overduePreventMaint": 14}
CLASS = {"consumed": 3, "receptacle": 4}
STYPE = {"toner": 3, "wasteToner": 4, "ink": 5, "inkCartridge": 6,
    "wasteInk": 8, "opc": 9, "developer": 10, "fuser": 15,
    "cleanerUnit": 18, "transferUnit": 20, "tonerCartridge": 21,
    "staples": 32}
SUNIT = {"impressions": 7, "sheets": 8, "hours": 11, "items": 18,
    "percent": 19}
MUNIT = {"impressions": 7, "sheets": 8}
MARKTECH = {"laser": 3, "led": 4, "inkjet": 10}
SEVERITY = {"critical": 3, "warning": 4}
AGROUP = {"generalPrinter": 5, "cover": 6, "input": 8, "output": 9,
    "marker": 10, "markerSupplies": 11, "mediaPath": 13}
ACODE = {"coverOpen": 3, "jam": 8, "subunitLifeAlmostOver": 10,
    "inputMediaSupplyLow": 807, "inputMediaSupplyEmpty": 808,
    "outputMediaTrayFull": 903, "markerTonerEmpty": 1101,
    "markerTonerAlmostEmpty": 1104, "markerInkAlmostEmpty": 1105,
    "markerWasteTonerReceptacleAlmostFull": 1107}
TRAINING = {"untrained": 3, "trained": 4, "fieldService": 5}

CMYK = ("black", "cyan", "magenta", "yellow")
C, M, Y, K = "cyan", "magenta", "yellow", "black"

# ---- the vendors' own OIDs, as etc/profiles names them
HP = "1.3.6.1.4.1.11.2.3.9.4.2.1"
XRX = "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20"
KM = "1.3.6.1.4.1.18334.1.1.1"
SHARP = "1.3.6.1.4.1.2385.1.1.19.2.1"
RICOH = "1.3.6.1.4.1.367.3.2.1"
KYO = "1.3.6.1.4.1.1347"
CANON = "1.3.6.1.4.1.1602"
BRO = "1.3.6.1.4.1.2435"
LEX = "1.3.6.1.4.1.641"
EPSON = "1.3.6.1.4.1.1248.1.2.2"
OKI = "1.3.6.1.4.1.2001.1.1.1.1.11.1.10"
SAMSUNG = "1.3.6.1.4.1.236.11.5.1.1.1"

DAY = 8640000		# TimeTicks in a day


def s(v):
    return (4, v)


def i(v):
    return (2, v)


def c32(v):
    return (65, v)


def hp(model, serial, fw, total, black, duplex):
    v = {HP + ".1.3.2.0": s(model), HP + ".1.3.3.0": s(serial),
        HP + ".1.3.6.0": s(fw), HP + ".4.1.2.5.0": c32(total),
        HP + ".4.1.2.6.0": c32(black), HP + ".4.1.2.22.0": c32(duplex)}
    if total != black:
        v[HP + ".4.1.2.7.0"] = c32(total - black)
    return v


def xerox(black, color=0, large_black=None, large_color=None):
    v = {XRX + ".1": i(black + color), XRX + ".34": i(black)}
    if color:
        v[XRX + ".33"] = i(color)
    if large_black is not None:
        v[XRX + ".44"] = i(large_black)
        v[XRX + ".47"] = i(large_black + (large_color or 0))
    if large_color is not None:
        v[XRX + ".43"] = i(large_color)
    return v


def konica(model, serial, cb, pb, cc, pc, duplex, scans):
    v = {KM + ".1.6.2.1.0": s(model), KM + ".1.3.2.2.0": s(serial),
        KM + ".5.7.2.1.1.0": i(cb + pb + cc + pc),
        KM + ".5.7.2.1.3.0": i(duplex), KM + ".5.7.2.1.5.0": i(scans),
        KM + ".5.7.2.2.1.5.1.1": i(cb), KM + ".5.7.2.2.1.5.1.2": i(pb)}
    if cc or pc:
        v[KM + ".5.7.2.2.1.5.2.1"] = i(cc)
        v[KM + ".5.7.2.2.1.5.2.2"] = i(pc)
    return v


def table(base, valcol, namecol, rows):
    """a vendor counter table: row n's name and value"""
    v = {}
    for n, (name, value) in enumerate(rows, 1):
        v["%s.%d.%d" % (base, valcol, n)] = i(value)
        v["%s.%d.%d" % (base, namecol, n)] = s(name)
    return v


def sharp(rows):
    return table(SHARP, 3, 4, rows)


def ricoh(model, serial, fw, rows):
    v = table(RICOH + ".2.19.5.1", 9, 5, rows)
    v.update({RICOH + ".1.1.1.0": s(model), RICOH + ".1.1.2.0": s(fw),
        RICOH + ".2.1.4.0": s(serial)})
    return v


def kyocera(model, serial, fw, pb, cb, fb, pc=0, cc=0):
    v = {KYO + ".43.5.1.1.1.1": s(model), KYO + ".43.5.1.1.28.1": s(serial),
        KYO + ".43.5.4.1.5.1.1": s(fw),
        KYO + ".43.10.1.1.12.1.1": c32(pb + cb + fb + pc + cc),
        KYO + ".42.3.1.1.1.1": c32(pb + pc),
        KYO + ".42.3.1.1.1.2": c32(cb + cc),
        KYO + ".42.3.1.1.1.4": c32(fb),
        KYO + ".42.3.1.2.1.1.1.1": c32(pb),
        KYO + ".42.3.1.2.1.1.2.1": c32(cb),
        KYO + ".42.3.1.2.1.1.4.1": c32(fb)}
    if pc or cc:
        v[KYO + ".42.3.1.2.1.1.1.3"] = c32(pc)
        v[KYO + ".42.3.1.2.1.1.2.3"] = c32(cc)
    return v


def canon(model, fw, serial, counters):
    v = {CANON + ".1.1.1.1.0": s(model), CANON + ".1.1.1.4.0": s(fw),
        CANON + ".1.2.1.8.1.3.1.1": s(serial)}
    for n, value in counters.items():
        v["%s.1.11.1.3.1.4.%d" % (CANON, n)] = c32(value)
    return v


def supply(descr, cls, typ, unit, mx, level, color=None):
    return (descr, cls, typ, unit, mx, level, color)


def toner4(levels, fmt="%s Toner", typ="toner", mx=100, unit="percent"):
    """black, cyan, magenta, yellow in that order; fmt: a format of the
    capitalised colour or a function of the colour"""
    name = fmt if callable(fmt) else lambda c: fmt % c.capitalize()
    return [supply(name(c), "consumed", typ, unit, mx, lv, c)
        for c, lv in zip(CMYK, levels)]


def alert(sev, group, code, descr, ago, gindex=1, training="untrained"):
    """ago: how long before the walk the alert was raised (ticks)"""
    return (sev, group, code, descr, ago, gindex, training)


def P(**kw):
    p = {"prt": 1, "others": (), "devstatus": "running",
        "prtstatus": "idle", "errors": (), "serial": None,
        "tech": "laser", "unit": "impressions", "supplies": [],
        "alerts": [], "vendor": {}, "contact": "", "sysname": "",
        "location": "", "uptime": 3 * DAY + 4123456, "gen_name": None}
    p.update(kw)
    return p


FLEET = {
"hp-color-laserjet-m555": P(
    profile="hp",
    descr="HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,"
        "EEPROM JSI24510053,CIDATE 04/08/2025",
    oid="1.3.6.1.4.1.11.2.3.9.1", model="HP Color LaserJet Enterprise "
        "M555dn", serial="JPBCS4R1K7", devstatus="warning",
    errors=("lowToner",), contact="it-helpdesk@example.com",
    sysname="NPI4A7E21", location="Building A, 1st floor, reception",
    vendor=hp("HP Color LaserJet M555", "JPBCS4R1K7",
        "2506242_063140", 48213, 30977, 11820),
    lifecount=48213,
    supplies=toner4((62, 5, 48, 71), fmt="%s Cartridge HP W2010A",
        typ="tonerCartridge") + [
        supply("Toner Collection Unit HP 3WT90A", "receptacle",
            "wasteToner", "percent", 100, -3),
        supply("Fuser Kit 110V", "consumed", "fuser", "percent", 100, -2)],
    alerts=[alert("warning", "markerSupplies", "markerTonerAlmostEmpty",
        "Cyan cartridge very low", 2 * DAY, gindex=2)]),
"hp-laserjet-m507": P(
    profile="hp",
    descr="HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,"
        "EEPROM JSI23900087,CIDATE 11/21/2024",
    oid="1.3.6.1.4.1.11.2.3.9.1", model="HP LaserJet Enterprise M507dn",
    serial="PHCBM2D0QZ", prtstatus="printing", uptime=41 * DAY + 90017,
    sysname="NPI8C1F09", location="Building A, 2nd floor, finance",
    vendor=hp("HP LaserJet Enterprise M507", "PHCBM2D0QZ",
        "2506242_063140", 127554, 127554, 40210),
    lifecount=127554,
    supplies=[supply("Black Cartridge HP 89X CF289X", "consumed",
            "tonerCartridge", "percent", 100, 38, K),
        supply("Maintenance Kit", "consumed", "fuser", "percent", 100, -3)]),
"xerox-versalink-c405": P(
    profile="xerox",
    descr="Xerox VersaLink C405 Color MFP; System Software 75.81.35, "
        "ESS 1.1.0",
    oid="1.3.6.1.4.1.253.8.62.1.35.3.3.1", model="Xerox VersaLink C405",
    serial="3390511289", devstatus="down", prtstatus="other",
    errors=("doorOpen",), others=("cpu",),
    sysname="XRX9C934E61A2B0", location="Building B, mail room",
    contact="facilities@example.com",
    vendor=xerox(21470, 9152), lifecount=30622,
    supplies=toner4((55, 33, 41, 87), fmt="%s Toner Cartridge",
        typ="tonerCartridge") + [
        supply("Drum Cartridge", "consumed", "opc", "impressions", 60000,
            41230),
        supply("Waste Cartridge", "receptacle", "wasteToner", "percent",
            100, 35)],
    alerts=[alert("critical", "cover", "coverOpen",
        "Front door is open. Close the front door.", 11000, gindex=1,
        training="trained")]),
"xerox-altalink-b8145": P(
    profile="xerox",
    descr="Xerox AltaLink B8145; SS 121.008.012.25300, NC 121.012.25300, "
        "UI 121.012.25300, ME 120.066.000, CC 121.012.25300",
    oid="1.3.6.1.4.1.253.8.62.1.35.6.1.1", model="Xerox AltaLink B8145",
    serial="YBH201734", prtstatus="printing", others=("cpu", "net"),
    sysname="XRX9C934E7F0C11", location="Building B, 3rd floor",
    vendor=xerox(412388, large_black=38201), lifecount=412388,
    supplies=[supply("Black Toner Cartridge", "consumed", "tonerCartridge",
            "percent", 100, 23, K),
        supply("Drum Cartridge", "consumed", "opc", "impressions", 200000,
            124800),
        supply("Waste Toner Container", "receptacle", "wasteToner",
            "percent", 100, -3),
        supply("Staple Cartridge", "consumed", "staples", "items", 5000,
            -3)]),
"konica-bizhub-c300i": P(
    profile="konica",
    descr="KONICA MINOLTA bizhub C300i",
    oid="1.3.6.1.4.1.18334.1.1.1.2.1.169.1.1",
    model="KONICA MINOLTA bizhub C300i", serial="AA2K021019521",
    uptime=DAY // 3,
    devstatus="down", prtstatus="other", errors=("jammed",),
    others=("cpu", "net"), sysname="KM-C300I-3F",
    location="Building C, 3rd floor, print room",
    vendor=konica("bizhub C300i", "AA2K021019521", 8210, 36032, 5120,
        21877, 19342, 15510),
    lifecount=71239,
    supplies=toner4((18, 64, 52, 30), fmt="Toner (%s)") + [
        supply("Imaging Unit (Black)", "consumed", "opc", "percent", 100,
            77, K),
        supply("Drum Unit (Color)", "consumed", "opc", "percent", 100, 58),
        supply("Waste Toner Box", "receptacle", "wasteToner", "percent",
            100, -3)],
    alerts=[alert("critical", "mediaPath", "jam",
        "Paper jam in the fusing unit. Open the right door.", 4200,
        training="untrained")]),
"develop-ineo-300i": P(
    profile="konica",
    descr="Develop ineo+ 300i",
    oid="1.3.6.1.4.1.18334.1.1.1.2.1.169.1.1",
    model="Develop ineo+ 300i", serial="AA2K021023187",
    others=("cpu", "net"), location="Building C, ground floor",
    vendor=konica("ineo+ 300i", "AA2K021023187", 2210, 14020, 960, 6344,
        7012, 3388),
    lifecount=23534,
    supplies=toner4((81, 12, 66, 74), fmt="Toner (%s)") + [
        supply("Imaging Unit (Black)", "consumed", "opc", "percent", 100,
            91, K),
        supply("Drum Unit (Color)", "consumed", "opc", "percent", 100, 88),
        supply("Waste Toner Box", "receptacle", "wasteToner", "percent",
            100, -3)]),
"sharp-mx-3071": P(
    profile="sharp",
    descr="SHARP MX-3071", oid="1.3.6.1.4.1.2385.3.1.71",
    model="SHARP MX-3071", serial="0502846700", devstatus="warning",
    errors=("lowToner",), others=("cpu", "net"),
    sysname="MX-3071-HR", location="Building A, 3rd floor, HR",
    vendor=sharp([("Black & White Total Count", 58210),
        ("Full Color Total Count", 22917),
        ("Black & White Copy Count", 14001),
        ("Full Color Copy Count", 3320),
        ("Black & White Print Count", 44209),
        ("Full Color Print Count", 19597),
        ("Scan to E-mail/FTP", 8123),
        ("Internet Fax Send Count", 312)]),
    lifecount=81127,
    supplies=toner4((44, 61, 7, 39), fmt="%s Toner Cartridge") + [
        supply("Drum Cartridge", "consumed", "opc", "percent", 100, -2),
        supply("Toner Collection Container", "receptacle", "wasteToner",
            "percent", 100, 55)],
    alerts=[alert("warning", "markerSupplies", "markerTonerAlmostEmpty",
        "Toner Low (M)", 9 * 3600 * 100, gindex=3)]),
"sharp-mx-m3551": P(
    profile="sharp",
    descr="SHARP MX-M3551", oid="1.3.6.1.4.1.2385.3.1.65",
    model="SHARP MX-M3551", serial="1503112800", others=("cpu",),
    location="Warehouse office",
    vendor=sharp([("Black & White Total Count", 203344),
        ("Black & White Copy Count", 52201),
        ("Black & White Print Count", 151143),
        ("Scan to E-mail/FTP", 17090)]),
    lifecount=203344,
    supplies=[supply("Black Toner Cartridge", "consumed", "toner",
            "percent", 100, 66, K),
        supply("Drum Cartridge", "consumed", "opc", "percent", 100, 34),
        supply("Toner Collection Container", "receptacle", "wasteToner",
            "percent", 100, -3)]),
"ricoh-im-c3000": P(
    profile="ricoh",
    descr="RICOH IM C3000 1.03 / RICOH Network Printer C model / "
        "RICOH Network Scanner C model / RICOH Network Facsimile C model",
    oid="1.3.6.1.4.1.367.1.1", model="IM C3000", serial="3100R310447",
    devstatus="warning", errors=("inputTrayEmpty",),
    others=("cpu",), sysname="RNP002673A1B2C3",
    location="Building D, 1st floor, sales",
    vendor=ricoh("IM C3000", "3100R310447", "1.03", [
        ("Counter: Machine Total", 96330),
        ("Counter:Copy:Black & White", 21044),
        ("Counter:Copy:Full Color", 6120),
        ("Counter:Print:Black & White", 48911),
        ("Counter:Print:Full Color", 20255),
        ("Counter:FAX:Black & White", 1410),
        ("Counter:Scanner:Send:Total", 9927)]),
    lifecount=96330,
    supplies=toner4((40, -3, 60, 10), fmt="%s Toner") + [
        supply("Waste Toner Bottle", "receptacle", "wasteToner", "percent",
            100, -3)],
    alerts=[alert("warning", "input", "inputMediaSupplyEmpty",
        "Tray 2: no paper", 31000, gindex=2)]),
"savin-im-c4500": P(
    profile="ricoh",
    descr="SAVIN IM C4500 1.01 / SAVIN Network Printer C model / "
        "SAVIN Network Scanner C model",
    oid="1.3.6.1.4.1.367.1.1", model="IM C4500", serial="3120M620118",
    others=("cpu",), location="Building D, 2nd floor",
    vendor=ricoh("IM C4500", "3120M620118", "1.01", [
        ("Counter: Machine Total", 155021),
        ("Counter:Copy:Black & White", 40288),
        ("Counter:Copy:Full Color", 9010),
        ("Counter:Print:Black & White", 80733),
        ("Counter:Print:Full Color", 24990)]),
    lifecount=155021,
    supplies=toner4((72, 55, 58, 49), fmt="%s Toner") + [
        supply("Waste Toner Bottle", "receptacle", "wasteToner", "percent",
            100, -3)]),
"kyocera-ecosys-m3655idn": P(
    profile="kyocera",
    descr="KYOCERA Document Solutions Printing System",
    oid="1.3.6.1.4.1.1347.41", model="ECOSYS M3655idn",
    serial="VCF9Z41207", devstatus="warning", errors=("lowToner",),
    sysname="KM5F2A81", location="Building A, 2nd floor, legal",
    vendor=kyocera("ECOSYS M3655idn", "VCF9Z41207",
        "2TL_S000.002.405", 88412, 20310, 3114),
    lifecount=111836,
    supplies=[supply("TK-3200", "consumed", "toner", "percent", 100, 5, K),
        supply("Waste Toner Box", "receptacle", "wasteToner", "percent",
            100, -3)],
    alerts=[alert("warning", "markerSupplies", "markerTonerAlmostEmpty",
        "Toner is low. [K]", 5 * DAY // 2, gindex=1)]),
"kyocera-taskalfa-3554ci": P(
    profile="kyocera",
    descr="KYOCERA Document Solutions Printing System",
    oid="1.3.6.1.4.1.1347.41", model="TASKalfa 3554ci",
    serial="W8B2Z07731", devstatus="warning", errors=("outputFull",),
    others=("cpu", "net"), location="Building B, 2nd floor",
    vendor=kyocera("TASKalfa 3554ci", "W8B2Z07731", "2XC_S000.002.304",
        41822, 15306, 0, pc=18420, cc=6071),
    lifecount=81619,
    supplies=toner4((29, 47, 38, 52),
        fmt=lambda c: "TK-8545" + c[0].upper()) + [
        supply("Waste Toner Box", "receptacle", "wasteToner", "percent",
            100, -3)],
    alerts=[alert("warning", "output", "outputMediaTrayFull",
        "Inner tray is full. Remove paper.", 900, gindex=1)]),
"canon-iradv-c3826": P(
    profile="canon",
    descr="Canon iR-ADV C3826 /P", oid="1.3.6.1.4.1.1602.4.7",
    model="iR-ADV C3826", serial=None, others=("cpu", "net"),
    sysname="iR-ADV-C3826-4F", location="Building C, 4th floor",
    vendor=canon("iR-ADV C3826", "45.10", "2HW04417", {101: 64512,
        112: 1200, 113: 40110, 122: 480, 123: 22722, 301: 51020,
        501: 13887}),
    lifecount=64512,
    supplies=toner4((53, 70, 68, 61), fmt="%s Toner") + [
        supply("Drum Unit", "consumed", "opc", "percent", -2, -2),
        supply("Waste Toner Container", "receptacle", "wasteToner",
            "percent", 100, -3)]),
"canon-lbp722cdw": P(
    profile="canon",
    descr="Canon LBP722Cdw /P", oid="1.3.6.1.4.1.1602.4.7",
    model="LBP722Cdw", serial=None, devstatus="warning",
    errors=("lowToner",), location="Building D, 1st floor, reception",
    vendor=canon("LBP722Cdw", "03.08", "6SW06713", {101: 18203,
        301: 18203, 113: 11054, 123: 7149}),
    lifecount=18203, tech="laser",
    supplies=toner4((34, 41, 8, 27), fmt="%s Toner") + [
        supply("Waste Toner Container", "receptacle", "wasteToner",
            "percent", 100, 20)],
    alerts=[alert("warning", "markerSupplies", "markerTonerAlmostEmpty",
        "Magenta toner is low.", 6 * 3600 * 100, gindex=3)]),
"brother-mfc-l8900cdw": P(
    profile="brother",
    descr="Brother NC-8800w, Firmware Ver.1.40  (24.02.19),MID 8CE-L39,"
        "FID 2", oid="1.3.6.1.4.1.2435.2.3.9.1", model="MFC-L8900CDW",
    serial="E77632G9N301245", others=("net",),
    sysname="BRN3C2AF4D8E105", location="Branch office, Leeds",
    vendor={BRO + ".2.3.9.4.2.1.5.5.1.0": s("E77632G9N301245"),
        BRO + ".2.4.3.1240.6.5.0": s("Firmware Ver.Z (24.02.19)")},
    gen_name="Brother MFC-L8900CDW series", lifecount=22418,
    supplies=toner4((-3, -3, -3, -3), fmt="%s Toner") + [
        supply("Drum Unit", "consumed", "opc", "percent", 100, 64),
        supply("Belt Unit", "consumed", "transferUnit", "percent", 100, 82),
        supply("Waste Toner Box", "receptacle", "wasteToner", "percent",
            100, -3)]),
"lexmark-cx725": P(
    profile="lexmark",
    descr="Lexmark CX725 version CXTPP.240.214 kernel 5.4.250-yocto-"
        "standard All-N-1", oid="1.3.6.1.4.1.641.1.5.7.58",
    model="Lexmark CX725", serial=None, devstatus="warning",
    prtstatus="other", errors=("noToner",), others=("cpu", "net"),
    sysname="ET0021B7C4D9A6", location="Building B, 1st floor",
    vendor={LEX + ".2.1.2.1.2.1": s("Lexmark CX725"),
        LEX + ".2.1.2.1.4.1": s("CXTPP.240.214"),
        LEX + ".2.1.2.1.6.1": s("750123456789AB"),
        LEX + ".2.1.5.1.0": c32(39002), LEX + ".2.1.5.2.0": c32(21804),
        LEX + ".2.1.5.3.0": c32(17198)},
    lifecount=39002,
    supplies=toner4((46, 22, 35, 0), fmt="%s Cartridge",
        typ="tonerCartridge") + [
        supply("Black Photoconductor", "consumed", "opc", "percent", 100,
            58, K),
        supply("Color Photoconductor", "consumed", "opc", "percent", 100,
            -2),
        supply("Waste Toner Bottle", "receptacle", "wasteToner", "percent",
            100, 71),
        supply("Fuser", "consumed", "fuser", "percent", 100, 63)],
    alerts=[alert("critical", "markerSupplies", "markerTonerEmpty",
        "Replace yellow cartridge", 3 * 3600 * 100, gindex=4,
        training="untrained"),
        alert("warning", "markerSupplies",
        "markerWasteTonerReceptacleAlmostFull", "Waste toner bottle nearly "
        "full", DAY, gindex=7)]),
"lexmark-ms821": P(
    profile="lexmark",
    descr="Lexmark MS821n version MSNGM.240.214 kernel 5.4.250-yocto-"
        "standard All-N-1", oid="1.3.6.1.4.1.641.1.5.7.49",
    model="Lexmark MS821n", serial=None, devstatus="warning",
    uptime=12 * DAY + 377211,
    errors=("overduePreventMaint",),
    location="Warehouse, dispatch desk",
    vendor={LEX + ".2.1.2.1.2.1": s("Lexmark MS821n"),
        LEX + ".2.1.2.1.4.1": s("MSNGM.240.214"),
        LEX + ".2.1.2.1.6.1": s("451487290214PT"),
        LEX + ".2.1.5.1.0": c32(301442), LEX + ".2.1.5.2.0": c32(301442)},
    lifecount=301442,
    supplies=[supply("Black Cartridge", "consumed", "tonerCartridge",
            "percent", 100, 57, K),
        supply("Imaging Unit", "consumed", "opc", "percent", 100, 15),
        supply("Maintenance Kit", "consumed", "fuser", "percent", 100, 1)],
    alerts=[alert("warning", "marker", "subunitLifeAlmostOver",
        "Maintenance kit life warning", 4 * DAY, training="fieldService")]),
"epson-wf-c5890": P(
    profile="epson",
    descr="EPSON Built-in 11b/g/n Print Server",
    oid="1.3.6.1.4.1.1248.1.1.2.1.3.93.2",
    model="EPSON WF-C5890 Series", serial=None, tech="inkjet",
    prtstatus="idle", sysname="EPSON8A3C21",
    location="Branch office, Leeds",
    vendor={EPSON + ".1.1.1.2.1": s("WF-C5890 Series"),
        EPSON + ".1.1.1.5.1": s("X8HJ024117"),
        EPSON + ".27.1.1.30.1.1": c32(14822),
        EPSON + ".27.1.1.3.1.1": c32(9120),
        EPSON + ".27.1.1.4.1.1": c32(5702),
        EPSON + ".27.6.1.4.1.1.1": c32(7330),
        EPSON + ".27.6.1.4.1.1.2": c32(1790),
        EPSON + ".27.6.1.5.1.1.1": c32(4881),
        EPSON + ".27.6.1.5.1.1.2": c32(821)},
    lifecount=14822,
    supplies=toner4((25, 66, 14, 70), fmt="%s Ink Cartridge T01C",
        typ="inkCartridge") + [
        supply("Maintenance Box C12C938211", "receptacle", "wasteInk",
            "percent", 100, 72)]),
"oki-c650": P(
    profile="oki",
    descr="OKI OkiLAN 8250e Rev.01.18 10/100/1000BASE Ethernet PrintServer",
    oid="1.3.6.1.4.1.2001.1.1.1.1.100.3.1.101",
    model="C650", serial="AK2B012345", tech="led",
    prtstatus="printing", location="Building A, ground floor, design",
    vendor={OKI + ".25.0": s("OKI C650"), OKI + ".45.0": s("AK2B012345")},
    lifecount=9310, unit="sheets",
    supplies=toner4((88, 93, 90, 95), fmt="%s Toner") + [
        supply("%s Image Drum" % c.capitalize(), "consumed", "opc",
            "impressions", 30000, lv, c)
        for c, lv in zip(CMYK, (20690, 22100, 21980, 22035))] + [
        supply("Belt Unit", "consumed", "transferUnit", "impressions",
            80000, 70690),
        supply("Fuser Unit", "consumed", "fuser", "impressions", 100000,
            90690)]),
"toshiba-e-studio-2515ac": P(
    profile="toshiba",
    descr="TOSHIBA e-STUDIO2515AC", oid="1.3.6.1.4.1.1129.2.3.50.1.6.3",
    model="TOSHIBA e-STUDIO2515AC", serial="CNJJ59876", devstatus="warning",
    errors=("lowPaper",), others=("cpu", "net"),
    sysname="MFP09114872", location="Building D, 3rd floor",
    lifecount=57713,
    supplies=toner4((36, 58, 20, 45), fmt="%s Toner") + [
        supply("Drum Unit", "consumed", "opc", "percent", -2, -3),
        supply("Waste Toner Box", "receptacle", "wasteToner", "percent",
            100, -3)],
    alerts=[alert("warning", "input", "inputMediaSupplyLow",
        "Paper is low in drawer 1", 70000, gindex=1)]),
}

# the processor and network rows of hrDeviceTable, after the printer
OTHER_DESCR = {"cpu": "ARM Cortex-A53 1.2 GHz", "net": "Gigabit Ethernet"}


def records(p):
    r = {}

    def put(oid, v):
        assert oid not in r, oid
        r[oid] = v

    put(SYS + ".1.0", s(p["descr"]))
    put(SYS + ".2.0", (6, p["oid"]))
    put(SYS + ".3.0", (67, p["uptime"]))
    put(SYS + ".4.0", s(p["contact"]))
    put(SYS + ".5.0", s(p["sysname"]))
    put(SYS + ".6.0", s(p["location"]))
    put(SYS + ".7.0", i(72))

    rows = [("printer", p["model"])] + [(o, OTHER_DESCR[o])
        for o in p["others"]]
    for n, (typ, descr) in enumerate(rows, 1):
        put("%s.1.%d" % (HRDEV, n), i(n))
        put("%s.2.%d" % (HRDEV, n), (6, HRTYPE[typ]))
        put("%s.3.%d" % (HRDEV, n), s(descr))
        put("%s.4.%d" % (HRDEV, n), (6, "0.0"))
        put("%s.5.%d" % (HRDEV, n), i(DEVSTATUS[p["devstatus"]]
            if typ == "printer" else 2))
        put("%s.6.%d" % (HRDEV, n), c32(0))
    prt = p["prt"]
    put("%s.1.%d" % (HRPRT, prt), i(PRTSTATUS[p["prtstatus"]]))
    word = 0
    for e in p["errors"]:
        word |= 1 << (15 - ERRBITS[e])
    put("%s.2.%d" % (HRPRT, prt), ("4x", "%04x" % word))

    put("%s.16.%d" % (GEN, prt), s(p["gen_name"] or p["model"]))
    if p["serial"] is not None:
        put("%s.17.%d" % (GEN, prt), s(p["serial"]))

    colors = [x[6] for x in p["supplies"] if x[6]]
    colors = [c for c in CMYK if c in colors]
    put("%s.2.%d.1" % (MARKER, prt), i(MARKTECH[p["tech"]]))
    put("%s.3.%d.1" % (MARKER, prt), i(MUNIT[p["unit"]]))
    put("%s.4.%d.1" % (MARKER, prt), c32(p["lifecount"]))
    put("%s.5.%d.1" % (MARKER, prt), c32(p["lifecount"] % 977))
    put("%s.6.%d.1" % (MARKER, prt), i(len(colors)))

    for n, (descr, cls, typ, unit, mx, lv, color) in \
            enumerate(p["supplies"], 1):
        idx = "%d.%d" % (prt, n)
        put("%s.2.%s" % (SUPPLY, idx), i(1))
        put("%s.3.%s" % (SUPPLY, idx), i(colors.index(color) + 1
            if color else 0))
        put("%s.4.%s" % (SUPPLY, idx), i(CLASS[cls]))
        put("%s.5.%s" % (SUPPLY, idx), i(STYPE[typ]))
        put("%s.6.%s" % (SUPPLY, idx), s(descr))
        put("%s.7.%s" % (SUPPLY, idx), i(SUNIT[unit]))
        put("%s.8.%s" % (SUPPLY, idx), i(mx))
        put("%s.9.%s" % (SUPPLY, idx), i(lv))
    for n, c in enumerate(colors, 1):
        idx = "%d.%d" % (prt, n)
        put("%s.2.%s" % (COLORANT, idx), i(1))
        put("%s.3.%s" % (COLORANT, idx), i(3))
        put("%s.4.%s" % (COLORANT, idx), s(c))
        put("%s.5.%s" % (COLORANT, idx), i(256))

    for n, (sev, group, code, descr, ago, gindex, training) in \
            enumerate(p["alerts"], 1):
        idx = "%d.%d" % (prt, n)
        assert ago < p["uptime"]
        put("%s.2.%s" % (ALERT, idx), i(SEVERITY[sev]))
        put("%s.3.%s" % (ALERT, idx), i(TRAINING[training]))
        put("%s.4.%s" % (ALERT, idx), i(AGROUP[group]))
        put("%s.5.%s" % (ALERT, idx), i(gindex))
        put("%s.6.%s" % (ALERT, idx), i(-1))
        put("%s.7.%s" % (ALERT, idx), i(ACODE[code]))
        put("%s.8.%s" % (ALERT, idx), s(descr))
        put("%s.9.%s" % (ALERT, idx), (67, p["uptime"] - ago))

    for oid, v in p["vendor"].items():
        put(oid, v)
    return r


def okey(oid):
    return tuple(int(x) for x in oid.split("."))


def write(path, name, p):
    recs = records(p)
    with open(path, "w") as f:
        f.write("# callhome demo fleet, written by regress/demo/mkfleet.py: "
            "an invented\n# %s; every value is made up.\n"
            "# Vendor profile: %s\n" % (p["model"], p["profile"]))
        for oid in sorted(recs, key=okey):
            tag, v = recs[oid]
            f.write("%s|%s|%s\n" % (oid, tag, v))


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "fleet")
    os.makedirs(d, exist_ok=True)
    for name, p in sorted(FLEET.items()):
        write(os.path.join(d, name + ".snmprec"), name, p)
    print("%d walks in %s" % (len(FLEET), d))


if __name__ == "__main__":
    main()

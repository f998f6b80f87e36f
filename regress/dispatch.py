#!/usr/bin/env python3
"""
Every receiver has one dispatch function per peer; every message type the
channel lets that peer send has its case; default: is fatal.

Reads the channel modules (common/chan/*.c) for the types each side may
send, and the receivers' dispatch functions (table below) for their case
labels.  Prints PASS/FAIL lines for regress/lib.sh's results().
"""
import os
import re
import sys

TOP = sys.argv[1] if len(sys.argv) > 1 else "."

LIFECYCLE = {
    "CHAN_LIFECYCLE_TO_CHILD": ["IMSG_SANDBOX", "IMSG_PING"],
    "CHAN_LIFECYCLE_TO_PARENT": ["IMSG_READY", "IMSG_PONG"],
}

# receiver: (file, function, channel file, sender's array, helpers that
# take some of the types for it: (file, function))
RECEIVERS = [
    ("callhomed/callhomed.c", "collectd_msg", "parent_collectd",
     "collectd_to_parent", [("callhomed/callhomed.c", "lifecycle_msg")]),
    ("callhomed/callhomed.c", "auditd_msg", "parent_auditd",
     "auditd_to_parent", [("callhomed/callhomed.c", "lifecycle_msg")]),
    ("callhomed/callhomed.c", "signerd_msg", "parent_signerd",
     "signerd_to_parent", [("callhomed/callhomed.c", "lifecycle_msg")]),
    ("callhomed/callhomed.c", "uplinkd_msg", "parent_uplinkd",
     "uplinkd_to_parent", [("callhomed/callhomed.c", "lifecycle_msg")]),
    ("callhomed/control.c", "conn_dispatch", "control",
     "client_to_parent", []),
    ("collectd/collectd.c", "parent_msg", "parent_collectd",
     "parent_to_collectd", [("common/child.c", "parent_dispatch")]),
    ("auditd/auditd.c", "parent_msg", "parent_auditd",
     "parent_to_auditd", [("common/child.c", "parent_dispatch")]),
    ("auditd/auditd.c", "collectd_msg", "collectd_auditd",
     "collectd_to_auditd", []),
    ("auditd/auditd.c", "uplinkd_msg", "auditd_uplinkd",
     "uplinkd_to_auditd", []),
    ("auditd/auditd.c", "signerd_msg", "signerd_auditd",
     "signerd_to_auditd", []),
    ("signerd/signerd.c", "parent_msg", "parent_signerd",
     "parent_to_signerd", [("common/child.c", "parent_dispatch")]),
    ("signerd/signerd.c", "uplinkd_msg", "uplinkd_signerd",
     "uplinkd_to_signerd", []),
    ("uplinkd/uplinkd.c", "parent_msg", "parent_uplinkd",
     "parent_to_uplinkd", [("common/child.c", "parent_dispatch")]),
    ("uplinkd/uplinkd.c", "auditd_msg", "auditd_uplinkd",
     "auditd_to_uplinkd", []),
    ("callhomectl/ctl_live.c", "exchange", "control",
     "parent_to_client", []),
]


def read(path):
    with open(os.path.join(TOP, path)) as f:
        return f.read()


def sent_types(chanfile, array):
    """the IMSG_ types of one direction of a channel module"""
    if array is None:
        return []
    src = read("common/chan/%s.c" % chanfile)
    m = re.search(r"struct chan_msg %s\[\] = \{(.*?)\n\};" % array, src,
                  re.S)
    if m is None:
        raise SystemExit("no %s in %s" % (array, chanfile))
    body = m.group(1)
    types = re.findall(r"\bIMSG_[A-Z_]+\b", body)
    for macro, ts in LIFECYCLE.items():
        if macro in body:
            types += ts
    return types


def function_body(path, name):
    src = read(path)
    m = re.search(r"^%s\([^)]*\)\s*\{" % re.escape(name), src, re.M)
    if m is None:
        return None
    depth, i = 1, m.end()
    while depth and i < len(src):
        if src[i] == "{":
            depth += 1
        elif src[i] == "}":
            depth -= 1
        i += 1
    return src[m.end():i]


out = []


def result(ok, name, why=""):
    out.append("%s\t%s\t%s" % ("PASS" if ok else "FAIL", name, why))


for path, fn, chan, array, helpers in RECEIVERS:
    what = "%s %s()" % (path, fn)
    body = function_body(path, fn)
    if body is None:
        result(False, "%s exists" % what)
        continue
    bodies = [body]
    for hp, hf in helpers:
        hb = function_body(hp, hf)
        if hb is None:
            result(False, "%s: helper %s() exists" % (what, hf))
            continue
        bodies.append(hb)
    handled = set()
    for b in bodies:
        handled |= set(re.findall(r"case (IMSG_[A-Z_]+):", b))
        handled |= set(re.findall(r"!= (IMSG_[A-Z_]+)", b))
    types = sent_types(chan, array)
    missing = [t for t in types if t not in handled]
    result(not missing, "%s handles every type %s sends on %s (%d)" %
           (what, array or "its peer", chan, len(types)),
           "no case for " + " ".join(missing))
    extra = [t for t in re.findall(r"case (IMSG_[A-Z_]+):", body)
             if t not in types]
    result(not extra, "%s has no case for a type its peer cannot send" %
           what, " ".join(extra))
    # the fall-through is fatal: a default or the end of an if chain
    d = re.search(r"default:\s*\n\s*([a-z_]+)\(", body)
    fatal = ("imsgev_unexpected", "fatalx", "errx", "conn_close")
    if d is not None:
        ok = d.group(1) in fatal
        result(ok, "%s: default: is fatal" % what, d.group(1))
    else:
        ok = "imsgev_unexpected" in body or "conn_close" in body
        result(ok, "%s: an unexpected type is fatal" % what)

# nothing is left "not handled yet" anywhere in the daemons
lenient = []
for d in ("callhomed", "collectd", "auditd", "signerd", "uplinkd",
          "common"):
    for root, _, files in os.walk(os.path.join(TOP, d)):
        for f in files:
            if not f.endswith(".c"):
                continue
            src = open(os.path.join(root, f)).read()
            for pat in ("not handled yet",):
                if pat in src:
                    lenient.append("%s: %s" % (f, pat))
result(not lenient, "no dispatch says \"not handled yet\"", "; ".join(lenient))
print("\n".join(out))

#!/bin/sh
# Seeds for fuzz_identity from the walks of $WALKS: for each walk, its
# sysDescr, prtGeneralSerialNumber, hrDeviceDescr and first vendor
# string values as fuzz_identity.c's fields (0xff between them), written
# to the corpus directory $1.  Made at run time: the walks are never
# copied into the tree.
set -u
out=$1
WALKS=${WALKS:-$(dirname "$0")/../../../shared/walks}
[ -d "$out" ] || exit 1
[ -d "$WALKS" ] || exit 0
command -v python3 >/dev/null 2>&1 || exit 0
exec python3 - "$WALKS" "$out" <<'PY'
import os, sys

walks, out = sys.argv[1], sys.argv[2]

def value(tag, v):
    if tag.endswith("x"):
        try:
            return bytes.fromhex(v)
        except ValueError:
            return None
    return v.encode("utf-8", "surrogateescape")

for name in sorted(os.listdir(walks))[:200]:
    if not name.endswith(".snmprec"):
        continue
    recs = {}
    vendor = []
    with open(os.path.join(walks, name), "rb") as f:
        for raw in f.read().decode("utf-8", "surrogateescape").splitlines():
            parts = raw.split("|", 2)
            if len(parts) != 3 or not parts[1].startswith("4"):
                continue
            v = value(parts[1], parts[2])
            if v is None:
                continue
            oid = parts[0].lstrip(".")
            recs.setdefault(oid, v)
            if oid.startswith("1.3.6.1.4.1.") and len(vendor) < 5:
                vendor.append(v[:256])
    def first(prefix):
        for k in sorted(recs):
            if k.startswith(prefix):
                return recs[k]
        return b""
    fields = [recs.get("1.3.6.1.2.1.1.1.0", b""),
              first("1.3.6.1.2.1.43.5.1.1.17."),
              first("1.3.6.1.2.1.25.3.2.1.3."),
              first("1.3.6.1.4.1.2699.1.2.1.2.1.1.3.")] + vendor
    data = bytes([0x01]) + b"\xff".join(f.replace(b"\xff", b"") for f in fields)
    with open(os.path.join(out, "walk-" + name[:-8]), "wb") as f:
        f.write(data)
PY

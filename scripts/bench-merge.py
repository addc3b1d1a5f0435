#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Merge the result.json of several `make bench` boots (scripts/bench.sh).

    bench-merge.py merge OUT.json BOOT.json...   write OUT.json, print
                                                 the median boot's number
                                                 (N of a name *-bootN.json)
    bench-merge.py summary MERGED.json [--markdown]

One boot's median does not settle a ratio (a loaded host moves it), so
bench.sh boots BENCH_BOOTS times and keeps each boot's file. For every
figure with a target (a boot's "figures": ratios s2box/KVM, the
round trip less the syscall floor, kernel pages per box) and every
measured pair, the merge keeps the per-boot values, their median and
their spread (min..max); a target is met when the median of the per-boot
values is at most the target.

OUT.json is the median boot's own file (every single-boot field where it
was) plus "boots" with the above. The median boot is the one whose
figures lie nearest the medians: the least sum over figures of the
distance to the median in units of that figure's spread.
"""

import datetime
import os
import re
import json
import statistics
import sys


def spread(values):
    """Median, min and max of the values a boot has (None: missing)."""
    have = [v for v in values if v is not None]
    if not have:
        return None
    # The median of two integers can be a half; ratios keep 4 digits.
    return {"values": values, "median": round(statistics.median(have), 4),
            "min": min(have), "max": max(have)}


def pair_id(p):
    """What names a measured pair across boots."""
    keys = ("section", "name", "granule", "ipa_bits", "threads", "mib",
            "bytes", "dirty_pages")
    return tuple(p.get(k) for k in keys)


def merge_figures(boots):
    order, by_key = [], {}
    for i, b in enumerate(boots):
        for f in b.get("figures", []):
            if f["key"] not in by_key:
                order.append(f["key"])
                by_key[f["key"]] = {"key": f["key"], "label": f["label"],
                                    "unit": f["unit"], "target": f["target"],
                                    "values": [None] * len(boots)}
            by_key[f["key"]]["values"][i] = f["value"]
    out = []
    for key in order:
        f = by_key[key]
        s = spread(f["values"])
        f.update(s)
        f["met"] = s["median"] <= f["target"]
        out.append(f)
    return out


def merge_pairs(boots):
    order, by_id = [], {}
    for i, b in enumerate(boots):
        for p in b.get("pairs", []):
            pid = pair_id(p)
            if pid not in by_id:
                order.append(pid)
                m = {k: p[k] for k in ("section", "name", "granule",
                                        "ipa_bits", "threads", "mib", "bytes",
                                        "dirty_pages") if k in p}
                m["_raw"] = [None] * len(boots)
                by_id[pid] = m
            by_id[pid]["_raw"][i] = p
    out = []
    for pid in order:
        m = by_id.pop(pid)
        raw = m.pop("_raw")
        for side in ("s2box", "kvm", "fresh_box"):
            vals = [p[side]["median_ns"] if p and side in p else None
                    for p in raw]
            if any(v is not None for v in vals):
                m[side + "_median_ns"] = spread(vals)
        ratios = [p.get("ratio") if p else None for p in raw]
        if any(v is not None for v in ratios):
            m["ratio"] = spread(ratios)
        out.append(m)
    return out


def median_boot(figures, n):
    """The boot nearest the medians; the last one if nothing tells."""
    cost = [0.0] * n
    for f in figures:
        width = (f["max"] - f["min"]) or 1.0
        for i, v in enumerate(f["values"]):
            cost[i] += (abs(v - f["median"]) / width if v is not None
                        else len(figures))
    if not figures:
        return n - 1
    return min(range(n), key=lambda i: (cost[i], -i))


def boot_number(path, i):
    """bench.sh names boot N's file <cell>-bootN.json; else its place."""
    m = re.search(r"-boot([0-9]+)\.json$", path)
    return int(m.group(1)) if m else i + 1


def merge(out, files):
    boots = []
    for path in files:
        with open(path) as f:
            boots.append(json.load(f))
    figures = merge_figures(boots)
    k = median_boot(figures, len(boots))
    numbers = [boot_number(f, i) for i, f in enumerate(files)]
    merged = dict(boots[k])
    merged["boots"] = {
        "count": len(boots),
        "files": [os.path.basename(f) for f in files],
        "numbers": numbers,
        "median_boot": numbers[k],
        "date": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%d"),
        "method": "per figure: the per-boot values (each a ratio of one "
                  "boot's medians), their median and min..max; a target "
                  "is met if the median is at most the target; the rest "
                  "of this file is boot median_boot's",
        "figures": figures,
        "pairs": merge_pairs(boots),
    }
    with open(out + ".tmp", "w") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")
    os.replace(out + ".tmp", out)
    print(numbers[k])


def num(v):
    return "-" if v is None else "%.3f" % v


def summary(path, markdown):
    with open(path) as f:
        m = json.load(f)
    b = m["boots"]
    n = b["count"]
    head = "%s on %s, %d boot%s, %s, scale %s%%" % (
        m["kernel"], m["cpu"], n, "s" if n > 1 else "", b["date"],
        m["scale_percent"])
    if markdown:
        print("`make bench` (%s): the median of the per-boot values, their "
              "spread (min..max) and the target; s2box/KVM unless the row "
              "says otherwise." % head)
        print()
        print("| figure | median | spread | target | median meets it |")
        print("|---|---|---|---|---|")
        for f in b["figures"]:
            unit = " " + f["unit"] if f["unit"] != "x" else ""
            print("| %s | %s%s | %s..%s | <= %g%s | %s |" % (
                f["label"], num(f["median"]), unit, num(f["min"]),
                num(f["max"]), f["target"], unit,
                "met" if f["met"] else "**NOT met**"))
        return
    print("=== s2box_bench: targets over %s ===" % head)
    print("  s2box/KVM unless the row says otherwise; the median of the "
          "per-boot values")
    cols = "".join("%8s" % ("boot %d" % i) for i in b["numbers"])
    print("  %-34s%s %8s  %-14s %-12s %s" % ("", cols, "median", "spread",
                                             "target", "by the median"))
    for f in b["figures"]:
        vals = "".join("%8s" % num(v) for v in f["values"])
        print("  %-34s%s %8s  %-14s %-12s %s" % (
            f["label"], vals, num(f["median"]),
            "%s..%s" % (num(f["min"]), num(f["max"])),
            "<= %g%s" % (f["target"], "" if f["unit"] == "x"
                         else " " + f["unit"]),
            "met" if f["met"] else "NOT met"))
    print("  (boot %d is the median boot: the one nearest the medians)"
          % b["median_boot"])


def main(argv):
    if len(argv) >= 3 and argv[0] == "merge":
        merge(argv[1], argv[2:])
    elif len(argv) in (2, 3) and argv[0] == "summary":
        summary(argv[1], argv[2:] == ["--markdown"])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])

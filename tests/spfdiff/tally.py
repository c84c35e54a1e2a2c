# SPDX-License-Identifier: BSD-2-Clause
import json
import re
import sys

index_path, out_path, seed, count = sys.argv[1:5]
tests = {}
with open(index_path) as f:
    for line in f:
        t = json.loads(line)
        tests[t["name"]] = t
# The driver's lines for the evaluator; its lines about libspf2's view
# ("ok   libspf2 ...", "diff libspf2 ...", "FAIL libspf2 ...") are not
# counted here.
ok_re = re.compile(r'^ok   (?!libspf2 )\d+ \([^)]*\)/([^:]+): (\S+)'
                   r'(?: \(explanation "(.*)"\))?$')
fail_re = re.compile(r"^FAIL (?!libspf2 )\d+ \([^)]*\)/([^:]+): (.*)$")
# The driver's totals for libspf2's view, when it has them: reported,
# not counted.
l2_re = re.compile(r"^spf-suite libspf2 (view|async==sync): (\d+) passed, "
                   r"(\d+) failed$")
l2 = {}
got, detail, block = {}, {}, None
with open(out_path, errors="replace") as f:
    for line in f:
        line = line.rstrip("\n")
        m = l2_re.match(line)
        if m:
            p, n = l2.get(m.group(1), (0, 0))
            l2[m.group(1)] = (p + int(m.group(2)), n + int(m.group(3)))
            continue
        m = ok_re.match(line)
        if m:
            got[m.group(1)] = (m.group(2), m.group(3))
            block = None
            continue
        m = fail_re.match(line)
        if m:
            got[m.group(1)] = ("FAIL", m.group(2))
            block = detail.setdefault(m.group(1), [line])
            continue
        if block is not None and (line.startswith("      ") or
                                  "libspf2 " in line[:14]):
            block.append(line)
        else:
            block = None


def show(result, exp):
    return result + (' with explanation "%s"' % exp if exp is not None
                     else "")


agree = failed = 0
known = {}
for name, t in tests.items():
    verdict, exp = got.get(name, ("missing", None))
    if verdict != "fail":
        exp = None
    if verdict == "FAIL":
        how = got[name][1]
    elif (verdict, exp) == (t["result"], t["exp"]):
        agree += 1
        continue
    else:
        alt = [a for a in t["alts"] if (a["result"], a["exp"]) ==
               (verdict, exp)]
        if alt:
            known[alt[0]["id"]] = known.get(alt[0]["id"], 0) + 1
            continue
        how = "got " + show(verdict, exp)
    failed += 1
    print("DIFF %s: pyspf %s; mxcheck: %s" % (name, show(t["result"],
                                                          t["exp"]), how))
    for alt in t["alts"]:
        print("  under the reading %s, pyspf gives %s" % (
            alt["id"], show(alt["result"], alt["exp"])))
    for line in detail.get(name, [])[1:60]:
        print("  " + line)
nknown = sum(known.values())
if l2:
    v = l2.get("view", (0, 0))
    a = l2.get("async==sync", (0, 0))
    print("spf-diff: libspf2's view (not counted): a verdict pyspf accepts "
          "in %d of %d tests; asynchronous == synchronous libspf2 in %d of "
          "%d" % (v[0], sum(v), a[0], sum(a)))
print("spf-diff: seed %s, %s cases, %d tests" % (seed, count, len(tests)))
print("spf-diff: %d agree, %d expected differences%s, %d failed" % (
    agree, nknown,
    " (" + ", ".join("%s %d" % kv for kv in sorted(known.items())) + ")"
    if known else "", failed))
print("spf-diff: %d passed, %d failed" % (agree + nknown, failed))
sys.exit(1 if failed else 0)

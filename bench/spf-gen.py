#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""spf-gen.py: generate the data of the SPF benchmark (spf-bench.sh).

Usage: spf-gen.py --count N --out DIR [--seed S] [--latency-per-depth K]

Writes into DIR:
  zones/*.zone   test. (every SPF name), 10.in-addr.arpa and
                 8.b.d.0.1.0.0.2.ip6.arpa (no PTR records: mxcheck's iprev
                 check gets one NXDOMAIN per address)
  pairs.txt      N lines "ADDRESS SENDER HELO": the input of mxcheck --batch
                 and of spfquery -file alike
  expected.tsv   address, sender, expected verdict, include depth of the
                 sender's record (0-3), kind
  latency.txt    a sample of the pairs, K per depth, for the round-trip
                 measurement (same columns as expected.tsv)

The data imitates what a receiver sees: a few mail providers whose SPF
records are include: chains of depth 1 to 3 (ip4/ip6 ranges, a: and mx:
with data, ~all or -all), and sender domains whose records combine their
own a, mx and ip4/ip6 terms with includes of those providers or a
redirect=.  Depth 0 is a record without include; depth d is the deepest
include: or redirect= nesting of the sender's record.  About 5 % of the
senders publish no SPF record, and about 4 % exceed the ten DNS-querying
terms of RFC 7208 section 4.6.4 (permerror when the client is not matched
before the 11th).  Client addresses are drawn from what the sender's record
authorises (about 60 %) or from unrelated space; about 15 % are IPv6.  The
expected verdict comes from a small check_host() (below) that knows the
data.  Pairs whose verdict depends on how void lookups are counted (an IPv6
client against mx hosts without AAAA: per term, as mxcheck, or per query,
as pyspf; see tests/spfdiff/expected-differences.txt) are left out.  Every
(address, sender) pair is distinct; senders repeat, as in real traffic, so
caches that span the batch help every tool alike.

Records stay under 255 octets (one character-string) and answers under 512
octets, so that tools without EDNS (glibc's resolver under libspf2) never
fall back to TCP.
"""
import argparse
import ipaddress
import os
import random
import sys

ZONE = "test"
SOA = ("@ SOA ns1.{z}. hostmaster.{z}. ( 1 3600 600 86400 60 )\n"
       "@ NS ns1.{z}.\n").format(z=ZONE)
MAX_TERMS = 10
MAX_VOID = 2


class Zone:
    def __init__(self):
        self.rr = {}   # name -> list of (type, value)

    def add(self, name, rtype, value):
        self.rr.setdefault(name.lower(), []).append((rtype, value))

    def get(self, name, rtype):
        """(rcode, values): rcode 'NX' for a name absent."""
        recs = self.rr.get(name.lower().rstrip("."))
        if recs is None:
            return "NX", []
        return "OK", [v for t, v in recs if t == rtype]


# ---------------------------------------------------------------------------
# A check_host() for the subset of SPF used here: ip4, ip6, a, mx, include,
# all, redirect=, no macros.  Section 4.6.4 limits: 10 DNS-querying terms,
# 2 void lookups, 10 MX names.

class PermError(Exception):
    pass


def in_net(ip, spec, default_cidr):
    net = ipaddress.ip_network(spec if "/" in spec
                               else "%s/%d" % (spec, default_cidr),
                               strict=False)
    return ip.version == net.version and ip in net


def split_cidr(spec):
    """'name/24//64' -> (name, 24, 64)"""
    c4, c6 = 32, 128
    if "//" in spec:
        spec, c6 = spec.split("//", 1)
        c6 = int(c6)
    if "/" in spec:
        spec, c4 = spec.split("/", 1)
        c4 = int(c4)
    return spec, c4, c6


def void(st):
    st["void"] += 1
    if st["void"] > MAX_VOID:
        raise PermError("void")


def addr_match(zone, st, name, ip, c4, c6, own=True):
    rtype = "A" if ip.version == 4 else "AAAA"
    rc, vals = zone.get(name, rtype)
    if not vals and (own or st["mode"] == "query"):
        void(st)
    for v in vals:
        if in_net(ip, v, c4 if ip.version == 4 else c6):
            return True
    return False


def check_host(zone, ip, domain, st, depth=0):
    st["depth"] = max(st["depth"], depth)
    rc, txts = zone.get(domain, "TXT")
    recs = [t for t in txts if t == "v=spf1" or t.startswith("v=spf1 ")]
    if not recs:
        if depth > 0:
            raise PermError("no record")
        return "none"
    if len(recs) > 1:
        raise PermError("two records")
    terms = recs[0].split()[1:]
    redirect = None
    quals = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
    for t in terms:
        if t.startswith("redirect="):
            redirect = t[len("redirect="):]
            continue
        q = "+"
        if t[0] in quals:
            q, t = t[0], t[1:]
        mech, _, arg = t.partition(":")
        if mech.startswith("a/") or mech.startswith("mx/"):
            mech, rest = mech.split("/", 1)
            arg = domain + "/" + rest
        match = False
        if mech == "all":
            match = True
        elif mech == "ip4":
            match = ip.version == 4 and in_net(ip, arg, 32)
        elif mech == "ip6":
            match = ip.version == 6 and in_net(ip, arg, 128)
        else:
            st["terms"] += 1
            if st["terms"] > MAX_TERMS:
                raise PermError("too many DNS-querying terms")
            if mech == "include":
                r = check_host(zone, ip, arg, st, depth + 1)
                match = r == "pass"
            elif mech == "a":
                name, c4, c6 = split_cidr(arg or domain)
                match = addr_match(zone, st, name, ip, c4, c6)
            elif mech == "mx":
                name, c4, c6 = split_cidr(arg or domain)
                rc, mxs = zone.get(name, "MX")
                if not mxs:
                    void(st)
                if len(mxs) > 10:
                    raise PermError("more than 10 MX")
                for _, host in sorted(mxs):
                    if addr_match(zone, st, host, ip, c4, c6, own=False):
                        match = True
                        break
            else:
                raise ValueError("unexpected mechanism " + mech)
        if match:
            return quals[q]
    if redirect:
        st["terms"] += 1
        if st["terms"] > MAX_TERMS:
            raise PermError("too many DNS-querying terms")
        return check_host(zone, ip, redirect, st, depth + 1)
    return "neutral"


def evaluate(zone, ip, domain, mode):
    """mode "term": a void lookup is a term whose own query (A/AAAA of a,
    MX of mx, TXT of include) has no answer; "query": any query without an
    answer, MX hosts' A/AAAA included (pyspf).  RFC 7208 section 4.6.4
    speaks of "terms"; the two readings differ for mx with hosts that lack
    the client's address family."""
    st = {"terms": 0, "void": 0, "depth": 0, "mode": mode}
    try:
        return check_host(zone, ip, domain, st), st
    except PermError:
        return "permerror", st


# ---------------------------------------------------------------------------
# The data

class Gen:
    def __init__(self, rnd):
        self.rnd = rnd
        self.zone = Zone()
        self.sources = {}   # record name -> list of (network, family)
        self.depth = {}     # record name -> include depth below it
        self.terms = {}     # record name -> worst-case DNS terms, itself incl.
        self.v4net = 0
        self.v4host = 0
        self.v6net = 0

    # Address space: networks of ip4: terms from 10.1.0.0 up (a /20 each),
    # single hosts (A records) from 10.200.0.1 up, IPv6 from 2001:db8:1::
    # up; unrelated clients in 10.250.0.0/15 and 2001:db8:ffff::/48.
    def net4(self, plen):
        if plen == 32:
            self.v4host += 1
            if self.v4host >= 48 << 16:
                raise SystemExit("spf-gen: out of IPv4 host space")
            return ipaddress.ip_network(((10 << 24) + (200 << 16) +
                                         self.v4host, 32))
        base = (10 << 24) + (1 << 16) + self.v4net * 4096
        self.v4net += 1
        if self.v4net >= 199 * 16:
            raise SystemExit("spf-gen: out of IPv4 space")
        host = self.rnd.randrange(0, 4096) & ~((1 << (32 - plen)) - 1) \
            if plen >= 20 else 0
        return ipaddress.ip_network((base + host, plen))

    def net6(self, plen):
        self.v6net += 1
        base = (0x20010db8 << 96) + (self.v6net << 80)
        return ipaddress.ip_network((base, plen))

    def host_in(self, net):
        if net.num_addresses <= 2:
            return net.network_address
        off = self.rnd.randrange(1, min(net.num_addresses - 1, 1 << 20))
        return net.network_address + off

    def txt(self, name, text):
        assert len(text) < 255, text
        self.zone.add(name, "TXT", text)

    def ranges(self, name, n4, n6):
        terms, src = [], []
        for _ in range(n4):
            net = self.net4(self.rnd.choice((20, 22, 24, 24, 26, 28, 32)))
            terms.append("ip4:%s" % (net.network_address
                                     if net.prefixlen == 32 else net))
            src.append(net)
        for _ in range(n6):
            net = self.net6(self.rnd.choice((48, 56, 64)))
            terms.append("ip6:%s" % net)
            src.append(net)
        return terms, src

    def host(self, name, v6=False):
        """An A (and maybe AAAA) for name; returns the /32 (and /128)."""
        out = []
        n4 = self.net4(32)
        self.zone.add(name, "A", str(n4.network_address))
        out.append(n4)
        if v6:
            n6 = self.net6(128)
            self.zone.add(name, "AAAA", str(n6.network_address))
            out.append(n6)
        return out

    def leaf(self, name, n4, n6, allq="~all", extra=()):
        terms, src = self.ranges(name, n4, n6)
        self.txt(name, " ".join(["v=spf1"] + terms + list(extra) + [allq]))
        self.sources[name] = src
        self.depth[name] = 0
        self.terms[name] = 0

    def node(self, name, pre, children, allq):
        """A record with includes of children (and pre terms first)."""
        self.txt(name, " ".join(["v=spf1"] + pre +
                                ["include:" + c for c in children] + [allq]))
        self.sources[name] = [s for c in children for s in self.sources[c]]
        self.depth[name] = 1 + max(self.depth[c] for c in children)
        self.terms[name] = sum(1 + self.terms[c] for c in children)

    def providers(self):
        """Provider records: name -> depth of an include of it (1..3)."""
        prov = {}
        r = self.rnd
        # flat: depth 1 for the includer
        for k in range(1, 5):
            n = "_spf.mailflat%d.%s" % (k, ZONE)
            self.leaf(n, r.randint(3, 8), r.randint(0, 2),
                      r.choice(("~all", "-all", "?all")))
            prov[n] = 1
        # flat with a: and mx: (their data in the zone)
        for k in range(1, 3):
            base = "relayco%d.%s" % (k, ZONE)
            n = "_spf." + base
            src = self.host("out1." + base, v6=True) + self.host("out2." + base)
            for pref, mxh in ((10, "mx1." + base), (20, "mx2." + base)):
                self.zone.add(base, "MX", (pref, mxh))
                src += self.host(mxh)
            self.zone.add("relay." + base, "A",
                          str(src[0].network_address))
            self.zone.add("relay." + base, "A",
                          str(src[2].network_address))
            self.zone.add("relay." + base, "AAAA",
                          str(src[1].network_address))
            terms, rs = self.ranges(n, r.randint(1, 3), 1)
            self.txt(n, " ".join(["v=spf1", "a:relay." + base, "mx:" + base]
                                 + terms + ["-all"]))
            self.sources[n] = src + rs
            self.depth[n] = 0
            self.terms[n] = 2
            prov[n] = 1
        # two levels: _spf -> _netblocksN (ranges)
        for k in range(1, 4):
            base = "bigmail%d.%s" % (k, ZONE)
            kids = []
            for j in range(1, r.randint(2, 4) + 1):
                c = "_netblocks%d.%s" % (j, base)
                self.leaf(c, r.randint(4, 9), r.randint(1, 3), "~all")
                kids.append(c)
            n = "_spf." + base
            self.node(n, [], kids, "~all")
            prov[n] = 2
        # three levels: spf -> spfN -> spfNa (ranges), spfN has ranges too
        for k in range(1, 3):
            base = "cloudmail%d.%s" % (k, ZONE)
            mids = []
            for j in range(1, 3):
                leafn = "spf%da.%s" % (j, base)
                self.leaf(leafn, r.randint(3, 7), r.randint(1, 2), "-all")
                mid = "spf%d.%s" % (j, base)
                pre, src = self.ranges(mid, r.randint(2, 5), 1)
                self.txt(mid, " ".join(["v=spf1"] + pre +
                                       ["include:" + leafn, "-all"]))
                self.sources[mid] = src + self.sources[leafn]
                self.depth[mid] = 1
                self.terms[mid] = 1
                mids.append(mid)
            n = "spf." + base
            self.node(n, [], mids, "-all")
            prov[n] = 3
        return prov

    def domain(self, i, prov, kind):
        """The records of sender domain i; returns its name and depth."""
        r = self.rnd
        d = "d%d.%s" % (i, ZONE)
        if kind == "nxdomain":
            return d, 0
        own = []        # terms of its own
        src = []
        if kind == "nospf":
            self.zone.add(d, "TXT", "site-verification=%08x" %
                          r.getrandbits(32))
            self.zone.add(d, "A", "10.249.0.%d" % (i % 250 + 1))
            return d, 0
        # a and mx of its own
        use_a = r.random() < 0.5
        use_mx = r.random() < 0.5
        if use_a:
            src += self.host(d, v6=r.random() < 0.3)
            own.append("a")
        else:
            self.zone.add(d, "A", "10.249.1.%d" % (i % 250 + 1))
        if r.random() < 0.7:
            # MX: its own hosts, or a provider's
            if r.random() < 0.5:
                mxs = []
                for j in range(1, r.randint(1, 3) + 1):
                    h = "mx%d.%s" % (j, d)
                    mxs += self.host(h, v6=r.random() < 0.3)
                    self.zone.add(d, "MX", (10 * j, h))
                if use_mx:
                    src += mxs
            else:
                k = r.randint(1, 2)
                for pref, h in ((10, "mx1.relayco%d.%s" % (k, ZONE)),
                                (20, "mx2.relayco%d.%s" % (k, ZONE))):
                    self.zone.add(d, "MX", (pref, h))
                if use_mx:
                    src += [ipaddress.ip_network(v + "/32") for t, v in
                            self.zone.rr[("mx1.relayco%d.%s" %
                                          (k, ZONE))] if t == "A"]
                    src += [ipaddress.ip_network(v + "/32") for t, v in
                            self.zone.rr[("mx2.relayco%d.%s" %
                                          (k, ZONE))] if t == "A"]
            if use_mx:
                own.append("mx")
        elif use_mx:
            use_mx = False
        allq = r.choices(("-all", "~all", "?all", ""), (45, 42, 6, 7))[0]
        names = list(prov)
        if kind == "flat":
            terms, s = self.ranges(d, r.randint(1, 3), int(r.random() < 0.3))
            own += terms
            src += s
            if len(own) == 0:
                own.append("a")
            self.txt(d, " ".join(["v=spf1"] + own + ([allq] if allq else [])))
            self.sources[d] = src
            return d, 0
        if kind == "redirect":
            want = r.randint(1, 3)
            target = r.choice([n for n in names if prov[n] == want])
            self.txt(d, "v=spf1 redirect=" + target)
            self.sources[d] = self.sources[target]
            return d, prov[target]
        if kind == "toomany":
            # Realistic: a record that includes every big provider.
            heavy = [n for n in names if prov[n] >= 2]
            r.shuffle(heavy)
            inc = []
            total = len(own) + sum(o == "mx" for o in own)
            for n in heavy:
                inc.append(n)
                total += 1 + self.terms[n]
                if total > MAX_TERMS + 1:
                    break
            self.txt(d, " ".join(["v=spf1"] + own +
                                 ["include:" + n for n in inc] + ["~all"]))
            self.sources[d] = src + [s for n in inc for s in self.sources[n]]
            return d, max(prov[n] for n in inc)
        if kind == "toomany-a":
            # Eleven a: terms in the record itself.
            hosts = []
            for j in range(1, 12):
                h = "h%d.%s" % (j, d)
                src += self.host(h)
                hosts.append("a:" + h)
            self.txt(d, " ".join(["v=spf1"] + hosts + ["-all"]))
            self.sources[d] = src
            return d, 0
        # include depth 1..3
        want = int(kind[-1])
        first = r.choice([n for n in names if prov[n] == want])
        inc = [first]
        if r.random() < 0.4:
            other = r.choice([n for n in names if prov[n] <= want and
                              n != first])
            inc.append(other)
        if r.random() < 0.3:
            terms, s = self.ranges(d, r.randint(1, 2), 0)
            own += terms
            src += s
        r.shuffle(inc)
        self.txt(d, " ".join(["v=spf1"] + own + ["include:" + n for n in inc]
                             + ([allq] if allq else [])))
        self.sources[d] = src + [s for n in inc for s in self.sources[n]]
        return d, want


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7208)
    ap.add_argument("--latency-per-depth", type=int, default=30)
    a = ap.parse_args()
    if not 10 <= a.count <= 1000000:
        sys.exit("spf-gen: --count must be 10..1000000")
    rnd = random.Random(a.seed)
    g = Gen(rnd)
    prov = g.providers()

    ndom = max(50, a.count // 3)
    kinds = rnd.choices(
        ("flat", "inc1", "inc2", "inc3", "redirect", "nospf", "nxdomain",
         "toomany", "toomany-a"),
        (25, 24, 22, 15, 4, 4, 1, 4, 1), k=ndom)
    doms = []
    for i, k in enumerate(kinds):
        d, depth = g.domain(i + 1, prov, k)
        doms.append((d, depth, k))

    rows = []
    seen = set()
    stop = a.count * 50
    tries = 0
    ambiguous = 0
    while len(rows) < a.count and tries < stop:
        tries += 1
        d, depth, k = rnd.choice(doms)
        src = g.sources.get(d, [])
        if src and rnd.random() < 0.6:
            net = rnd.choice(src)
            ip = g.host_in(net)
        elif rnd.random() < 0.2:
            ip = ipaddress.ip_address((0x20010db8 << 96) + (0xffff << 80) +
                                      rnd.getrandbits(64))
        else:
            ip = ipaddress.ip_address((10 << 24) + (250 << 16) +
                                      rnd.getrandbits(17))
        sender = "u%d@%s" % (len(rows) + 1, d)
        if (ip, sender) in seen:
            continue
        verdict, st = evaluate(g.zone, ip, d, "term")
        if evaluate(g.zone, ip, d, "query")[0] != verdict:
            ambiguous += 1
            continue
        seen.add((ip, sender))
        rows.append((str(ip), sender, "mail." + d, verdict, depth, k))

    zdir = os.path.join(a.out, "zones")
    os.makedirs(zdir, exist_ok=True)
    with open(os.path.join(zdir, ZONE + ".zone"), "w") as f:
        f.write("$ORIGIN %s.\n$TTL 3600\n" % ZONE)
        f.write(SOA)
        f.write("ns1 A 127.0.0.1\n")
        for name in sorted(g.zone.rr):
            for t, v in g.zone.rr[name]:
                if t == "TXT":
                    v = '"%s"' % v
                elif t == "MX":
                    v = "%d %s." % v
                f.write("%s. %s %s\n" % (name, t, v))
    for origin in ("10.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa"):
        with open(os.path.join(zdir, origin + ".zone"), "w") as f:
            f.write("$ORIGIN %s.\n$TTL 3600\n" % origin)
            f.write("@ SOA ns1.%s. hostmaster.%s. ( 1 3600 600 86400 60 )\n"
                    "@ NS ns1.%s.\n" % (ZONE, ZONE, ZONE))
    with open(os.path.join(a.out, "pairs.txt"), "w") as f:
        for r in rows:
            f.write("%s %s %s\n" % r[:3])
    with open(os.path.join(a.out, "expected.tsv"), "w") as f:
        for r in rows:
            f.write("%s\t%s\t%s\t%d\t%s\n" % (r[0], r[1], r[3], r[4], r[5]))
    # latency sample: K pairs per depth, pass and non-pass alike, excluding
    # senders without a record
    with open(os.path.join(a.out, "latency.tsv"), "w") as f:
        for depth in range(4):
            cand = [r for r in rows if r[4] == depth and r[5] not in
                    ("nospf", "nxdomain", "toomany", "toomany-a")]
            rnd.shuffle(cand)
            for r in cand[:a.latency_per_depth]:
                f.write("%s\t%s\t%s\t%d\t%s\n" % (r[0], r[1], r[3], r[4],
                                                  r[5]))
    # the mix, to stderr
    mix = {}
    for r in rows:
        mix[r[3]] = mix.get(r[3], 0) + 1
    dmix = {}
    for r in rows:
        dmix[r[4]] = dmix.get(r[4], 0) + 1
    nrec = sum(1 for v in g.zone.rr.values() for _ in v)
    sys.stderr.write(
        "spf-gen: %d pairs (%d IPv6), %d sender domains, %d providers, "
        "%d records; verdicts: %s; depth: %s; %d ambiguous pairs left out "
        "(void lookups of MX hosts)\n" %
        (len(rows), sum(1 for r in rows if ":" in r[0]), ndom, len(prov),
         nrec, ", ".join("%s %d" % kv for kv in sorted(mix.items())),
         ", ".join("%d: %d" % kv for kv in sorted(dmix.items())),
         ambiguous))
    if len(rows) < a.count:
        sys.exit("spf-gen: only %d distinct pairs" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""fcrdns-gen.py: generate the data of the FCrDNS benchmark.

Usage: fcrdns-gen.py --count N --out DIR [--seed S]

Writes into DIR:
  zones/*.zone     10.in-addr.arpa, 8.b.d.0.1.0.0.2.ip6.arpa, bench.test
  addresses.txt    N addresses, one per line (half IPv4, half IPv6, shuffled)
  expected.tsv     address <TAB> expected verdict <TAB> kind
  dnsperf.txt      the queries a checker sends (PTR, then A or AAAA)

Mix of verdicts per family: 80 % pass, 7 % fail (the PTR name resolves to
another address), 3 % fail (the PTR name does not exist), 10 % permerror
(no PTR: NXDOMAIN from the reverse zone, RFC 8601 section 3).  Every address
has its own forward name, so no answer can come from a client cache.
"""
import argparse
import ipaddress
import os
import random
import sys

FWD = "bench.test"
SOA = ("@ SOA ns1.{f}. hostmaster.{f}. ( 1 3600 600 86400 60 )\n"
       "@ NS ns1.{f}.\n").format(f=FWD)


def kinds(n, rnd):
    """n verdict kinds in the 80/7/3/10 mix, shuffled."""
    npass = n * 80 // 100
    nmis = n * 7 // 100
    ndang = n * 3 // 100
    nno = n - npass - nmis - ndang
    k = (["pass"] * npass + ["mismatch"] * nmis + ["dangling"] * ndang +
         ["noptr"] * nno)
    rnd.shuffle(k)
    return k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=8601)
    a = ap.parse_args()
    if a.count < 2 or a.count > 2000000:
        sys.exit("fcrdns-gen: --count must be 2..2000000")
    rnd = random.Random(a.seed)
    n4 = a.count // 2
    n6 = a.count - n4

    zdir = os.path.join(a.out, "zones")
    os.makedirs(zdir, exist_ok=True)
    rev4 = ["$ORIGIN 10.in-addr.arpa.\n$TTL 3600\n", SOA]
    rev6 = ["$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n$TTL 3600\n", SOA]
    fwd = ["$ORIGIN %s.\n$TTL 3600\n" % FWD, SOA,
           "ns1 A 127.0.0.1\n"]
    rows = []   # (address, verdict, kind)
    perf = []   # dnsperf lines

    # IPv4: 10.0.0.0/8 from 10.1.0.1 on, spread over /24s (skip .0/.255).
    # IPv6: 2001:db8::/32, one /64 per 256 hosts, host parts ::25-like.
    def v4(i):
        return ipaddress.IPv4Address((10 << 24) + (1 << 16) +
                                     (i // 250) * 256 + i % 250 + 2)

    def v6(i):
        return ipaddress.IPv6Address(
            (0x20010db8 << 96) + ((0x100 + i // 256) << 64) + 0x25 +
            (i % 256) * 0x10000)

    for fam, count, gen in ((4, n4, v4), (6, n6, v6)):
        ks = kinds(count, rnd)
        for i in range(count):
            addr = gen(i)
            kind = ks[i]
            name = "h%d-%s.%s" % (i, "v4" if fam == 4 else "v6", FWD)
            rtype = "A" if fam == 4 else "AAAA"
            rev = addr.reverse_pointer
            zone = rev4 if fam == 4 else rev6
            if kind == "noptr":
                rows.append((str(addr), "permerror", kind))
                perf.append("%s PTR" % rev)
                continue
            zone.append("%s. PTR %s.\n" % (rev, name))
            perf.append("%s PTR" % rev)
            perf.append("%s %s" % (name, rtype))
            if kind == "pass":
                fwd.append("%s. %s %s\n" % (name, rtype, addr))
                rows.append((str(addr), "pass", kind))
            elif kind == "mismatch":
                # Another address of the same family (198.18.0.0/15 and
                # 2001:db8:ffff::/48 hold no client address).
                if fam == 4:
                    other = ipaddress.IPv4Address((198 << 24) + (18 << 16) + i)
                else:
                    other = ipaddress.IPv6Address(
                        (0x20010db8ffff << 80) + i + 1)
                fwd.append("%s. %s %s\n" % (name, rtype, other))
                rows.append((str(addr), "fail", kind))
            else:  # dangling: the PTR name does not exist
                rows.append((str(addr), "fail", kind))

    with open(os.path.join(zdir, "10.in-addr.arpa.zone"), "w") as f:
        f.writelines(rev4)
    with open(os.path.join(zdir, "8.b.d.0.1.0.0.2.ip6.arpa.zone"), "w") as f:
        f.writelines(rev6)
    with open(os.path.join(zdir, FWD + ".zone"), "w") as f:
        f.writelines(fwd)

    rnd.shuffle(rows)
    with open(os.path.join(a.out, "addresses.txt"), "w") as f:
        f.writelines(r[0] + "\n" for r in rows)
    with open(os.path.join(a.out, "expected.tsv"), "w") as f:
        f.writelines("%s\t%s\t%s\n" % r for r in rows)
    rnd.shuffle(perf)
    with open(os.path.join(a.out, "dnsperf.txt"), "w") as f:
        f.writelines(p + "\n" for p in perf)


if __name__ == "__main__":
    main()

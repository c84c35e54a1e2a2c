#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""faultdns.py - fault-injecting authoritative DNS responder for mxcheck tests.

Python 3 standard library only.  Serves UDP and TCP on 127.0.0.1 (and ::1
with --ipv6), on the same port for every socket.  The behaviour is chosen
by the query name; see tests/faultdns.md for the table of cases.

Usage:
    python3 tests/faultdns.py [--port N] [--port-file FILE] [--ipv6]
                              [--closed-port-file FILE] [--verbose]

--port 0 (the default) picks a free port.  Once every socket listens, the
port number is written to FILE (temp file + rename, so a reader never sees
a partial file).  With --closed-port-file, a second port is reserved
whose UDP side answers every query with TC=1 and whose TCP side is closed
(a socket bound there that never listens: connections are refused); its
number goes to that file the same way.  Runs until SIGTERM or SIGINT, then
exits with status 0.
Nothing is written to stdout unless --verbose is given.
"""

import argparse
import collections
import errno
import heapq
import ipaddress
import os
import re
import selectors
import signal
import socket
import struct
import sys
import time

# The DNS wire format (names, query parsing, the message builder, record
# encoders) is tests/dnswire.py, next to this file.
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnswire import (  # noqa: E402
    T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_ANY, C_IN,
    C_ANY, NOERROR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, F_QR, F_TC, F_AD, TTL,
    Builder, Malformed, dn, formerr, lower, name_text, parse_query,
    response_flags, rr_a, rr_aaaa, rr_cname, rr_mx, rr_ns, rr_ptr, rr_txt,
    too_big, wire_name, pad_to)
import dnswire  # noqa: E402

SLOW_DELAY = 0.300    # seconds, case N=15
DRIP_GAP = 0.002      # seconds between two octets of a dripped TCP answer
LATE_DELAY = 1.000    # seconds, every answer under late.fault.test

VERBOSE = False


def log(msg):
    if VERBOSE:
        sys.stdout.write("faultdns: %s\n" % msg)
        sys.stdout.flush()


# --------------------------------------------------------------------------
# Zone data

def rr_soa(zone):
    return dnswire.rr_soa(zone, dn("ns.fault.test"),
                          dn("hostmaster.fault.test"), 2024010101)


FAULT = dn("fault.test")
REV4 = dn("100.51.198.in-addr.arpa")
REV6 = tuple(dn(ipaddress.ip_address("2001:db8:fa::").reverse_pointer)[-14:])
REV6_3 = dn(ipaddress.ip_address("2001:db8:fa::3").reverse_pointer)
REV6_1 = dn(ipaddress.ip_address("2001:db8:fa::1").reverse_pointer)
ZONES = [lower(FAULT), lower(REV4), lower(REV6)]


def n(s):
    return lower(dn(s))


def sub(label, zone=FAULT):
    return (label.encode("ascii"),) + zone


# Forward data: lowercased name -> {type: [rr, ...]} or a special marker.
FORWARD = {
    lower(FAULT): None,   # filled in below (SOA, NS)
    n("ns.fault.test"): {T_A: [rr_a(dn("ns.fault.test"), "127.0.0.1")]},
    n("tc.fault.test"): {T_A: [rr_a(dn("tc.fault.test"), "198.51.100.3")]},
    n("tc6.fault.test"): {T_AAAA: [rr_aaaa(dn("tc6.fault.test"),
                                           "2001:db8:fa::3")]},
    n("id4.fault.test"): {T_A: [rr_a(dn("id4.fault.test"), "198.51.100.4")]},
    n("ok8.fault.test"): "SERVFAIL",
    n("q9.fault.test"): {T_A: [rr_a(dn("q9.fault.test"), "198.51.100.9")]},
    n("slow.fault.test"): {T_A: [rr_a(dn("slow.fault.test"),
                                      "198.51.100.15")]},
    n("qr19.fault.test"): {T_A: [rr_a(dn("qr19.fault.test"),
                                      "198.51.100.19")]},
    n("ok20.fault.test"): {T_A: [rr_a(dn("ok20.fault.test"),
                                      "198.18.%d.%d" % (k >> 8, k & 255))
                                 for k in range(299)]
                           + [rr_a(dn("ok20.fault.test"), "198.51.100.20")]},
    # N=21: the answer carries an A record of a different owner
    n("ok21.fault.test"): {T_A: [rr_a(dn("other.fault.test"),
                                      "198.51.100.21")]},
    n("other.fault.test"): {T_A: [rr_a(dn("other.fault.test"),
                                       "198.51.100.21")]},
    # N=24/25: answers with the AD bit (see AD_NAMES)
    n("ad24.fault.test"): {T_A: [rr_a(dn("ad24.fault.test"),
                                      "198.51.100.24")]},
    n("ad25.fault.test"): {T_A: [rr_a(dn("ad25.fault.test"),
                                      "198.51.100.25")]},
    # N=26: the forward name is a CNAME loop
    n("loop26a.fault.test"): {T_CNAME: [rr_cname(dn("loop26a.fault.test"),
                                                 dn("loop26b.fault.test"))]},
    n("loop26b.fault.test"): {T_CNAME: [rr_cname(dn("loop26b.fault.test"),
                                                 dn("loop26a.fault.test"))]},
    # N=27: RFC 2317 classless delegation; the PTR is behind a CNAME
    n("27.sub.100.51.198.in-addr.arpa"): {
        T_PTR: [rr_ptr(dn("27.sub.100.51.198.in-addr.arpa"),
                       dn("c27.fault.test"))]},
    n("c27.fault.test"): {T_A: [rr_a(dn("c27.fault.test"), "198.51.100.27")]},
}
# SPF cases (zone spf.fault.test; see faultdns.md, "SPF cases").
SPF = dn("spf.fault.test")
SPF_DELAY = 0.300     # seconds, the pf*.spf.fault.test tree


def spf_txt(label, text):
    owner = (label.encode("ascii"),) + SPF
    FORWARD[lower(owner)] = {T_TXT: [rr_txt(owner, text)]}


# drop: the TXT query is never answered (temperror)
FORWARD[lower((b"drop",) + SPF)] = "DROP"
# servfail: SERVFAIL for any type (temperror)
FORWARD[lower((b"servfail",) + SPF)] = "SERVFAIL"
# big: a 60000-octet record, sent over TCP only (TC over UDP): over the
# evaluator's 16384-octet cap, a permerror
spf_txt("big", b"v=spf1" + b" a" * 29997)
# long: a 10000-octet record of ip4 terms, also over TCP only; it ends in
# ip4:198.51.100.0/24 -all, so 198.51.100.N passes
spf_txt("long", b"v=spf1" + b"".join(b" ip4:203.0.113.%d/32" % (i % 256)
                                     for i in range(500))
        + b" ip4:198.51.100.0/24 -all")
# bomb: one exists: term whose expansion is 1000 times the sender: the
# expansion is capped (permerror), never built whole
spf_txt("bomb", b"v=spf1 exists:" + b"%{s}" * 1000 + b".spf.fault.test -all")
# bomb2: 400 a: terms with macros (ns.fault.test, 127.0.0.1): the 10-term
# limit stops it at the 11th
spf_txt("bomb2", b"v=spf1" + b" a:ns.%{d2}" * 400 + b" -all")
# macros, macros2: macro expansions that libspf2's expander mishandled in
# the past (CVE-2021-20314, CVE-2023-42118): reversed, cut and
# delimited expansions of a long local-part, a huge digit count, an
# expansion at the 253-octet cut; run by libspf2's view under ASan and
# valgrind
spf_txt("macros", b"v=spf1 exists:%{l1r+-_.=}.%{s2r}.%{o9}._m.spf.fault.test"
        b" exists:%{ir.}.%{v}.%{h}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.x -all")
spf_txt("macros2", b"v=spf1 exists:%{l4294967296r}._m.spf.fault.test"
        b" exists:%{d999999999999r-}._m.spf.fault.test -all")
# nul: a NUL octet inside a term (permerror)
spf_txt("nul", b"v=spf1 ip4:198.51.100.0/24\x00 -all")
# pf: five includes whose answers come after SPF_DELAY each (see
# SPF_DELAYED); evaluated one by one that is six round trips, with the
# includes fetched ahead two
spf_txt("pf", b"v=spf1" + b"".join(b" include:pf%d.spf.fault.test" % i
                                   for i in range(1, 6)) + b" -all")
for _i in range(1, 6):
    spf_txt("pf%d" % _i, b"v=spf1 ip4:198.51.100.%d -all" % _i)
SPF_DELAYED = {lower((b"pf%d" % _i,) + SPF) for _i in range(1, 6)}
SPF_DELAYED.add(lower((b"pf",) + SPF))
# dp: include:dp1 ... dp3, then mx:dpm; dpN includes dpNa; dpm has one MX
# host, dph (198.51.100.60); every answer of this tree comes after
# SPF_DELAY.  Evaluated one by one that is six round trips; with the
# records fetched ahead followed one level further and the MX host fetched
# ahead, three
spf_txt("dp", b"v=spf1" + b"".join(b" include:dp%d.spf.fault.test" % i
                                   for i in range(1, 4))
        + b" mx:dpm.spf.fault.test -all")
for _i in range(1, 4):
    spf_txt("dp%d" % _i, b"v=spf1 ip4:198.51.100.4%d"
            b" include:dp%da.spf.fault.test -all" % (_i, _i))
    spf_txt("dp%da" % _i, b"v=spf1 ip4:198.51.100.5%d -all" % _i)
FORWARD[lower((b"dpm",) + SPF)] = {
    T_MX: [rr_mx((b"dpm",) + SPF, 10, (b"dph",) + SPF)]}
FORWARD[lower((b"dph",) + SPF)] = {
    T_A: [rr_a((b"dph",) + SPF, "198.51.100.60")]}
SPF_DELAYED |= {lower(n + SPF) for n in
                [(b"dp",), (b"dpm",), (b"dph",)] +
                [(b"dp%d" % _i,) for _i in range(1, 4)] +
                [(b"dp%da" % _i,) for _i in range(1, 4)]}

# DMARC cases (names under dmarc.fault.test; see faultdns.md, "DMARC
# cases").  Every other _dmarc name here gets NXDOMAIN, as any unknown name.
DMARC = dn("dmarc.fault.test")


def dmarc_txt(labels, text):
    owner = tuple(x.encode("ascii") for x in labels) + DMARC
    FORWARD[lower(owner)] = {T_TXT: [rr_txt(owner, text)]}


# _dmarc.drop: the TXT query is never answered (temperror)
FORWARD[lower((b"_dmarc", b"drop") + DMARC)] = "DROP"
# _dmarc.rec: a record; above it, _dmarc.dmarc.fault.test gets SERVFAIL,
# so the organizational domain of names under dmarc.fault.test is unknown
dmarc_txt(("_dmarc", "rec"),
          b"v=DMARC1; p=reject; rua=mailto:d@rec.dmarc.fault.test")
FORWARD[lower((b"_dmarc",) + DMARC)] = "SERVFAIL"

# Transport faults (see faultdns.md, "Transport faults"): the same data
# under drip.fault.test, max.fault.test and late.fault.test (and behind
# the reverse cases N=28, 29, 30), each zone delivered in its own broken
# way by transport_fault().  The data: an A record, an SPF record that
# passes 198.51.100.0/24, a DMARC record, the Ed25519 DKIM key of RFC 8463
# (selector brisbane).
TRANSPORT = {b"drip": 28, b"max": 29, b"late": 30}
DKIM_ED25519 = (b"v=DKIM1; k=ed25519; "
                b"p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
for _m, _n in TRANSPORT.items():
    _z = (_m,) + FAULT
    FORWARD[lower(_z)] = {
        T_A: [rr_a(_z, "198.51.100.%d" % _n)],
        T_TXT: [rr_txt(_z, b"v=spf1 ip4:198.51.100.0/24 -all")]}
    FORWARD[lower((b"_dmarc",) + _z)] = {
        T_TXT: [rr_txt((b"_dmarc",) + _z, b"v=DMARC1; p=reject")]}
    _k = (b"brisbane", b"_domainkey") + _z
    FORWARD[lower(_k)] = {T_TXT: [rr_txt(_k, DKIM_ED25519)]}
TRANSPORT_REV = {_n: _m for _m, _n in TRANSPORT.items()}

# Forward names whose answers carry the AD bit ("validated").
AD_NAMES = {n("ad24.fault.test")}
FORWARD[lower(FAULT)] = {T_SOA: [rr_soa(FAULT)],
                         T_NS: [rr_ns(FAULT, dn("ns.fault.test"))]}
for _z in (REV4, REV6):
    FORWARD[lower(_z)] = {T_SOA: [rr_soa(_z)],
                          T_NS: [rr_ns(_z, dn("ns.fault.test"))]}

BIG_RE = re.compile(rb"^big(0|[1-9][0-9]{0,3})$")
BIG_COUNT = 2000

# PTR targets of the reverse cases that give a normal PTR answer
PTR_TARGET = {
    3: "tc.fault.test", 4: "id4.fault.test", 8: "ok8.fault.test",
    9: "q9.fault.test", 15: "slow.fault.test", 19: "qr19.fault.test",
    20: "ok20.fault.test", 21: "ok21.fault.test", 24: "ad24.fault.test",
    25: "ad25.fault.test", 26: "loop26a.fault.test",
    28: "drip.fault.test", 29: "max.fault.test", 30: "late.fault.test",
}


def enclosing_zone(lname):
    for z in ZONES:
        if len(lname) >= len(z) and lname[len(lname) - len(z):] == z:
            return z
    return None


# --------------------------------------------------------------------------
# Response construction

def start(q, qname=None):
    """A Builder holding the question (of q, or of QNAME instead); names
    are compressed whatever their case."""
    b = Builder(fold_case=True)
    b.question(q.qname if qname is None else qname, q.qtype, q.qclass)
    return b


def normal(q, proto, rcode, an=(), ns=(), ar=(), flags_extra=0, qname=None):
    """A well-formed response, with EDNS echo and UDP truncation."""
    out = dnswire.build_response(q, response_flags(q, rcode, flags_extra),
                                 an, ns, ar, qname, fold_case=True)
    if too_big(out, q, proto):
        return truncated(q, qname)
    return out


def truncated(q, qname=None):
    """TC=1, question only (plus OPT when the query had EDNS)."""
    return dnswire.build_response(q, response_flags(q, NOERROR, F_TC),
                                  qname=qname, fold_case=True)


def rcode_only(q, proto, rcode):
    return normal(q, proto, rcode)


def nxdomain(q, proto, lname):
    z = enclosing_zone(lname)
    soa = [rr_soa(z)] if z is not None else [rr_soa(FAULT)]
    return normal(q, proto, NXDOMAIN, ns=soa)


def nodata(q, proto, lname):
    z = enclosing_zone(lname) or lower(FAULT)
    return normal(q, proto, NOERROR, ns=[rr_soa(z)])


def raw_answer(q, rtype, rdata_fn, ancount=1, rdlen_extra=0):
    """Header + question + one RR with owner = question name (compressed
    pointer) and RDATA produced by rdata_fn(offset_of_rdata).  No OPT."""
    b = start(q)
    b.buf += struct.pack("!HHHIH", 0xC00C, rtype, C_IN, TTL, 0)
    off = len(b.buf)
    rdata = rdata_fn(off)
    struct.pack_into("!H", b.buf, off - 2, len(rdata) + rdlen_extra)
    b.buf += rdata
    b.header(q.id, response_flags(q, NOERROR), 1, ancount, 0, 0)
    return b.bytes()


def ptr_case(q, proto, lname, target):
    if q.qtype in (T_PTR, T_ANY):
        return normal(q, proto, NOERROR, an=[rr_ptr(q.qname, dn(target))])
    return nodata(q, proto, lname)


def answer_reverse(q, proto, case, lname, tc_target="tc.fault.test"):
    """Returns bytes, None (drop) or ('delay', seconds, bytes)."""
    if case == 1:
        return rcode_only(q, proto, SERVFAIL)
    if case == 2:
        return None
    if case == 3:
        if proto == "udp":
            return truncated(q)
        return ptr_case(q, proto, lname, tc_target)
    if case == 4:
        out = bytearray(ptr_case(q, proto, lname, PTR_TARGET[4]))
        struct.pack_into("!H", out, 0, q.id ^ 0x5555)
        return bytes(out)
    if case == 5:       # pointer to itself
        return raw_answer(q, T_PTR,
                          lambda o: struct.pack("!H", 0xC000 | o))
    if case == 17:      # two pointers pointing at each other
        return raw_answer(q, T_PTR,
                          lambda o: struct.pack("!HH", 0xC000 | (o + 2),
                                                0xC000 | o))
    if case == 6:
        if proto == "udp":
            return truncated(q)
        if q.qtype not in (T_PTR, T_ANY):
            return nodata(q, proto, lname)
        an = [rr_ptr(q.qname, sub("big%d" % k)) for k in range(BIG_COUNT)]
        return normal(q, proto, NOERROR, an=an)
    if case == 7:       # ANCOUNT=1 but nothing after the question
        b = start(q)
        b.header(q.id, response_flags(q, NOERROR), 1, 1, 0, 0)
        return b.bytes()
    if case == 9:       # question for another name
        other = dn("90.100.51.198.in-addr.arpa")
        return normal(q, proto, NOERROR, an=[rr_ptr(other, dn(PTR_TARGET[9]))],
                      qname=other)
    if case == 10:
        return rcode_only(q, proto, REFUSED)
    if case == 11:      # pointer beyond the end of the packet
        return raw_answer(q, T_PTR, lambda o: b"\x03p11" +
                          struct.pack("!H", 0xC000 | 0x3FF0))
    if case == 12:      # RDLENGTH runs past the end
        return raw_answer(q, T_PTR, lambda o: wire_name(dn("r12.fault.test")),
                          rdlen_extra=200)
    if case == 13:      # name longer than 255 octets
        long_name = (b"x" * 63,) * 5 + FAULT
        return raw_answer(q, T_PTR, lambda o: wire_name(long_name))
    if case == 18:      # label type 0x80 (reserved)
        return raw_answer(q, T_PTR, lambda o: b"\x03bad\x80abc\x00")
    if case == 14:
        if q.qtype in (T_PTR, T_ANY):
            return normal(q, proto, NOERROR,
                          an=[rr_ptr(q.qname, (b"ev\x00il\xff",) + FAULT)])
        return nodata(q, proto, lname)
    if case == 15:
        return ("delay", SLOW_DELAY, ptr_case(q, proto, lname,
                                              PTR_TARGET[15]))
    if case == 16:      # NXDOMAIN without SOA
        return normal(q, proto, NXDOMAIN)
    if case == 19:      # QR=0
        out = bytearray(ptr_case(q, proto, lname, PTR_TARGET[19]))
        struct.pack_into("!H", out, 2,
                         struct.unpack_from("!H", out, 2)[0] & ~F_QR)
        return bytes(out)
    if case in (8, 20, 21, 26, 28, 29, 30):
        return ptr_case(q, proto, lname, PTR_TARGET[case])
    if case in (24, 25):    # validated (AD) PTR answers
        return normal(q, proto, NOERROR,
                      an=[rr_ptr(q.qname, dn(PTR_TARGET[case]))],
                      flags_extra=F_AD)
    if case == 27:          # CNAME into another zone, target not included
        return normal(q, proto, NOERROR,
                      an=[rr_cname(q.qname,
                                   dn("27.sub.100.51.198.in-addr.arpa"))])
    if case == 22:      # NODATA without SOA
        return normal(q, proto, NOERROR)
    if case == 23:      # A record in answer to a PTR question
        return raw_answer(q, T_A,
                          lambda o: socket.inet_aton("198.51.100.23"))
    return nxdomain(q, proto, lname)


def transport_of(lname):
    """The transport fault of a (lowercased) name: b"drip", b"max",
    b"late" or None."""
    if len(lname) == 6 and lname[1:] == lower(REV4):
        lab = lname[0]
        if lab.isdigit() and len(lab) == 2:
            return TRANSPORT_REV.get(int(lab))
        return None
    # 198.18.0.0/15 (RFC 2544, benchmarking): every reverse name is late,
    # so that a batch of distinct addresses keeps its checks in flight
    if (len(lname) == 6 and lname[2:] == (b"18", b"198", b"in-addr", b"arpa")
            or len(lname) == 6
            and lname[2:] == (b"19", b"198", b"in-addr", b"arpa")):
        return b"late"
    for m in TRANSPORT:
        z = (m,) + lower(FAULT)
        if len(lname) >= len(z) and lname[len(lname) - len(z):] == z:
            return m
    return None


def transport_fault(mode, q, proto, out):
    """The answer OUT (built as for TCP: never truncated) delivered the
    way MODE breaks it."""
    if out is None or isinstance(out, tuple):
        return out
    if mode == b"late":                     # both protocols, long after
        return ("delay", LATE_DELAY, out)
    if proto == "udp":                      # drip, max: TCP only
        return truncated(q)
    if mode == b"drip":
        return ("drip", out)
    return pad_to(out, 65535)               # max


def answer(q, proto):
    mode = transport_of(lower(q.qname))
    if mode is None or q.opcode != 0 or q.qclass not in (C_IN, C_ANY):
        return answer_plain(q, proto)
    return transport_fault(mode, q, proto, answer_plain(q, "tcp"))


def answer_plain(q, proto):
    lname = lower(q.qname)
    if q.opcode != 0:
        return normal(q, proto, NOTIMP)
    if q.qclass not in (C_IN, C_ANY):
        return normal(q, proto, REFUSED)

    # IPv4 reverse cases: N.100.51.198.in-addr.arpa
    if len(lname) == 6 and lname[1:] == lower(REV4):
        lab = lname[0]
        if lab.isdigit() and len(lab) <= 3 and (lab == b"0" or lab[0:1] != b"0"):
            return answer_reverse(q, proto, int(lab), lname)
        return nxdomain(q, proto, lname)

    # IPv6 reverse cases
    if lname == lower(REV6_3):
        return answer_reverse(q, proto, 3, lname, "tc6.fault.test")
    if lname == lower(REV6_1):
        return answer_reverse(q, proto, 1, lname)
    # forward names
    data = FORWARD.get(lname)
    if data is None and len(lname) == 3 and lname[1:] == lower(FAULT):
        if BIG_RE.match(lname[0]) and int(lname[0][3:]) < BIG_COUNT:
            data = {T_A: [rr_a(q.qname, "198.51.100.6")]}
    if data is None:
        return nxdomain(q, proto, lname)
    if data == "SERVFAIL":
        return rcode_only(q, proto, SERVFAIL)
    if data == "DROP":
        return None
    if lname in SPF_DELAYED:
        an = data.get(q.qtype, [])
        if not an:
            return ("delay", SPF_DELAY, nodata(q, proto, lname))
        an = [(q.qname, r[1], r[2]) for r in an]
        return ("delay", SPF_DELAY, normal(q, proto, NOERROR, an=an))
    if q.qtype == T_ANY:
        an = [r for rrs in data.values() for r in rrs]
    else:
        an = data.get(q.qtype, []) or data.get(T_CNAME, [])
    if not an:
        return nodata(q, proto, lname)
    an = [(q.qname, r[1], r[2]) if lower(r[0]) == lname else r for r in an]
    return normal(q, proto, NOERROR, an=an,
                  flags_extra=F_AD if lname in AD_NAMES else 0)


def handle(msg, proto):
    """Returns None, bytes or ('delay', secs, bytes).  Never raises."""
    try:
        try:
            q = parse_query(msg)
        except Malformed as e:
            log("%s: malformed query id=%d -> FORMERR" % (proto, e.args[0].id))
            return formerr(e.args[0], msg)
        if q is None:
            log("%s: ignored packet (%d bytes)" % (proto, len(msg)))
            return None
        res = answer(q, proto)
        if VERBOSE:
            what = ("drop" if res is None else
                    res[0] if isinstance(res, tuple) else "%d bytes" % len(res))
            log("%s: id=%d %s type=%d edns=%s -> %s"
                % (proto, q.id, name_text(q.qname), q.qtype, q.edns, what))
        return res
    except Exception as e:     # never let a packet kill the server
        log("%s: internal error: %r" % (proto, e))
        return None


# --------------------------------------------------------------------------
# Server loop

class TcpConn:
    def __init__(self, sock):
        self.sock = sock
        self.rbuf = bytearray()
        self.wbuf = bytearray()
        self.eof = False
        self.pending = 0
        self.closed = False
        self.registered = True
        # framed answers not yet in wbuf, in order: [frame, drip]; a
        # dripped frame goes to wbuf one octet per DRIP_GAP, and the frames
        # after it wait for it (answers never interleave on the stream)
        self.outq = collections.deque()
        self.dripping = False


class Server:
    MAX_TCP = 512

    def __init__(self, port, ipv6, closed_port=False):
        self.sel = selectors.DefaultSelector()
        self.timers = []          # heap of (when, seq, callback)
        self.seq = 0
        self.conns = set()
        self.socks = []
        self.port = self._bind(port, ipv6)
        self.closed_port = self._bind_closed() if closed_port else None
        self.stop = False

    def _bind_closed(self):
        """The closed port: UDP answers TC=1 to everything; TCP is a socket
        bound to the same port that never listens, so that a connection is
        refused (and no other program takes the port meanwhile)."""
        last = None
        for _attempt in range(100):
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                u.bind(("127.0.0.1", 0))
                p = u.getsockname()[1]
                t.bind(("127.0.0.1", p))
            except OSError as e:
                last = e
                u.close()
                t.close()
                if e.errno != errno.EADDRINUSE:
                    raise
                continue
            u.setblocking(False)
            self.socks += [u, t]
            self.sel.register(u, selectors.EVENT_READ, ("udptc", u))
            return p
        raise last

    def _bind(self, port, ipv6):
        addrs = [(socket.AF_INET, "127.0.0.1")]
        if ipv6:
            addrs.append((socket.AF_INET6, "::1"))
        last = None
        for _attempt in range(100 if port == 0 else 1):
            socks = []
            try:
                p = port
                for fam, addr in addrs:
                    for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                        s = socket.socket(fam, typ)
                        socks.append(s)
                        if fam == socket.AF_INET6:
                            s.setsockopt(socket.IPPROTO_IPV6,
                                         socket.IPV6_V6ONLY, 1)
                        if typ == socket.SOCK_STREAM:
                            s.setsockopt(socket.SOL_SOCKET,
                                         socket.SO_REUSEADDR, 1)
                        s.bind((addr, p))
                        if p == 0:
                            p = s.getsockname()[1]
                        if typ == socket.SOCK_STREAM:
                            s.listen(64)
                        s.setblocking(False)
                self.socks = socks
                for s in socks:
                    kind = ("tcp" if s.type == socket.SOCK_STREAM else "udp")
                    self.sel.register(s, selectors.EVENT_READ, (kind, s))
                return p
            except OSError as e:
                last = e
                for s in socks:
                    s.close()
                if e.errno != errno.EADDRINUSE:
                    raise
        raise last

    def add_timer(self, delay, cb):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + delay, self.seq, cb))

    # ---- UDP
    def on_udp(self, s):
        for _ in range(64):
            try:
                msg, peer = s.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            res = handle(msg, "udp")
            if res is None:
                continue
            if isinstance(res, tuple):
                _, delay, data = res
                self.add_timer(delay, lambda s=s, d=data, p=peer:
                               self.udp_send(s, d, p))
            else:
                self.udp_send(s, res, peer)

    def on_udp_tc(self, s):
        """The closed port's UDP side: TC=1 to every query."""
        for _ in range(64):
            try:
                msg, peer = s.recvfrom(65535)
            except (BlockingIOError, InterruptedError, OSError):
                return
            try:
                q = parse_query(msg)
            except Malformed as e:
                self.udp_send(s, formerr(e.args[0], msg), peer)
                continue
            except Exception:       # never let a packet kill the server
                continue
            if q is not None:
                log("closed port: id=%d %s -> TC" % (q.id, name_text(q.qname)))
                self.udp_send(s, truncated(q), peer)

    @staticmethod
    def udp_send(s, data, peer):
        try:
            s.sendto(data, peer)
        except OSError:
            pass

    # ---- TCP
    def on_accept(self, s):
        for _ in range(64):
            try:
                c, _peer = s.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if len(self.conns) >= self.MAX_TCP:
                c.close()
                continue
            c.setblocking(False)
            try:    # a dripped octet is a segment of its own
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            conn = TcpConn(c)
            self.conns.add(conn)
            self.sel.register(c, selectors.EVENT_READ, ("conn", conn))

    def conn_close(self, conn):
        if conn.closed:
            return
        conn.closed = True
        self.conns.discard(conn)
        if conn.registered:
            conn.registered = False
            try:
                self.sel.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
        conn.sock.close()

    def conn_update(self, conn):
        if conn.closed:
            return
        if (conn.eof and not conn.wbuf and not conn.outq
                and conn.pending == 0):
            self.conn_close(conn)
            return
        ev = 0 if conn.eof else selectors.EVENT_READ
        if conn.wbuf:
            ev |= selectors.EVENT_WRITE
        # After EOF with only a delayed answer pending, the socket is left
        # unregistered (a readable-at-EOF socket would make select() spin).
        try:
            if ev == 0:
                if conn.registered:
                    self.sel.unregister(conn.sock)
                    conn.registered = False
            elif conn.registered:
                self.sel.modify(conn.sock, ev, ("conn", conn))
            else:
                self.sel.register(conn.sock, ev, ("conn", conn))
                conn.registered = True
        except (KeyError, ValueError, OSError):
            pass

    def conn_queue(self, conn, data, drip=False):
        if conn.closed:
            return
        conn.outq.append([bytearray(struct.pack("!H", len(data)) + data),
                          drip])
        self.conn_pump(conn)

    def conn_pump(self, conn):
        """Frames from outq to wbuf, up to the first dripped one."""
        while conn.outq and not conn.dripping:
            frame, drip = conn.outq[0]
            if not drip:
                conn.wbuf += frame
                conn.outq.popleft()
                continue
            conn.dripping = True
            self.add_timer(DRIP_GAP, lambda c=conn: self.conn_drip(c))
        self.conn_update(conn)

    def conn_drip(self, conn):
        if conn.closed:
            return
        frame = conn.outq[0][0]
        conn.wbuf += frame[:1]
        del frame[:1]
        if frame:
            self.add_timer(DRIP_GAP, lambda c=conn: self.conn_drip(c))
        else:
            conn.outq.popleft()
            conn.dripping = False
        self.conn_pump(conn)

    def conn_delayed(self, conn, data):
        conn.pending -= 1
        if conn.closed:
            return
        self.conn_queue(conn, data)

    def on_conn(self, conn, mask):
        if mask & selectors.EVENT_READ and not conn.eof:
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                self.conn_close(conn)
                return
            if data is not None:
                if not data:
                    conn.eof = True
                else:
                    conn.rbuf += data
                    while len(conn.rbuf) >= 2:
                        ln = struct.unpack_from("!H", conn.rbuf, 0)[0]
                        if len(conn.rbuf) < 2 + ln:
                            break
                        msg = bytes(conn.rbuf[2:2 + ln])
                        del conn.rbuf[:2 + ln]
                        res = handle(msg, "tcp")
                        if res is None:
                            continue
                        if isinstance(res, tuple) and res[0] == "drip":
                            self.conn_queue(conn, res[1], drip=True)
                        elif isinstance(res, tuple):
                            _, delay, out = res
                            conn.pending += 1
                            self.add_timer(delay, lambda c=conn, d=out:
                                           self.conn_delayed(c, d))
                        else:
                            self.conn_queue(conn, res)
        if mask & selectors.EVENT_WRITE and conn.wbuf and not conn.closed:
            try:
                sent = conn.sock.send(conn.wbuf)
                del conn.wbuf[:sent]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.conn_close(conn)
                return
        self.conn_update(conn)

    # ---- main loop
    def run(self):
        rfd, wfd = socket.socketpair()
        rfd.setblocking(False)
        wfd.setblocking(False)
        old_wakeup = signal.set_wakeup_fd(wfd.fileno())
        self.sel.register(rfd, selectors.EVENT_READ, ("wake", rfd))

        def on_signal(signum, frame):
            self.stop = True
        old_term = signal.signal(signal.SIGTERM, on_signal)
        old_int = signal.signal(signal.SIGINT, on_signal)
        try:
            while not self.stop:
                timeout = None
                if self.timers:
                    timeout = max(0.0, self.timers[0][0] - time.monotonic())
                try:
                    events = self.sel.select(timeout)
                except InterruptedError:
                    events = []
                for key, mask in events:
                    kind, obj = key.data
                    try:
                        if kind == "udp":
                            self.on_udp(obj)
                        elif kind == "udptc":
                            self.on_udp_tc(obj)
                        elif kind == "tcp":
                            self.on_accept(obj)
                        elif kind == "conn":
                            if not obj.closed:
                                self.on_conn(obj, mask)
                        elif kind == "wake":
                            try:
                                while obj.recv(512):
                                    pass
                            except OSError:
                                pass
                    except Exception as e:
                        log("loop error: %r" % (e,))
                now = time.monotonic()
                while self.timers and self.timers[0][0] <= now:
                    _, _, cb = heapq.heappop(self.timers)
                    try:
                        cb()
                    except Exception as e:
                        log("timer error: %r" % (e,))
        finally:
            signal.signal(signal.SIGTERM, old_term)
            signal.signal(signal.SIGINT, old_int)
            signal.set_wakeup_fd(old_wakeup)
            for conn in list(self.conns):
                self.conn_close(conn)
            for s in self.socks:
                s.close()
            rfd.close()
            wfd.close()
            self.sel.close()


def write_port_file(path, port):
    d = os.path.dirname(path) or "."
    tmp = os.path.join(d, ".%s.tmp.%d" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    global VERBOSE
    ap = argparse.ArgumentParser(
        description="Fault-injecting authoritative DNS responder for tests "
                    "(see tests/faultdns.md).")
    ap.add_argument("--port", type=int, default=0,
                    help="UDP+TCP port (0 = pick a free one; default 0)")
    ap.add_argument("--port-file", metavar="FILE",
                    help="write the port number here once listening")
    ap.add_argument("--ipv6", action="store_true",
                    help="also listen on ::1 (same port)")
    ap.add_argument("--closed-port-file", metavar="FILE",
                    help="also reserve a port whose UDP side answers TC=1 "
                         "and whose TCP side is closed; write it here")
    ap.add_argument("--verbose", action="store_true",
                    help="log queries to stdout")
    args = ap.parse_args(argv)
    VERBOSE = args.verbose
    if not 0 <= args.port <= 65535:
        ap.error("--port must be 0..65535")

    try:
        srv = Server(args.port, args.ipv6, bool(args.closed_port_file))
    except OSError as e:
        sys.stderr.write("faultdns: cannot listen: %s\n" % e)
        return 1
    if args.closed_port_file:
        write_port_file(args.closed_port_file, srv.closed_port)
    if args.port_file:
        write_port_file(args.port_file, srv.port)
    log("listening on port %d%s" % (srv.port, " (+ ::1)" if args.ipv6 else ""))
    srv.run()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

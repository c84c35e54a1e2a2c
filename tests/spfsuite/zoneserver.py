#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""zoneserver.py - serve one scenario of the RFC 7208 SPF test suite as DNS.

The suite (rfc7208-tests.yml, a stream of YAML documents, one per scenario)
gives each scenario a `zonedata` map: owner name -> list of records.  This
server loads the file and answers authoritatively, over UDP and TCP on
127.0.0.1 (one port for both), for the zone data of ONE scenario, so that a
real resolver (c-ares inside libmxcheck) can evaluate the scenario's tests.
Scenarios cannot share a server: their names overlap.

Python 3 standard library, plus PyYAML (Debian: python3-yaml).

Usage:
    zoneserver.py [--suite FILE] --list
    zoneserver.py --self-test
    zoneserver.py [--suite FILE] --scenario N|DESCRIPTION --tests [FILE]
    zoneserver.py [--suite FILE] --scenario N|DESCRIPTION [--port N]
                  [--port-file FILE] [--tests-file FILE] [--verbose]

--list prints one line per scenario: index, number of tests, description
(TAB-separated).  --tests prints the scenario's tests in the driver's line
format (see below) and exits.  Without either, the server runs until SIGTERM
or SIGINT, then exits 0; --port 0 (the default) picks a free port, written
to --port-file (temp file + rename) once both sockets listen.  --tests-file
writes the test lines too (before the port file), so one start serves both.

How the zone data is served (it mirrors pyspf's test driver, testspf.py,
the reference driver of the suite):
  * Names are case-insensitive; owners keep the case of the query, names in
    RDATA keep the case of the YAML.
  * TXT and SPF (type 99): a string is one character-string, a list of
    strings gives several character-strings (the client joins them without
    spaces); a string longer than 255 octets is split into 255-octet
    character-strings; an empty list is a TXT record with no string at all.
    Characters U+0000..U+00FF are one octet each (the suite writes non-ASCII
    octets as "\\xHH" escapes, NUL as "\\0"), anything above makes the
    string UTF-8; nothing is filtered.
  * An SPF record of a name that has no TXT entry is also served as TXT (the
    suite relies on this "auto-magic duplication"); `TXT: NONE` stops that
    and means "no TXT record".
  * A, AAAA, MX ([preference, exchange]), PTR, CNAME.  CNAMEs are chased
    inside the zone data (the answer holds the chain, then the target's
    records); a loop stops at the first repeated name.
  * TIMEOUT in a name's list: a query for a type that has no record listed
    before the TIMEOUT marker gets no answer at all (UDP or TCP); a type
    with records before it is answered normally.  So a name whose list is
    just TIMEOUT never answers.  (Also as testspf.py: a name absent from the
    zone data whose first label is "error" never answers.)
  * A name absent from the zone data: NXDOMAIN; a name with no record of
    the type, or an empty non-terminal: NODATA.  Both carry the SOA of the
    fake root zone in the authority section, for negative caching.
  * Over UDP an answer larger than 512 bytes, or than the EDNS payload size
    of the query, is sent with TC=1 and no records; the client retries over
    TCP, which carries any size.
  * The self-test (--self-test) checks these rules over real sockets.

Test line format (UTF-8, TAB-separated, one record per line; in a field a
backslash, a TAB and a newline are written as \\\\, \\t, \\n, every other
control character and the characters U+007F..U+00FF as \\xHH, the octet
the server would send for them):
    S <index> <description>
    T <name> <host> <mailfrom> <helo> <results> <explanation>
<results> is a comma-separated list of acceptable results; <explanation>
is "-" when the test gives none, else "=" followed by the expected text.
"""

import argparse
import ipaddress
import os
import signal
import socket
import socketserver
import struct
import sys
import threading

try:
    import yaml
except ImportError:
    sys.stderr.write("zoneserver: the python module yaml (Debian package "
                     "python3-yaml) is missing\n")
    sys.exit(3)

# The DNS wire format (names, query parsing, the message builder, record
# encoders) is tests/dnswire.py, in the directory above this one.
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir))
from dnswire import (  # noqa: E402
    T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_SPF, T_OPT,
    T_ANY, C_IN, C_ANY, NOERROR, NXDOMAIN, NOTIMP, REFUSED, RCODE_NAMES,
    F_AA, F_RD, F_TC, TTL, Builder, Malformed, build_response, dn, formerr,
    lower, name_text, octets, parse_query, rdata_a, rdata_aaaa, rdata_mx,
    rdata_soa, read_name, response_flags, too_big, txt_rdata)

TYPES = {"A": T_A, "AAAA": T_AAAA, "MX": T_MX, "PTR": T_PTR, "CNAME": T_CNAME,
         "TXT": T_TXT, "SPF": T_SPF}
TYPE_NAMES = dict((v, k) for k, v in TYPES.items())
TYPE_NAMES.update({T_NS: "NS", T_SOA: "SOA", T_OPT: "OPT", T_ANY: "ANY"})
MAX_CNAME_HOPS = 16
TIMEOUT = "TIMEOUT"         # marker in a name's entry list

VERBOSE = False


def log(msg):
    if VERBOSE:
        sys.stderr.write("zoneserver: %s\n" % msg)
        sys.stderr.flush()


# --------------------------------------------------------------------------
# Messages

SOA_ZONE = ()       # the fake zone of negative answers: the root
SOA_RR = (SOA_ZONE, T_SOA,
          rdata_soa(dn("ns.spfsuite.invalid"),
                    dn("hostmaster.spfsuite.invalid"),
                    2014040101, 3600, 600, 86400, TTL))


def response(q, proto, rcode, an=(), ns=()):
    """The answer to q, truncated (TC=1, no records) when it does not fit.
    Names go out in the case they were given (the owner of an answer: as
    asked; a name in RDATA: as in the YAML)."""
    out = build_response(q, response_flags(q, rcode), an, ns)
    if too_big(out, q, proto):
        return build_response(q, response_flags(q, rcode, F_TC))
    return out


# --------------------------------------------------------------------------
# Zone data

def rdata_of(rtype, value):
    """YAML value of a record -> list for Builder.rr().  TXT and SPF: a
    string, or a list of strings (one character-string each)."""
    if rtype == T_A:
        return rdata_a(str(value).strip())
    if rtype == T_AAAA:
        return rdata_aaaa(str(value).strip())
    if rtype == T_MX:
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError("MX wants [preference, exchange]: %r" % (value,))
        return rdata_mx(int(value[0]), dn(str(value[1])))
    if rtype in (T_PTR, T_CNAME):
        return [dn(str(value))]
    parts = value if isinstance(value, list) else [value]
    return [txt_rdata([octets(str(part)) for part in parts])]


def load_zone(zonedata):
    """zonedata -> {lowercased name: [TIMEOUT | (type, rdata), ...]}, in the
    order of the YAML, as testspf.py's getrdata() sees it."""
    zone = {}
    for owner, entries in (zonedata or {}).items():
        out = []
        generated = []      # TXT copies of SPF records
        has_txt = False
        for ent in entries or []:
            if ent == TIMEOUT:
                out.append(TIMEOUT)
                continue
            if not isinstance(ent, dict):
                raise ValueError("%s: unknown entry %r" % (owner, ent))
            for tname, value in ent.items():
                if tname not in TYPES:
                    raise ValueError("%s: unknown type %s" % (owner, tname))
                rtype = TYPES[tname]
                if rtype == T_TXT:
                    has_txt = True
                if value == "NONE" and rtype in (T_TXT, T_SPF):
                    continue
                rec = (rtype, rdata_of(rtype, value))
                out.append(rec)
                if rtype == T_SPF:
                    generated.append((T_TXT, rec[1]))
        if not has_txt:
            out.extend(generated)
        zone.setdefault(lower(dn(str(owner))), []).extend(out)
    return zone


class Zone:
    def __init__(self, zonedata):
        self.names = load_zone(zonedata)
        # Empty non-terminals exist (NODATA, not NXDOMAIN).
        self.ents = set()
        for name in self.names:
            for i in range(1, len(name)):
                self.ents.add(name[i:])

    def lookup(self, lname, qtype):
        """-> ("records", [(type, rdata)]), ("nxdomain",), ("timeout",)."""
        entries = self.names.get(lname)
        if entries is None and not lname:   # the root: the fake zone
            return ("records", [(T_SOA, SOA_RR[2])]
                    if qtype in (T_SOA, T_ANY) else [])
        if entries is None:
            if lname in self.ents:
                return ("records", [])
            if lname and lname[0] == b"error":
                return ("timeout",)
            return ("nxdomain",)
        seen = set()
        found = []
        for ent in entries:
            if ent == TIMEOUT:
                if qtype not in seen and qtype != T_ANY:
                    return ("timeout",)
                break
            rtype, rdata = ent
            seen.add(rtype)
            if qtype in (rtype, T_ANY):
                found.append(ent)
        if not found and qtype != T_CNAME:
            # A CNAME answers any other type (it is the only record of its
            # name in sane data; anything else there is ignored).
            cn = [e for e in entries if e != TIMEOUT and e[0] == T_CNAME]
            if cn:
                return ("records", cn[:1])
        return ("records", found)

    def resolve(self, owner, qtype):
        """The answer section for owner/qtype, CNAMEs chased:
        ("timeout",), ("nxdomain", an) or ("noerror", an, nodata); an is
        a list of (owner, type, rdata); nodata: the last name of the chain
        has no record of the type (the answer carries the SOA)."""
        seen = set()
        an = []
        for _hop in range(MAX_CNAME_HOPS + 1):
            lname = lower(owner)
            seen.add(lname)
            res = self.lookup(lname, qtype)
            if res[0] == "timeout":
                return ("timeout",)
            if res[0] == "nxdomain":
                return ("nxdomain", an)
            recs = res[1]
            an.extend((owner, t, rd) for t, rd in recs)
            if (len(recs) == 1 and recs[0][0] == T_CNAME
                    and qtype not in (T_CNAME, T_ANY)):
                target = recs[0][1][0]
                if lower(target) in seen:
                    break           # a loop: the chain so far
                owner = target
                continue
            if not recs:
                return ("noerror", an, True)
            break
        return ("noerror", an, False)

    def answer(self, q, proto):
        """The response bytes for q, or None (no answer: TIMEOUT)."""
        if q.opcode != 0:
            return response(q, proto, NOTIMP)
        if q.qclass not in (C_IN, C_ANY):
            return response(q, proto, REFUSED)
        res = self.resolve(q.qname, q.qtype)
        if res[0] == "timeout":
            return None
        if res[0] == "nxdomain":
            return response(q, proto, NXDOMAIN, an=res[1], ns=[SOA_RR])
        if res[2]:
            return response(q, proto, NOERROR, an=res[1], ns=[SOA_RR])
        return response(q, proto, NOERROR, an=res[1])

    def zone_lines(self):
        """The zone data as libspf2's resolver layer would see it, one
        "Z" line per record (see zone_line())."""
        lines = []
        for lname in sorted(self.names):
            if not lname:
                continue
            for qtype in ZONE_TYPES:
                lines.extend(zone_line(lname, qtype, self.resolve(lname,
                                                                  qtype)))
        for lname in sorted(self.ents - set(self.names)):
            if lname:
                lines.append(("Z", raw_name(lname), str(T_ANY), "NO_DATA",
                              ""))
        return lines


# What libspf2 asks: TXT (SPF too in upstream builds), A, AAAA, MX, PTR.
ZONE_TYPES = (T_A, T_AAAA, T_MX, T_PTR, T_TXT, T_SPF)


def raw_name(name):
    """Labels joined by dots, unescaped: the form libspf2 asks for."""
    return ".".join(lab.decode("latin-1") for lab in name)


def zone_line(lname, qtype, res):
    """What libspf2's resolver layer (libspf2 1.2.10 spf_dns_resolv.c)
    makes of a resolution: HOST_NOT_FOUND (NXDOMAIN), TRY_AGAIN (no
    answer), NO_DATA (no record of the type), or its records: every record
    of the type in the answer section, character-strings joined, empty TXT
    records skipped, MX preferences kept in front of the name (the zone
    layer drops them), names without the final dot."""
    name = raw_name(lname)
    if res[0] == "timeout":
        return [("Z", name, str(qtype), "TRY_AGAIN", "")]
    if res[0] == "nxdomain":
        return [("Z", name, str(qtype), "HOST_NOT_FOUND", "")]
    out = []
    for _owner, rtype, rdata in res[1]:
        if rtype != qtype:
            continue
        if rtype in (T_TXT, T_SPF):
            raw = b"".join(x for x in rdata if isinstance(x, bytes))
            if not raw:
                continue            # rdlength 0
            text = b"".join(strings(raw)).decode("latin-1")
        elif rtype == T_A:
            text = socket.inet_ntop(socket.AF_INET, rdata[0])
        elif rtype == T_AAAA:
            text = socket.inet_ntop(socket.AF_INET6, rdata[0])
        elif rtype == T_MX:
            text = "%d %s" % (struct.unpack("!H", rdata[0])[0],
                              presentation(rdata[1]))
        else:
            text = presentation(rdata[0])
        out.append(("Z", name, str(qtype), "OK", text))
    return out or [("Z", name, str(qtype), "NO_DATA", "")]


def presentation(name):
    """A name as a resolver prints it: escaped, no final dot ("." for the
    root)."""
    text = name_text(name)
    return text[:-1] if len(text) > 1 else text


def handle(zone, msg, proto):
    """Response bytes or None.  Never raises."""
    try:
        try:
            q = parse_query(msg)
        except Malformed as e:
            return formerr(e.args[0], msg)
        if q is None:
            return None
        out = zone.answer(q, proto)
        if VERBOSE:
            if out is None:
                what = "no answer (TIMEOUT)"
            else:
                flags, an = struct.unpack_from("!H2xH", out, 2)
                what = "%s an=%d%s %d bytes" % (
                    RCODE_NAMES.get(flags & 0xF, str(flags & 0xF)), an,
                    " TC" if flags & F_TC else "", len(out))
            log("%s %s %s edns=%s -> %s" % (
                proto, TYPE_NAMES.get(q.qtype, str(q.qtype)),
                name_text(q.qname), q.edns, what))
        return out
    except Exception as e:      # a packet must never kill the server
        log("%s: internal error: %r" % (proto, e))
        return None


# --------------------------------------------------------------------------
# Sockets: UDP in one thread, TCP with a thread per connection.

class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(30)
        buf = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                buf += data
                while len(buf) >= 2:
                    ln = struct.unpack_from("!H", buf, 0)[0]
                    if len(buf) < 2 + ln:
                        break
                    msg, buf = buf[2:2 + ln], buf[2 + ln:]
                    out = handle(self.server.zone, msg, "tcp")
                    if out is not None:
                        sock.sendall(struct.pack("!H", len(out)) + out)
        except OSError:
            return


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def udp_loop(sock, zone, stop):
    while not stop.is_set():
        try:
            msg, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        except OSError:
            if stop.is_set():
                return
            continue
        out = handle(zone, msg, "udp")
        if out is not None:
            try:
                sock.sendto(out, peer)
            except OSError:
                pass


def bind(port):
    """TCP and UDP sockets on 127.0.0.1, on one port."""
    last = None
    for _attempt in range(100 if port == 0 else 1):
        tcp = TCPServer(("127.0.0.1", port), TCPHandler,
                        bind_and_activate=False)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            tcp.server_bind()
            tcp.server_activate()
            p = tcp.server_address[1]
            udp.bind(("127.0.0.1", p))
            udp.settimeout(0.05)
            return tcp, udp, p
        except OSError as e:
            last = e
            tcp.server_close()
            udp.close()
    raise last


def write_file(path, text):
    d = os.path.dirname(path) or "."
    tmp = os.path.join(d, ".%s.tmp.%d" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Running:
    """A server running in threads of this process."""

    def __init__(self, zone, port=0):
        self.tcp, self.udp, self.port = bind(port)
        self.tcp.zone = zone
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(target=self.tcp.serve_forever,
                             kwargs={"poll_interval": 0.05}, daemon=True),
            threading.Thread(target=udp_loop,
                             args=(self.udp, zone, self.stop_event),
                             daemon=True)]
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_event.set()
        self.tcp.shutdown()
        self.tcp.server_close()
        self.threads[1].join(1)
        self.udp.close()


def serve(zone, port, port_file, tests_text, tests_file):
    # The threads inherit a mask that blocks SIGTERM and SIGINT; the main
    # thread takes them with sigwait(), so no signal is lost in a race.
    sigs = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        srv = Running(zone, port)
    except OSError as e:
        sys.stderr.write("zoneserver: cannot listen: %s\n" % e)
        return 1
    if tests_file:
        write_file(tests_file, tests_text)
    if port_file:
        write_file(port_file, "%d\n" % srv.port)
    log("listening on 127.0.0.1 port %d (UDP and TCP)" % srv.port)
    signal.sigwait(sigs)
    srv.stop()
    log("stopped")
    return 0


# --------------------------------------------------------------------------
# Self-test: the server against a zone made to hit every rule above, queried
# over real sockets by a minimal client of our own.

SELF_TEST_ZONE = r"""
txt.test:
  - TXT: "one string"
  - TXT: ["two", " strings"]
  - TXT: []
spfonly.test:
  - SPF: "v=spf1 -all"
both.test:
  - SPF: "v=spf1 +all"
  - TXT: "v=spf1 -all"
txtnone.test:
  - SPF: "v=spf1 -all"
  - TXT: NONE
bytes.test:
  - TXT: "nul\0 bom\xEF\xBB\xBF end"
long.test:
  - TXT: "%(long)s"
big.test:
%(big)s
huge.test:
%(huge)s
mx.test:
  - MX: [10, Mail.Test]
  - MX: [20, ""]
  - A: 192.0.2.1
  - AAAA: 2001:DB8::1
4.3.2.1.in-addr.arpa:
  - PTR: mx.test
alias.test:
  - CNAME: Both.test.
loop1.test:
  - CNAME: loop2.test
loop2.test:
  - CNAME: loop1.test
dangling.test:
  - CNAME: nowhere.test
spftimeout.test:
  - TXT: "v=spf1 -all"
  - TIMEOUT
dead.test:
  - TIMEOUT
"with space.sub.test":
  - A: 192.0.2.2
"""


def self_test_zone():
    big = "".join('  - TXT: "%s"\n' % ("%02d" % i * 25) for i in range(12))
    huge = "".join('  - TXT: "%s"\n' % ("%02d" % i * 40) for i in range(30))
    text = SELF_TEST_ZONE % {"long": "x" * 300 + "y" * 300, "big": big,
                             "huge": huge}
    return yaml.safe_load(text)


def client(port, name, qtype, proto="udp", edns=None, timeout=2.0):
    """One query; -> (flags, [(owner, type, rdata bytes)], [authority
    types]) or None when no answer came."""
    qid = int.from_bytes(os.urandom(2), "big")
    b = Builder()
    b.question(name, qtype, C_IN)
    nar = 0
    if edns is not None:
        b.opt(edns)
        nar = 1
    b.header(qid, F_RD, 1, 0, 0, nar)
    msg = bytes(b.buf)
    fam = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, fam) as s:
        s.settimeout(timeout)
        try:
            if proto == "udp":
                s.sendto(msg, ("127.0.0.1", port))
                pkt = s.recv(65535)
            else:
                s.connect(("127.0.0.1", port))
                s.sendall(struct.pack("!H", len(msg)) + msg)
                pkt = b""
                while len(pkt) < 2 or len(pkt) < 2 + struct.unpack_from(
                        "!H", pkt)[0]:
                    data = s.recv(65535)
                    if not data:
                        raise ValueError("TCP connection closed early")
                    pkt += data
                pkt = pkt[2:]
        except socket.timeout:
            return None
    rid, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", pkt, 0)
    if rid != qid or qd != 1:
        raise ValueError("bad ID or question count")
    _, off = read_name(pkt, 12)
    off += 4
    rrs = []
    for _i in range(an + ns):
        owner, off = read_name(pkt, off)
        rtype, _cls, _ttl, rdlen = struct.unpack_from("!HHIH", pkt, off)
        off += 10
        rdata = pkt[off:off + rdlen]
        if rtype in (T_CNAME, T_PTR):
            rdata = read_name(pkt, off)[0]
        elif rtype == T_MX:
            rdata = (struct.unpack_from("!H", pkt, off)[0],
                     read_name(pkt, off + 2)[0])
        off += rdlen
        rrs.append((owner, rtype, rdata))
    return flags, rrs[:an], [t for _o, t, _r in rrs[an:]]


def strings(rdata):
    out, i = [], 0
    while i < len(rdata):
        out.append(rdata[i + 1:i + 1 + rdata[i]])
        i += 1 + rdata[i]
    return out


def self_test():
    zone = Zone(self_test_zone())
    srv = Running(zone)
    port = srv.port
    fails = []
    count = [0]

    def check(what, cond):
        count[0] += 1
        if not cond:
            fails.append(what)

    def q(name, qtype, proto="udp", edns=1232):
        return client(port, dn(name), qtype, proto, edns)

    def silent(name, qtype, proto="udp"):
        """No answer within 0.1 s (one that comes later is not seen)."""
        return client(port, dn(name), qtype, proto, 1232, timeout=0.1) is None

    def texts(name, qtype=T_TXT, proto="udp", edns=1232):
        r = q(name, qtype, proto, edns)
        if r is None:
            return None
        return sorted(b"|".join(strings(rd)) for _o, t, rd in r[1]
                      if t == qtype)

    try:
        check("TXT strings", texts("txt.test") ==
              sorted([b"one string", b"two| strings", b""]))
        check("TXT, empty list is rdlength 0",
              any(t == T_TXT and rd == b"" for _o, t, rd in
                  q("txt.test", T_TXT)[1]))
        check("SPF duplicated as TXT", texts("spfonly.test") ==
              [b"v=spf1 -all"])
        check("SPF type 99", texts("spfonly.test", T_SPF) == [b"v=spf1 -all"])
        check("no duplication next to TXT", texts("both.test") ==
              [b"v=spf1 -all"])
        r = q("txtnone.test", T_TXT)
        check("TXT: NONE is NODATA", r[0] & 0xF == NOERROR and not r[1]
              and r[2] == [T_SOA])
        check("NUL and non-ASCII octets", texts("bytes.test") ==
              [b"nul\x00 bom\xef\xbb\xbf end"])
        check("long string split at 255 octets",
              [len(x) for x in strings(q("long.test", T_TXT)[1][0][2])] ==
              [255, 255, 90])
        r = q("big.test", T_TXT, edns=None)
        check("UDP > 512 without EDNS: TC", r[0] & F_TC and not r[1])
        check("... the same over TCP", len(q("big.test", T_TXT, "tcp",
                                             None)[1]) == 12)
        check("UDP > 512 with EDNS 1232: no TC",
              not q("big.test", T_TXT)[0] & F_TC)
        r = q("huge.test", T_TXT)
        check("UDP > EDNS size: TC", r[0] & F_TC and not r[1])
        check("... the same over TCP", len(q("huge.test", T_TXT,
                                             "tcp")[1]) == 30)
        r = q("MX.TEST", T_MX)
        check("MX, case of RDATA kept, owner as asked",
              sorted(rd for _o, t, rd in r[1]) ==
              [(10, (b"Mail", b"Test")), (20, ())]
              and all(o == (b"MX", b"TEST") for o, _t, _rd in r[1]))
        check("A", q("mx.test", T_A)[1][0][2] == bytes([192, 0, 2, 1]))
        check("AAAA", q("mx.test", T_AAAA)[1][0][2] ==
              ipaddress.IPv6Address("2001:db8::1").packed)
        check("PTR", q("4.3.2.1.in-addr.arpa", T_PTR)[1][0][2] ==
              (b"mx", b"test"))
        r = q("alias.test", T_TXT)
        check("CNAME chased", [t for _o, t, _rd in r[1]] == [T_CNAME, T_TXT]
              and r[1][1][0] == (b"Both", b"test"))
        r = q("loop1.test", T_A)
        check("CNAME loop stops", r[0] & 0xF == NOERROR and
              [t for _o, t, _rd in r[1]] == [T_CNAME, T_CNAME])
        r = q("dangling.test", T_A)
        check("CNAME to nowhere: NXDOMAIN with the CNAME",
              r[0] & 0xF == NXDOMAIN and len(r[1]) == 1)
        r = q("nothere.test", T_A)
        check("NXDOMAIN with SOA", r[0] & 0xF == NXDOMAIN and not r[1]
              and r[2] == [T_SOA] and r[0] & F_AA)
        r = q("sub.test", T_A)
        check("empty non-terminal: NODATA", r[0] & 0xF == NOERROR
              and not r[1] and r[2] == [T_SOA])
        r = q(".", T_SOA)
        check("SOA of the root", r[0] & 0xF == NOERROR
              and [t for _o, t, _rd in r[1]] == [T_SOA])
        r = q("mx.test", T_TXT)
        check("NODATA with SOA", r[0] & 0xF == NOERROR and not r[1]
              and r[2] == [T_SOA])
        check("binary label", q("with space.sub.test", T_A)[1][0][2] ==
              bytes([192, 0, 2, 2]))
        check("TIMEOUT after TXT: TXT answers",
              texts("spftimeout.test") == [b"v=spf1 -all"])
        check("TIMEOUT: SPF over UDP", silent("spftimeout.test", T_SPF))
        check("TIMEOUT: SPF over TCP",
              silent("spftimeout.test", T_SPF, "tcp"))
        check("TIMEOUT: A", silent("dead.test", T_A))
        check("TIMEOUT: TXT over TCP", silent("dead.test", T_TXT, "tcp"))
        check("error. prefix times out", silent("error.nothere.test", T_A))
        check("still answers after timeouts", texts("both.test", proto="tcp")
              == [b"v=spf1 -all"])
    except Exception as e:      # a malformed or missing answer
        fails.append("exception: %r" % (e,))
    finally:
        srv.stop()
    for f in fails:
        sys.stdout.write("zoneserver self-test: FAIL: %s\n" % f)
    sys.stdout.write("zoneserver self-test: %d checks, %d failed\n"
                     % (count[0], len(fails)))
    return 1 if fails else 0


# --------------------------------------------------------------------------
# The suite

def load_suite(path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, "rb") as f:
        docs = [d for d in yaml.load_all(f, Loader=loader) if d]
    for i, d in enumerate(docs):
        if not isinstance(d, dict) or "tests" not in d:
            raise ValueError("document %d is not a scenario" % i)
    return docs


def pick(docs, sel):
    if sel.isdigit():
        i = int(sel)
        if i < len(docs):
            return i
        raise ValueError("no scenario %d (there are %d)" % (i, len(docs)))
    exact = [i for i, d in enumerate(docs)
             if str(d.get("description", "")).lower() == sel.lower()]
    if len(exact) == 1:
        return exact[0]
    part = [i for i, d in enumerate(docs)
            if sel.lower() in str(d.get("description", "")).lower()]
    if len(part) == 1:
        return part[0]
    raise ValueError("%s scenario matches %r" % ("more than one" if part
                                                 else "no", sel))


def esc(value):
    s = "" if value is None else str(value)
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == "\t":
            out.append("\\t")
        elif c == "\n":
            out.append("\\n")
        elif ord(c) < 0x20 or 0x7f <= ord(c) <= 0xff:
            out.append("\\x%02x" % ord(c))      # one octet, as octets()
        else:
            out.append(c)
    return "".join(out)


def test_lines(docs, i):
    d = docs[i]
    lines = ["S\t%d\t%s" % (i, esc(d.get("description", "")))]
    # The zone data for the driver's synchronous libspf2 run.
    lines.extend("\t".join(esc(f) for f in z)
                 for z in Zone(d.get("zonedata")).zone_lines())
    for name, t in d["tests"].items():
        res = t.get("result")
        res = res if isinstance(res, list) else [res]
        exp = t.get("explanation")
        lines.append("\t".join(["T", esc(name), esc(t.get("host")),
                                esc(t.get("mailfrom")), esc(t.get("helo")),
                                esc(",".join(str(r) for r in res)),
                                "-" if exp is None else "=" + esc(exp)]))
    return "".join(line + "\n" for line in lines)


def main(argv=None):
    global VERBOSE
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Serve one scenario of the RFC 7208 test suite as DNS.")
    ap.add_argument("--suite", default=os.path.join(here, "rfc7208-tests.yml"),
                    help="the suite file (default: rfc7208-tests.yml here)")
    ap.add_argument("--list", action="store_true",
                    help="list the scenarios and exit")
    ap.add_argument("--self-test", action="store_true",
                    help="check the server against a built-in zone and exit")
    ap.add_argument("--scenario", metavar="N|DESCRIPTION",
                    help="index (from 0) or description of the scenario")
    ap.add_argument("--tests", nargs="?", const="-", metavar="FILE",
                    help="write the scenario's test lines (default: "
                         "stdout) and exit")
    ap.add_argument("--tests-file", metavar="FILE",
                    help="while serving, write the test lines here first")
    ap.add_argument("--port", type=int, default=0,
                    help="UDP+TCP port (0 = pick a free one; default 0)")
    ap.add_argument("--port-file", metavar="FILE",
                    help="write the port number here once listening")
    ap.add_argument("--verbose", action="store_true",
                    help="log every query to stderr")
    args = ap.parse_args(argv)
    VERBOSE = args.verbose
    if not 0 <= args.port <= 65535:
        ap.error("--port must be 0..65535")
    if args.self_test:
        return self_test()
    try:
        docs = load_suite(args.suite)
    except (OSError, ValueError, yaml.YAMLError) as e:
        sys.stderr.write("zoneserver: %s: %s\n" % (args.suite, e))
        return 2
    if args.list:
        for i, d in enumerate(docs):
            sys.stdout.write("%d\t%d\t%s\n" % (i, len(d["tests"]),
                                               esc(d.get("description", ""))))
        return 0
    if args.scenario is None:
        ap.error("--scenario is required (or --list)")
    try:
        i = pick(docs, args.scenario)
        zone = Zone(docs[i].get("zonedata"))
    except ValueError as e:
        sys.stderr.write("zoneserver: %s\n" % e)
        return 2
    text = test_lines(docs, i)
    if args.tests is not None:
        if args.tests == "-":
            sys.stdout.write(text)
        else:
            write_file(args.tests, text)
        return 0
    return serve(zone, args.port, args.port_file, text, args.tests_file)


if __name__ == "__main__":
    sys.exit(main())

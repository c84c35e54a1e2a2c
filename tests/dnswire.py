# SPDX-License-Identifier: BSD-2-Clause
"""dnswire.py - the DNS wire format, for mxcheck's Python test servers.

One implementation of what the test servers need to read queries and to
write answers: tests/faultdns.py (the fault-injecting responder),
tests/spfsuite/zoneserver.py (the RFC 7208 suite's zone data) and
tests/dkim/keyserver.py (the DKIM key records).  Python 3 standard library
only.  The servers live in different directories; each puts tests/ (the
directory of this file) on sys.path and imports it:

    sys.path.insert(0, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), os.pardir))   # from a subdirectory
    import dnswire

What is here:
  * Names: a name is a tuple of labels (bytes), without the root label;
    () is the root.  dn() makes one from text, name_text() prints one,
    lower() folds it (ASCII only, as DNS does), wire_name() writes it
    uncompressed and unchecked, read_name() reads one from a message,
    compression pointers included, with every bound checked (a pointer
    loop, a pointer past the end, a reserved label type, a name over 255
    octets: ValueError).
  * Queries: parse_query() reads the header and the one question, and finds
    an EDNS OPT record; Malformed is raised for what deserves FORMERR, and
    formerr() writes that answer (header only).
  * Answers: Builder writes a message with name compression;
    build_response() a whole authoritative answer (question echoed, EDNS
    OPT when the query had one); too_big() says when a UDP answer must be
    sent truncated instead.
  * Records: a record is (owner, type, rdata), where rdata is a list of
    items that are bytes (written as they are) or names (tuples, written
    compressed).  rr_a(), rr_aaaa(), rr_ptr(), rr_cname(), rr_ns(),
    rr_mx(), rr_txt() and rr_soa() build them; the rdata_*() functions
    give the rdata alone.

Every answer written here uses TTL 300 (class IN) and advertises an EDNS
UDP payload size of 1232.  Nothing here checks what it is asked to write:
the fault responder relies on that to build broken answers.
"""

import ipaddress
import socket
import struct

# --------------------------------------------------------------------------
# Constants

T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT = 1, 2, 5, 6, 12, 15, 16
T_AAAA, T_OPT, T_SPF, T_ANY = 28, 41, 99, 255
C_IN, C_ANY = 1, 255

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
RCODE_NAMES = {NOERROR: "NOERROR", FORMERR: "FORMERR", SERVFAIL: "SERVFAIL",
               NXDOMAIN: "NXDOMAIN", NOTIMP: "NOTIMP", REFUSED: "REFUSED"}

F_QR = 0x8000
F_AA = 0x0400
F_TC = 0x0200
F_RD = 0x0100
F_AD = 0x0020
F_CD = 0x0010
OPCODE_MASK = 0x7800

TTL = 300               # of every record written here
EDNS_SIZE = 1232        # the UDP payload size our OPT records advertise
MAX_POINTERS = 64       # compression pointers followed in one name


# --------------------------------------------------------------------------
# Names

def octets(text):
    """The bytes a text label stands for: characters U+0000..U+00FF are one
    octet each (so "\\xEF" written in a test file stays one octet); a text
    with any character above that is taken as UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def dn(text):
    """'a.b.c.' -> (b'a', b'b', b'c'); '' and '.' -> () (the root).  No
    escapes: a dot always separates labels."""
    text = text.rstrip(".")
    if not text:
        return ()
    return tuple(octets(lab) for lab in text.split("."))


def lower(name):
    """The name with ASCII letters folded to lower case (the form to compare
    names with)."""
    return tuple(lab.lower() for lab in name)


def name_text(name):
    """Presentation form with the final dot: '.' and '\\' escaped, octets
    outside 0x21..0x7E as \\DDD."""
    out = []
    for lab in name:
        s = ""
        for b in lab:
            c = chr(b)
            if c in ".\\":
                s += "\\" + c
            elif 0x21 <= b <= 0x7e:
                s += c
            else:
                s += "\\%03d" % b
        out.append(s)
    return ".".join(out) + "."


def wire_name(name):
    """Uncompressed wire form.  Not validated: label and name lengths are
    written as given (used to build broken names on purpose)."""
    return b"".join(bytes([len(lab)]) + lab for lab in name) + b"\x00"


def read_name(msg, off):
    """Read a (possibly compressed) name at msg[off].  Returns (labels,
    offset just after the name where it started, i.e. after the first
    pointer if there is one).  Raises ValueError when the name runs past the
    end, a pointer points at or past the end, more than MAX_POINTERS
    pointers are followed (so a pointer loop ends), a label has a reserved
    type (0x40, 0x80), or the name is longer than 255 octets."""
    labels = []
    end = None
    jumps = 0
    total = 1
    while True:
        if off >= len(msg):
            raise ValueError("name runs past the end")
        ln = msg[off]
        if ln == 0:
            off += 1
            break
        if ln & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise ValueError("truncated pointer")
            ptr = ((ln & 0x3F) << 8) | msg[off + 1]
            if end is None:
                end = off + 2
            jumps += 1
            if jumps > MAX_POINTERS or ptr >= len(msg):
                raise ValueError("bad compression pointer")
            off = ptr
            continue
        if ln & 0xC0:
            raise ValueError("bad label type")
        if off + 1 + ln > len(msg):
            raise ValueError("label runs past the end")
        labels.append(bytes(msg[off + 1:off + 1 + ln]))
        total += ln + 1
        if total > 255:
            raise ValueError("name too long")
        off += 1 + ln
    return tuple(labels), (end if end is not None else off)


# --------------------------------------------------------------------------
# Queries

class Query:
    """A parsed query: id, flags, opcode, qname (labels, case kept), qtype,
    qclass, and edns: the UDP payload size of its OPT record, or None when
    it has none."""


class Malformed(Exception):
    """A query that deserves FORMERR; args[0] is the Query as far as it was
    read (at least id, flags, opcode)."""


def parse_query(msg):
    """Returns a Query, or None when the packet must be ignored (shorter
    than a header, or a response: QR=1).  Raises Malformed(query) when
    QDCOUNT is not 1, the question is bad, or a record after it is (a
    record running past the end, an OPT record not owned by the root or
    given twice).  The records after the question are skipped; only an OPT
    record in the additional section is looked at."""
    if len(msg) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", msg, 0)
    if flags & F_QR:
        return None
    q = Query()
    q.id = qid
    q.flags = flags
    q.opcode = (flags >> 11) & 0xF
    q.edns = None
    q.qname = None
    if qd != 1:
        raise Malformed(q)
    try:
        q.qname, off = read_name(msg, 12)
        if off + 4 > len(msg):
            raise ValueError("short question")
        q.qtype, q.qclass = struct.unpack_from("!HH", msg, off)
        off += 4
        for i in range(an + ns + ar):
            owner, off = read_name(msg, off)
            if off + 10 > len(msg):
                raise ValueError("short RR")
            rtype, rclass, _ttl, rdlen = struct.unpack_from("!HHIH", msg, off)
            off += 10 + rdlen
            if off > len(msg):
                raise ValueError("RDATA past the end")
            if i >= an + ns and rtype == T_OPT:
                if q.edns is not None or owner:
                    raise ValueError("bad OPT")
                q.edns = rclass
    except (ValueError, struct.error):
        raise Malformed(q)
    return q


def formerr(q, msg):
    """FORMERR for a Malformed query: a header only (the question could not
    be read), with the query's ID, opcode and RD bit."""
    flags = F_QR | F_AA | FORMERR
    try:
        flags |= struct.unpack_from("!H", msg, 2)[0] & (OPCODE_MASK | F_RD)
    except struct.error:
        pass
    return struct.pack("!HHHHHH", q.id, flags, 0, 0, 0, 0)


# --------------------------------------------------------------------------
# Answers

class Builder:
    """Writes a DNS message: a 12-octet header (filled in last, by
    header()), then whatever is added, names compressed.

    A name suffix already written is replaced by a pointer to it (only
    suffixes that start in the first 0x3FFF octets can be pointed at).
    With fold_case=False (the default) a suffix matches only in the exact
    same case, so every name goes out in the case it was given; with
    fold_case=True it matches in any case, so a later name may come out in
    the case of an earlier one."""

    def __init__(self, fold_case=False):
        self.buf = bytearray(12)
        self.comp = {}
        self.fold_case = fold_case

    def name(self, name):
        for i in range(len(name)):
            key = lower(name[i:]) if self.fold_case else name[i:]
            ptr = self.comp.get(key)
            if ptr is not None:
                self.buf += struct.pack("!H", 0xC000 | ptr)
                return
            if len(self.buf) < 0x3FFF:
                self.comp[key] = len(self.buf)
            self.buf += bytes([len(name[i])]) + name[i]
        self.buf += b"\x00"

    def question(self, name, qtype, qclass):
        self.name(name)
        self.buf += struct.pack("!HH", qtype, qclass)

    def rr(self, rec):
        """rec = (owner, type, rdata): class IN, TTL 300; rdata is a list
        whose items are bytes (copied verbatim) or names (tuples of labels,
        compressed).  RDLENGTH is computed."""
        owner, rtype, rdata = rec
        self.name(owner)
        self.buf += struct.pack("!HHIH", rtype, C_IN, TTL, 0)
        start = len(self.buf)
        for item in rdata:
            if isinstance(item, tuple):
                self.name(item)
            else:
                self.buf += item
        struct.pack_into("!H", self.buf, start - 2, len(self.buf) - start)

    def opt(self, size=EDNS_SIZE):
        """An OPT record: EDNS version 0, no options, payload size SIZE."""
        self.buf += b"\x00" + struct.pack("!HHIH", T_OPT, size, 0, 0)

    def header(self, qid, flags, qd, an, ns, ar):
        struct.pack_into("!HHHHHH", self.buf, 0, qid, flags, qd, an, ns, ar)

    def bytes(self):
        return bytes(self.buf)


def response_flags(q, rcode, extra=0):
    """The flags of an authoritative answer to q: QR, AA, the query's
    opcode, RD and CD copied, RCODE, plus EXTRA (e.g. F_TC, F_AD)."""
    return (F_QR | (q.opcode << 11) | F_AA | (q.flags & (F_RD | F_CD))
            | rcode | extra)


def build_response(q, flags, an=(), ns=(), ar=(), qname=None,
                   fold_case=False):
    """An answer to q: header (q's ID, FLAGS), the question (q's, or QNAME
    instead of q's name), the records of each section, then an OPT record
    when q had one."""
    b = Builder(fold_case)
    b.question(q.qname if qname is None else qname, q.qtype, q.qclass)
    for r in an:
        b.rr(r)
    for r in ns:
        b.rr(r)
    for r in ar:
        b.rr(r)
    nar = len(ar)
    if q.edns is not None:
        b.opt()
        nar += 1
    b.header(q.id, flags, 1, len(an), len(ns), nar)
    return b.bytes()


def udp_limit(q):
    """The largest UDP answer q allows: 512, or its EDNS size if larger."""
    return 512 if q.edns is None else max(512, q.edns)


def too_big(msg, q, proto):
    """Must the answer MSG to q be replaced by a truncated one (TC=1)?  Over
    "udp": when it exceeds udp_limit(q); over TCP: when it exceeds the
    65535 octets a length prefix can give."""
    if proto == "udp":
        return len(msg) > udp_limit(q)
    return len(msg) > 65535


T_PAD = 65280           # a private-use type (RFC 6895), for padding


def pad_to(msg, size=65535):
    """MSG (a whole answer) grown to exactly SIZE octets by one more record
    in the additional section: owner a pointer to the question name, type
    T_PAD, class IN, RDATA filler octets.  The largest message a TCP length
    prefix can carry is 65535 octets.  ValueError when MSG is already too
    long for that record (12 octets and one of RDATA)."""
    room = size - len(msg) - 12
    if room < 1 or room > 65535:
        raise ValueError("cannot pad %d octets to %d" % (len(msg), size))
    out = bytearray(msg)
    out += struct.pack("!HHHIH", 0xC00C, T_PAD, C_IN, TTL, room)
    out += bytes((i * 7 + 1) & 0xFF for i in range(room))
    arcount = struct.unpack_from("!H", out, 10)[0]
    struct.pack_into("!H", out, 10, arcount + 1)
    return bytes(out)


# --------------------------------------------------------------------------
# Records

def rdata_a(addr):
    """IPv4 address text -> [4 octets] (OSError when not an address)."""
    return [socket.inet_pton(socket.AF_INET, addr)]


def rdata_aaaa(addr):
    """IPv6 address text -> [16 octets] (ValueError when not an address)."""
    return [ipaddress.IPv6Address(addr).packed]


def txt_rdata(strings):
    """TXT (or SPF) rdata of STRINGS (a list of bytes), one
    character-string each; a string over 255 octets is cut into 255-octet
    character-strings (an empty one stays one empty character-string).  An
    empty list gives empty rdata."""
    out = b""
    for data in strings:
        chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
        for c in chunks:
            out += bytes([len(c)]) + c
    return out


def rdata_mx(preference, exchange):
    return [struct.pack("!H", preference), exchange]


def rdata_soa(mname, rname, serial, refresh, retry, expire, minimum):
    return [mname, rname, struct.pack("!IIIII", serial, refresh, retry,
                                      expire, minimum)]


def rr_a(owner, addr):
    return (owner, T_A, rdata_a(addr))


def rr_aaaa(owner, addr):
    return (owner, T_AAAA, rdata_aaaa(addr))


def rr_ptr(owner, target):
    return (owner, T_PTR, [target])


def rr_cname(owner, target):
    return (owner, T_CNAME, [target])


def rr_ns(owner, target):
    return (owner, T_NS, [target])


def rr_mx(owner, preference, exchange):
    return (owner, T_MX, rdata_mx(preference, exchange))


def rr_txt(owner, *strings):
    """A TXT record of the character-strings STRINGS (bytes each, cut at
    255 octets; see txt_rdata())."""
    return (owner, T_TXT, [txt_rdata(strings)])


def rr_soa(owner, mname, rname, serial, refresh=3600, retry=600,
           expire=86400, minimum=60):
    return (owner, T_SOA, rdata_soa(mname, rname, serial, refresh, retry,
                                    expire, minimum))

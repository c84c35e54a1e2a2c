#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen.py - random SPF scenarios for the differential test against pyspf.

Generates COUNT cases from SEED (deterministic: the same seed and count give
the same file), evaluates every test with pyspf (python3-spf) in this
process, over a fake DNS that serves the generated zone data the way
tests/spfsuite/zoneserver.py serves it, and writes:

  OUT/cases.yml    the cases in the format of the RFC 7208 test suite
                   (rfc7208-tests.yml): one YAML document per chunk of
                   cases, each with its zonedata and its tests, whose
                   expected "result" (and "explanation" for a fail) is
                   pyspf's.  zoneserver.py serves a chunk, the spf_suite
                   driver runs its tests through libmxcheck.
  OUT/index.jsonl  one JSON object per test: its name, pyspf's result
                   and explanation (of a fail), and "alts": the results
                   and explanations under the readings of
                   expected-differences.txt that change them.

A case is a small world under its own domain (cNNN.example): an SPF record
of random mechanisms and qualifiers (ip4, ip6 with and without CIDR, a and
mx with data and dual CIDRs, include: and redirect= to further generated
records up to depth 3, exists: and domain-specs with macros, ptr with
PTR data, exp= with macro text, unknown modifiers), and one to three tests:
client addresses (IPv4, IPv6, IPv4-mapped), senders (local-parts with dots,
plus, dashes, mixed case; the null sender with a HELO name).  Some records
carry syntax errors, void lookups, lookups over the limits of RFC 7208
section 4.6.4, records missing or doubled, or names that never answer.

Expected differences: expected-differences.txt lists, with a reason each,
the readings in which mxcheck is allowed to differ from pyspf.  For each
(and then for all of them together), this script evaluates the test again
with pyspf changed to that reading (class Reading); when the verdict, or
the explanation of a fail, changes, mxcheck may give that one too:
index.jsonl says so, and run.sh counts such tests apart.  A difference
that is not listed there fails the test.

Usage: gen.py --seed S --count N --out DIR [--chunk K]
                [--differences FILE]
Needs python3-spf and python3-yaml.
"""
import argparse
import ipaddress
import json
import linecache
import os
import random
import re
import socket
import sys

try:
    import yaml
    import spf
except ImportError as e:
    sys.stderr.write("gen.py: %s (Debian: python3-spf, python3-yaml)\n" % e)
    sys.exit(77)

DEFAULT_EXP = "DEFAULT"   # as testspf.py and the spf_suite driver

# ---------------------------------------------------------------------------
# The fake DNS: the zone data served as zoneserver.py (and testspf.py, the
# suite's reference driver) serve it.

ZONE = {}


def records(zonedata):
    """name -> list of (type, value) or "TIMEOUT", names lower case."""
    out = {}
    for name, recs in zonedata.items():
        lst = []
        for r in recs:
            if r == "TIMEOUT":
                lst.append("TIMEOUT")
                continue
            (t, v), = r.items()
            lst.append((t, v))
        out[name.lower()] = lst
    return out


def fake_lookup(name, qtype, strict=True, timeout=None, level=0):
    labels = [lab for lab in name.split(".") if lab]
    for lab in labels:
        if len(lab) > 63:
            # zoneserver cannot be asked such a name either: c-ares
            # refuses it.  testspf.py makes it a TempError (pydns).
            raise spf.TempError("DNS label too long")
    key = ".".join(labels).lower()
    recs = ZONE.get(key)
    if recs is None:
        return
    seen_type = False
    for r in recs:
        if r == "TIMEOUT":
            if not seen_type:
                raise spf.TempError("DNS timeout")
            return
        t, v = r
        if t == qtype:
            seen_type = True
        if t == "AAAA":
            v = socket.inet_pton(socket.AF_INET6, v)
        elif t == "TXT":
            v = tuple(s.encode("utf-8")
                      for s in (v if isinstance(v, list) else [v]))
        elif t == "MX":
            v = tuple(v)
        yield ((key, t), v)
        if not level and t == "CNAME":
            for j in fake_lookup(v, qtype, strict, timeout, 1):
                yield j


spf.DNSLookup = fake_lookup


def pyspf_eval(t):
    q = spf.query(i=t["host"], s=t["mailfrom"], h=t["helo"], strict=True,
                  querytime=0)
    q.set_default_explanation(DEFAULT_EXP)
    res, _code, exp = q.check()
    res = {"unknown": "permerror", "error": "temperror"}.get(res, res)
    return res, exp


# ---------------------------------------------------------------------------
# Readings in which mxcheck may differ (see expected-differences.txt).  Each
# is a change to pyspf, applied while a test is evaluated again.

class Reading:
    """pyspf changed to other readings (identifiers of
    expected-differences.txt), for the time of a with block."""

    def __init__(self, idents):
        self.idents = idents
        self.saved = []

    def patch(self, obj, attr, value):
        self.saved.append((obj, attr, getattr(obj, attr)))
        setattr(obj, attr, value)

    def __enter__(self):
        for ident in self.idents:
            getattr(self, "enter_" + ident.replace("-", "_"))()
        return self

    def __exit__(self, *exc):
        for obj, attr, value in reversed(self.saved):
            setattr(obj, attr, value)
        self.saved = []

    # void-per-term: a void lookup is a term whose own query has no answer
    # (the A/AAAA of a, the MX of mx, the TXT of include: and redirect=,
    # the A of exists, the PTR of ptr), counted once.  pyspf counts every
    # query without an answer: also the address lookups of MX names and of
    # PTR names, and the PTR lookup of a %{p} macro.
    def enter_void_per_term(self):
        orig_mx = spf.query.dns_mx
        orig_vp = spf.query.validated_ptrs
        orig_getp = spf.query.getp
        orig_dns = spf.query.dns

        def flagged(orig, flag):
            def f(q, *args):
                setattr(q, flag, getattr(q, flag, 0) + 1)
                try:
                    return orig(q, *args)
                finally:
                    setattr(q, flag, getattr(q, flag) - 1)
            return f

        def dns(q, name, qtype, cnames=None, ignore_void=False):
            if getattr(q, "_in_p", 0) or (
                    qtype in ("A", "AAAA") and (getattr(q, "_in_mx", 0) or
                                                getattr(q, "_in_ptrs", 0))):
                ignore_void = True
            return orig_dns(q, name, qtype, cnames, ignore_void)
        self.patch(spf.query, "dns", dns)
        self.patch(spf.query, "dns_mx", flagged(orig_mx, "_in_mx"))
        self.patch(spf.query, "validated_ptrs", flagged(orig_vp, "_in_ptrs"))
        self.patch(spf.query, "getp", flagged(orig_getp, "_in_p"))

    # pyspf-cname-void: a lookup through a CNAME whose target has no
    # record of the type is one void lookup, not two (pyspf counts the
    # target's lookup and then the name's).
    def enter_pyspf_cname_void(self):
        orig_dns = spf.query.dns

        def dns(q, name, qtype, cnames=None, ignore_void=False):
            if cnames is not None:
                ignore_void = True
            return orig_dns(q, name, qtype, cnames, ignore_void)
        self.patch(spf.query, "dns", dns)

    # pyspf-modifier-case: modifier names are case-insensitive ("EXP=",
    # "Redirect="); pyspf compares them case-sensitively.
    def enter_pyspf_modifier_case(self):
        class CaseFolded:
            def __init__(self, rx):
                self.rx = rx

            def split(self, text):
                parts = self.rx.split(text)
                if len(parts) == 3:
                    parts[1] = parts[1].lower()
                return parts

            def __getattr__(self, attr):
                return getattr(self.rx, attr)
        self.patch(spf, "RE_MODIFIER", CaseFolded(spf.RE_MODIFIER))

    # pyspf-unknown-modifier-repeat: an unknown modifier may appear any
    # number of times; pyspf's strict mode makes a repeated one (of any
    # name) a permerror.
    def enter_pyspf_unknown_modifier_repeat(self):
        orig = spf.query.note_error

        def note_error(q, *msg):
            text = str(msg[0]) if msg else ""
            if text.endswith("= MUST appear at most once") and \
                    text.split("=")[0].lower() not in ("exp", "redirect"):
                return q.perm_error
            return orig(q, *msg)
        self.patch(spf.query, "note_error", note_error)

    # pyspf-macro-uppercase-r: the transformer "r" is case-insensitive
    # ("%{IR}", "%{LR-}"); pyspf knows only "r" and then also drops the
    # delimiters that follow an "R".
    def enter_pyspf_macro_uppercase_r(self):
        require_source("RE_ARGS = re.compile(r'([0-9]*)(r?)([^0-9a-zA-Z]*)')")
        self.patch(spf, "RE_ARGS",
                   re.compile(r'([0-9]*)([rR]?)([^0-9a-zA-Z]*)'))

    # pyspf-redirect-counted-early: redirect= counts against the ten
    # DNS-querying terms when it is applied (RFC 7208 section 4.6.4,
    # "during SPF evaluation"); pyspf counts it when it parses the record,
    # also when a mechanism then matches and the redirect is never used.
    def enter_pyspf_redirect_counted_early(self):
        parse = "elif mod == 'redirect':"
        apply = "redirect_record = self.dns_spf(redirect)"
        require_source(parse + "\n                self.check_lookups()")
        require_source(apply)
        orig_cl = spf.query.check_lookups
        orig_ds = spf.query.dns_spf

        def check_lookups(q):
            f = sys._getframe(1)
            prev = linecache.getline(f.f_code.co_filename,
                                     f.f_lineno - 1).strip()
            if prev == parse:
                return None          # not at parse time ...
            return orig_cl(q)

        def dns_spf(q, domain):
            if caller_line(1) == apply:
                orig_cl(q)           # ... but when applied
            return orig_ds(q, domain)
        self.patch(spf.query, "check_lookups", check_lookups)
        self.patch(spf.query, "dns_spf", dns_spf)

    # pyspf-trivial-recursion: "include:" of the record's own domain is
    # not a syntax error: evaluated, it ends in the limit of 10 terms
    # (permerror); never reached, it changes nothing.  pyspf rejects it
    # when it parses the record, whether or not it would be reached.
    def enter_pyspf_trivial_recursion(self):
        require_source("raise PermError('include has trivial recursion', mech)")
        orig = spf.query.validate_mechanism

        def validate_mechanism(q, mech):
            try:
                return orig(q, mech)
            except spf.PermError as e:
                if e.msg != "include has trivial recursion":
                    raise
                result = spf.RESULTS.get(mech[0], "pass")
                return mech, "include", q.d, q.cidrmax, result
        self.patch(spf.query, "validate_mechanism", validate_mechanism)

    # pyspf-sender-postmaster: a sender without a local-part ("@domain",
    # "domain") becomes postmaster@domain (RFC 7208 section 4.3), and %{s}
    # expands to that; pyspf uses postmaster for %{l} but leaves %{s} as
    # given.
    def enter_pyspf_sender_postmaster(self):
        orig = spf.query.__init__

        def init(q, *args, **kw):
            orig(q, *args, **kw)
            if q.s and (q.s.startswith("@") or "@" not in q.s):
                q.s = "%s@%s" % (q.l, q.o)
        self.patch(spf.query, "__init__", init)


def caller_line(depth):
    """The source line being run by the caller depth frames up."""
    f = sys._getframe(depth + 1)
    return linecache.getline(f.f_code.co_filename, f.f_lineno).strip()


def require_source(text):
    """A reading that patches around a line of pyspf: refuse to run on a
    pyspf whose source does not have it (another version)."""
    import inspect
    if text not in inspect.getsource(spf):
        sys.exit("gen.py: this pyspf (%s) has no line %r: the readings of "
                 "expected-differences.txt were written for pyspf 2.0.14"
                 % (getattr(spf, "__version__", "?"), text))


def load_differences(path):
    ids = []
    if not path or not os.path.exists(path):
        return ids
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            ident = line.split()[0]
            if not hasattr(Reading, "enter_" + ident.replace("-", "_")):
                sys.exit("gen.py: %s: unknown difference %r (no reading "
                         "implemented for it)" % (path, ident))
            ids.append(ident)
    return ids


# ---------------------------------------------------------------------------
# Generation

V4_POOLS = ("192.0.2.", "198.51.100.", "203.0.113.")
LOCALS = ("user", "first.last", "a-b.c", "x+tag", "Mixed.Case", "postmaster",
          "bob", "info", "no-reply")


class Case:
    def __init__(self, rnd, idx):
        self.r = rnd
        self.idx = idx
        self.base = "c%d.example" % idx
        self.zone = {}
        self.n = 0
        self.clients = []     # the tests' addresses (ipaddress objects)
        self.locals = []      # the tests' local-parts
        self.tests = []

    def name(self, prefix):
        self.n += 1
        return "%s%d.%s" % (prefix, self.n, self.base)

    def add(self, name, rtype, value):
        self.zone.setdefault(name, []).append({rtype: value})

    def add_timeout(self, name):
        self.zone.setdefault(name, []).append("TIMEOUT")

    # -- addresses -----------------------------------------------------------

    def client_v4(self):
        return ipaddress.ip_address(self.r.choice(V4_POOLS) +
                                    str(self.r.randint(1, 254)))

    def client_v6(self):
        return ipaddress.ip_address(
            "2001:db8:%x::%x" % (self.r.randint(0, 0xff),
                                 self.r.randint(1, 0xffff)))

    def pick_client(self, family):
        cs = [c for c in self.clients if c.version == family]
        return self.r.choice(cs) if cs else None

    def v4_near(self):
        """An IPv4 address and a CIDR length that often cover a client."""
        c = self.pick_client(4)
        r = self.r
        if c is not None and r.random() < 0.6:
            plen = r.choice((8, 16, 24, 24, 25, 28, 30, 31, 32, 32))
            off = 0 if r.random() < 0.5 else r.randint(0, 255)
            addr = ipaddress.ip_address(
                (int(c) & ~((1 << (32 - plen)) - 1) if plen < 32 else int(c))
                + (off & ((1 << (32 - plen)) - 1) if plen < 32 else 0))
            return addr, plen
        return ipaddress.ip_address("10.%d.%d.%d" % (
            r.randint(0, 255), r.randint(0, 255), r.randint(0, 255))), \
            r.choice((8, 16, 24, 32))

    def v6_near(self):
        c = self.pick_client(6)
        r = self.r
        if c is not None and r.random() < 0.6:
            plen = r.choice((16, 32, 48, 64, 96, 112, 127, 128))
            mask = ((1 << 128) - 1) ^ ((1 << (128 - plen)) - 1)
            return ipaddress.ip_address(int(c) & mask), plen
        return ipaddress.ip_address(
            "2001:db8:ff%02x::%x" % (r.randint(0, 0xff),
                                     r.randint(1, 0xffff))), \
            r.choice((32, 48, 64, 128))

    def host(self, matching=None):
        """A name with A and/or AAAA; matching: also a client address."""
        r = self.r
        h = self.name("h")
        kinds = r.choice(("4", "6", "46", "46", "4"))
        if "4" in kinds:
            addr = None
            if matching is not False and r.random() < 0.5:
                addr = self.pick_client(4)
            self.add(h, "A", str(addr or self.v4_near()[0]))
            if r.random() < 0.2:
                self.add(h, "A", str(self.v4_near()[0]))
        if "6" in kinds:
            addr = None
            if matching is not False and r.random() < 0.5:
                addr = self.pick_client(6)
            self.add(h, "AAAA", str(addr or self.v6_near()[0]))
        if r.random() < 0.04:
            # A CNAME in front (one level: testspf.py's fake DNS follows
            # one).
            c = self.name("cn")
            self.add(c, "CNAME", h)
            return c
        return h

    def void_name(self):
        r = self.r
        x = r.random()
        if x < 0.5:
            return self.name("nx")           # NXDOMAIN
        h = self.name("nd")                  # exists, no address
        self.add(h, "TXT", "no address here")
        return h

    # -- domain-specs --------------------------------------------------------

    def macro_spec(self, purpose):
        """A domain-spec with macros, and zone data for some expansions."""
        r = self.r
        sub = self.name("m")
        form = r.choice(("i", "ir", "l", "d", "o", "h", "v", "i2", "d2r",
                         "l-", "lr-", "p" if r.random() < 0.3 else "i"))
        if form == "p":
            self.ptr_data()
        spec = "%{" + form + "}." + sub
        # make some of its expansions exist
        if form in ("i", "ir", "i2"):
            for c in self.clients:
                if r.random() < 0.5:
                    continue
                if form == "i":
                    e = str(c) if c.version == 4 else ".".join(
                        c.exploded.replace(":", ""))
                elif form == "ir":
                    e = (".".join(reversed(str(c).split(".")))
                         if c.version == 4 else ".".join(
                             reversed(c.exploded.replace(":", ""))))
                else:
                    parts = (str(c).split(".") if c.version == 4 else
                             list(c.exploded.replace(":", "")))
                    e = ".".join(parts[-2:])
                self.add_host_at(e + "." + sub, purpose)
        elif form in ("l", "l-", "lr-"):
            for lp in self.locals:
                if r.random() < 0.5:
                    continue
                parts = lp.lower().replace("-", ".").split(".") \
                    if form != "l" else [lp.lower()]
                if form == "lr-":
                    parts = list(reversed(parts))
                e = ".".join(parts)
                self.add_host_at(e + "." + sub, purpose)
        elif form in ("d", "o", "h", "d2r", "v") and r.random() < 0.5:
            e = {"d": self.base, "o": self.base, "h": "mail." + self.base,
                 "d2r": "example." + "c%d" % self.idx,
                 "v": "in-addr"}[form]
            self.add_host_at(e + "." + sub, purpose)
        return spec

    def add_host_at(self, name, purpose):
        r = self.r
        if purpose == "exists":
            self.add(name, "A", "127.0.0.%d" % r.randint(1, 9))
        elif purpose == "a":
            c = self.pick_client(r.choice((4, 6)))
            if c is not None:
                self.add(name, "A" if c.version == 4 else "AAAA", str(c))
        elif purpose == "include":
            self.add(name, "TXT", "v=spf1 " + r.choice(("+all", "-all",
                                                        "?all")))

    def cidr_suffix(self):
        r = self.r
        x = r.random()
        if x < 0.6:
            return ""
        c4 = "/%d" % r.choice((8, 16, 24, 28, 32))
        c6 = "//%d" % r.choice((32, 48, 64, 128))
        return r.choice((c4, c6, c4 + c6))

    # -- records -------------------------------------------------------------

    def mx_name(self):
        r = self.r
        d = self.name("mx")
        n = 12 if r.random() < 0.04 else r.randint(1, 3)
        for k in range(n):
            target = self.host() if r.random() < 0.85 else self.void_name()
            self.add(d, "MX", [10 * (k + 1), target])
        return d

    def ptr_data(self):
        """PTR records for some clients: validated or not."""
        r = self.r
        for c in self.clients:
            if r.random() < 0.5:
                continue
            rev = c.reverse_pointer
            if rev in self.zone:
                continue
            for _ in range(12 if r.random() < 0.05 else r.randint(1, 2)):
                target = "p%d.%s" % (r.randint(1, 99), self.base)
                self.add(rev, "PTR", target)
                if r.random() < 0.7:
                    self.add(target, "A" if c.version == 4 else "AAAA",
                             str(c))

    def term(self, depth):
        r = self.r
        q = r.choices(("", "+", "-", "~", "?"), (40, 10, 20, 15, 15))[0]
        kind = r.choices(
            ("ip4", "ip6", "a", "mx", "include", "exists", "ptr", "void",
             "unknown-mod"),
            (16, 9, 14, 10, 10 if depth < 3 else 0, 6, 3, 4, 2))[0]
        if kind == "ip4":
            addr, plen = self.v4_near()
            return q + "ip4:%s%s" % (addr, "" if plen == 32 and
                                     r.random() < 0.5 else "/%d" % plen)
        if kind == "ip6":
            addr, plen = self.v6_near()
            return q + "ip6:%s%s" % (addr, "" if plen == 128 and
                                     r.random() < 0.5 else "/%d" % plen)
        if kind == "a":
            x = r.random()
            if x < 0.3:
                self.host_of_domain()
                return q + "a" + self.cidr_suffix()
            if x < 0.85:
                dot = "." if r.random() < 0.05 else ""
                return q + "a:" + self.host() + dot + self.cidr_suffix()
            return q + "a:" + self.macro_spec("a")
        if kind == "mx":
            if r.random() < 0.3:
                if not any("MX" in rr for rr in
                           self.zone.get(self.cur, [])
                           if isinstance(rr, dict)):
                    for k in range(r.randint(1, 2)):
                        self.add(self.cur, "MX", [10 * (k + 1), self.host()])
                return q + "mx" + self.cidr_suffix()
            return q + "mx:" + self.mx_name() + self.cidr_suffix()
        if kind == "include":
            return q + "include:" + self.include_target(depth + 1)
        if kind == "exists":
            if r.random() < 0.8:
                return q + "exists:" + self.macro_spec("exists")
            h = self.name("e")
            if r.random() < 0.5:
                self.add(h, "A", "127.0.0.2")
            return q + "exists:" + h
        if kind == "ptr":
            self.ptr_data()
            return q + ("ptr" if r.random() < 0.5 else "ptr:" + self.base)
        if kind == "void":
            return q + r.choice(("a:", "mx:", "exists:")) + self.void_name()
        return r.choice(("foo=bar", "x-y.z=%{d}", "moo.cow-far_out=man:dog",
                         "v2=ignored"))

    def host_of_domain(self):
        cur = self.cur
        if not any(("A" in rr or "AAAA" in rr) for rr in
                   self.zone.get(cur, []) if isinstance(rr, dict)):
            c = self.pick_client(self.r.choice((4, 6)))
            if c is not None and self.r.random() < 0.6:
                self.add(cur, "A" if c.version == 4 else "AAAA", str(c))
            elif self.r.random() < 0.7:
                self.add(cur, "A", str(self.v4_near()[0]))

    def include_target(self, depth):
        r = self.r
        x = r.random()
        if x < 0.78:
            n = self.name("i")
            self.record(n, depth)
            return n
        if x < 0.85:
            return self.name("nx")                 # no such domain
        if x < 0.90:
            n = self.name("t")
            self.add(n, "TXT", "not an spf record")
            return n
        if x < 0.94:
            n = self.name("two")
            self.add(n, "TXT", "v=spf1 +all")
            self.add(n, "TXT", "v=spf1 -all")
            return n
        if x < 0.97:
            return self.macro_spec("include")
        n = self.name("to")                         # never answers
        self.add_timeout(n)
        return n

    def bad_term(self):
        return self.r.choice((
            "ip4:192.0.2.1/33", "ip6:2001:db8::/129", "ip4:192.0.2",
            "ip4:192.0.2.1/", "a:", "mx:", "include", "include:", "exists",
            "exists:", "foo", "all:x", "a:%{x}." + self.base,
            "a:%", "a//129", "a/33", "ptr:", "-foo=bar",
            "redirect=r1.%s redirect=r2.%s" % (self.base, self.base),
            "exp=e1.%s exp=e2.%s" % (self.base, self.base),
            "a:foo.-bar.example", "include:%{l", "ip6:2001:db8::1:/64",
            "mx/24/64", "a:" + self.base + "/0x"))

    def record(self, name, depth):
        """Write the SPF record of name (and what it names)."""
        r = self.r
        saved = getattr(self, "cur", None)
        self.cur = name
        terms = []
        nterms = r.choices((0, 1, 2, 3, 4, 5, 7), (3, 15, 25, 25, 15, 10, 7))[0]
        if r.random() < 0.04:
            # over the limit of 10 DNS-querying terms
            terms = ["a:" + self.host(matching=False) for _ in range(11)]
            nterms = 0
        for _ in range(nterms):
            terms.append(self.term(depth))
        mods = []
        has_all = False
        x = r.random()
        if x < 0.65:
            terms.append(r.choices(("", "+", "-", "~", "?"),
                                   (5, 5, 45, 35, 10))[0] + "all")
            has_all = True
            if r.random() < 0.1:
                terms.append(self.term(depth))   # after "all": ignored
        if (not has_all or r.random() < 0.1) and depth < 3 and \
                r.random() < 0.35:
            mods.append("redirect=" + self.include_target(depth + 1))
        if r.random() < 0.2:
            mods.append("exp=" + self.exp_name())
        if r.random() < 0.05:
            terms.insert(r.randint(0, len(terms)), self.bad_term())
        if r.random() < 0.02:
            for _ in range(3):
                terms.insert(0, "a:" + self.void_name())
        items = terms + mods
        r.shuffle(mods)
        if mods and r.random() < 0.5:
            # modifiers anywhere in the record
            items = terms[:]
            for m in mods:
                items.insert(r.randint(0, len(items)), m)
        if r.random() < 0.03 and depth < 3:
            items.insert(r.randint(0, len(items)), "include:" + self.base)
        text = " ".join(["v=spf1"] + items)
        x = r.random()
        if x < 0.02:
            text = "v=spf1"                        # nothing in it
        elif x < 0.03:
            text = "V=SPF1" + text[6:]
        if r.random() < 0.03:
            text = text.replace(" ", "  ", 1)     # extra space
        if r.random() < 0.05:
            text = "v=spf1" + text[6:].upper() if r.random() < 0.3 \
                else text
        if r.random() < 0.1 and len(text) > 10:
            # several character-strings, joined without spaces
            cut = sorted(r.sample(range(1, len(text)), 2))
            self.add(name, "TXT", [text[:cut[0]], text[cut[0]:cut[1]],
                                   text[cut[1]:]])
        else:
            self.add(name, "TXT", text)
        if r.random() < 0.1:
            self.add(name, "TXT", "some other text")
        self.cur = saved

    def exp_name(self):
        r = self.r
        n = self.name("x")
        x = r.random()
        if x < 0.08:
            return n                                 # no such name
        if x < 0.12:
            self.add(n, "TXT", "first explanation")
            self.add(n, "TXT", "second explanation")
            return n
        text = r.choice((
            "%{i} is not one of %{d}'s designated mail servers.",
            "See http://%{d}/why.html?s=%{S}&i=%{I}",
            "%{l} at %{o} from %{c} via %{h}: %{r} %{v}",
            "Sender %{s} rejected %% %_ %-",
            "%{d2} %{ir}.%{v}.arpa %{l-} %{o1r}",
            "%{p} is not allowed for %{o}",
            "plain text"))
        self.add(n, "TXT", text)
        return n

    def make_tests(self, ntests):
        r = self.r
        for _ in range(ntests):
            x = r.random()
            if x < 0.6:
                c = self.client_v4()
            elif x < 0.95:
                c = self.client_v6()
            else:
                c = self.client_v4()
            self.clients.append(c)
            self.locals.append(r.choice(LOCALS))
        self.record(self.base, 0)
        if r.random() < 0.05:
            self.add(self.base, "TXT", "v=spf1 ?all")    # two records
        for k in range(ntests):
            c, lp = self.clients[k], self.locals[k]
            host = str(c)
            if c.version == 4 and r.random() < 0.08:
                host = "::ffff:" + host
            x = r.random()
            if x < 0.1:
                t = {"host": host, "mailfrom": "", "helo": self.base}
            elif x < 0.13:
                t = {"host": host, "mailfrom": "@" + self.base,
                     "helo": "mail." + self.base}
            elif x < 0.16:
                t = {"host": host, "mailfrom": self.base,
                     "helo": "mail." + self.base}
            else:
                t = {"host": host, "mailfrom": "%s@%s" % (lp, self.base),
                     "helo": "mail." + self.base}
            self.tests.append(("c%d-%d" % (self.idx, k), t))


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--chunk", type=int, default=100,
                    help="cases per YAML document (one server each)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--differences")
    a = ap.parse_args()
    if not 1 <= a.count <= 100000:
        ap.error("--count must be 1..100000")
    diffs = load_differences(a.differences)
    global ZONE
    docs = []
    index = []
    for start in range(0, a.count, a.chunk):
        zonedata, tests = {}, {}
        for idx in range(start, min(a.count, start + a.chunk)):
            # one generator per case: a case does not change when others do
            case = Case(random.Random("%d/%d" % (a.seed, idx)), idx)
            case.make_tests(case.r.choice((1, 2, 2, 3)))
            zonedata.update(case.zone)
            for name, t in case.tests:
                tests[name] = t
        ZONE = records(zonedata)
        for name, t in tests.items():
            res, exp = pyspf_eval(t)
            exp = exp if res == "fail" else None
            # each reading alone, then all of them together
            readings = [[d] for d in diffs]
            if len(diffs) > 1:
                readings.append(diffs)
            alts, accept, exps = [], [res], {exp}
            for idents in readings:
                with Reading(idents):
                    ares, aexp = pyspf_eval(t)
                aexp = aexp if ares == "fail" else None
                if (ares, aexp) != (res, exp) and not any(
                        (x["result"], x["exp"]) == (ares, aexp)
                        for x in alts):
                    alts.append({"id": "+".join(idents), "result": ares,
                                 "exp": aexp})
                    if ares not in accept:
                        accept.append(ares)
                    exps.add(aexp)
            t["result"] = accept if len(accept) > 1 else res
            if res == "fail" and len(exps) == 1:
                # otherwise run.sh compares the explanation
                t["explanation"] = exp
            index.append(json.dumps({"name": name, "result": res,
                                     "exp": exp, "alts": alts},
                                    sort_keys=True))
        docs.append({"description": "spfdiff seed %d cases %d-%d" %
                     (a.seed, start, min(a.count, start + a.chunk) - 1),
                     "tests": tests, "zonedata": zonedata})
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "cases.yml"), "w") as f:
        yaml.safe_dump_all(docs, f, default_flow_style=None, width=1000,
                           allow_unicode=False, sort_keys=False)
    with open(os.path.join(a.out, "index.jsonl"), "w") as f:
        f.write("".join(line + "\n" for line in index))
    mix = {}
    for line in index:
        v = json.loads(line)["result"]
        mix[v] = mix.get(v, 0) + 1
    sys.stderr.write("gen.py: seed %d: %d cases, %d tests in %d chunks; "
                     "pyspf: %s\n" % (
                         a.seed, a.count, len(index), len(docs),
                         ", ".join("%s %d" % kv for kv in
                                   sorted(mix.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

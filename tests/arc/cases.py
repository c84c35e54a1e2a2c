#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""cases.py - the ARC test corpus of tests/arc/run.sh, made at test time.

    cases.py make DIR     generate keys (openssl), seal messages with
                          dkimpy's ARC signer (dkim.arc_sign), write
                          DIR/msg/*.eml, DIR/keys.table (for
                          tests/dkim/keyserver.py) and DIR/expect.json (our
                          expected verdicts and dkimpy's dkim.arc_verify())
    cases.py check DIR OUT.jsonl
                          compare mxcheck --json output with DIR/expect.json

Every ARC set is made by dkimpy (RFC 8617, rsa-sha256, relaxed/relaxed).
Each hop adds an Authentication-Results field of its own authserv-id (with
arc=pass or arc=fail from the second hop on: dkimpy takes cv= from it) and
seals.  Hostile messages are made by editing sealed ones.  dkimpy is the
oracle: mxcheck's arc= must equal dkim.arc_verify()'s, except where a case
names a known difference.
"""

import base64
import json
import os
import subprocess
import sys
import time

import dkim

NOW = int(time.time())


def openssl(*args):
    return subprocess.run(("openssl",) + args, check=True,
                          capture_output=True).stdout


def rsa_key(bits, path):
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt",
            "rsa_keygen_bits:%d" % bits, "-out", path)
    pem = open(path, "rb").read()
    der = openssl("pkey", "-in", path, "-pubout", "-outform", "DER")
    return pem, base64.b64encode(der)


def message(name, extra=b""):
    return (b"Received: from client.example.com (client.example.com\r\n"
            b"\t[192.0.2.25]) by mx.example.net with ESMTPS;\r\n"
            b"\tThu, 01 Jan 2026 00:00:00 +0000\r\n"
            b"From: Alice Example <alice@example.com>\r\n"
            b"To: list@lists.example.net\r\n"
            b"Subject: ARC test %s\r\n"
            b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
            b"Message-ID: <%s@example.com>\r\n" % (name.encode(),
                                                    name.encode())
            + extra + b"MIME-Version: 1.0\r\n\r\n"
            b"Hello,\r\n\r\nthis is ARC test %s.  Trailing space: \r\n"
            b"\ttab-indented   line\r\n\r\nBye.\r\n\r\n\r\n" % name.encode())


def hop(msg, n, key, cv=None, domain=None):
    """Hop n receives msg: its Authentication-Results, then its ARC set
    (prepended, as a forwarder does)."""
    srv = (domain or "hop%d.example" % n).encode()
    ar = b"Authentication-Results: " + srv + b"; spf=pass smtp.mailfrom=example.com"
    if cv is not None:
        ar += b"; arc=" + cv
    msg = ar + b"\r\n" + msg
    sets = dkim.arc_sign(msg, b"sel", srv, key, srv, timestamp=NOW - 60)
    if not sets:
        raise SystemExit("dkimpy did not seal at hop %d" % n)
    return b"".join(sets) + msg


def chain(name, hops, key, cvs=None, between=None):
    msg = message(name)
    for n in range(1, hops + 1):
        cv = None if n == 1 else (cvs or {}).get(n, b"pass")
        msg = hop(msg, n, key, cv)
        if between and n in between:
            msg = between[n](msg)
    return msg


def lf(msg):
    return msg.replace(b"\r\n", b"\n")


def split255(s):
    return [s[i:i + 255] for i in range(0, len(s), 255)] or [b""]


class Corpus:
    def __init__(self, out):
        self.out = out
        self.table = []
        self.records = {}
        self.cases = []

    def key(self, domain, record):
        name = b"sel._domainkey." + domain
        self.table.append((name, split255(record)))
        self.records[name.decode()] = record

    def add(self, name, msg, expect, error=None, oldest=None, differs=None):
        path = os.path.join(self.out, "msg", name + ".eml")
        with open(path, "wb") as f:
            f.write(msg)
        self.cases.append(dict(name=name, file=path, expect=expect,
                               error=error, oldest=oldest, differs=differs,
                               msg=msg))

    def dnsfunc(self, name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        name = name.rstrip(".")
        if name.startswith("slow."):
            raise dkim.DnsTimeoutError("timeout")
        return self.records.get(name)

    def write(self):
        with open(os.path.join(self.out, "keys.table"), "wb") as f:
            for name, strings in self.table:
                f.write(name + b"\t" + b"\t".join(strings) + b"\n")
            f.write(b"sel._domainkey.slow.example\tTIMEOUT\n")
        out = []
        for c in self.cases:
            cv, _, why = dkim.arc_verify(c["msg"], dnsfunc=self.dnsfunc)
            c = dict(c)
            del c["msg"]
            # None: dkimpy's "the chain is terminated" (a cv=fail seal that
            # verifies); RFC 8617 section 5.2 step 2 makes that arc=fail.
            c["dkimpy"] = "fail" if cv is None else cv.decode()
            c["dkimpy_why"] = why
            out.append(c)
        with open(os.path.join(self.out, "expect.json"), "w") as f:
            json.dump(out, f, indent=1)


def make(out):
    os.makedirs(os.path.join(out, "msg"), exist_ok=True)
    pem, pub = rsa_key(2048, os.path.join(out, "rsa2048.pem"))
    c = Corpus(out)
    for d in (b"hop1.example", b"hop2.example", b"hop3.example",
              b"other.example"):
        c.key(d, b"v=DKIM1; k=rsa; p=" + pub)

    c.add("none", message("none"), "none")
    c.add("chain1", chain("chain1", 1, pem), "pass", oldest=0)
    c.add("chain2", chain("chain2", 2, pem), "pass", oldest=0)
    c.add("chain3", chain("chain3", 3, pem), "pass", oldest=0)
    c.add("chain3-lf", lf(chain("chain3-lf", 3, pem)), "pass", oldest=0)

    # The body changed after the last AMS.
    c.add("body-after-last", chain("body-after-last", 2, pem) +
          b"-- \r\nappended footer\r\n", "fail", error="body-hash-mismatch")
    # A list rewrote the body between hop 1 and hop 2, then sealed: AMS 1
    # fails, the chain passes, oldest-pass is 2.
    c.add("body-between", chain("body-between", 3, pem, between={
        1: lambda m: m + b"[list footer]\r\n"}), "pass", oldest=2)
    # A broken seal: an ARC-Authentication-Results of instance 1 edited
    # after sealing (both seals cover it).
    m = chain("broken-seal", 2, pem)
    m = m.replace(b"i=1; hop1.example; spf=pass", b"i=1; hop1.example; spf=fail", 1)
    c.add("broken-seal", m, "fail", error="signature-mismatch")
    # The latest seal's b= damaged.
    m = chain("bad-b", 2, pem)
    k = m.index(b"ARC-Seal: i=2")
    bpos = m.index(b" b=", k) + 3
    m = m[:bpos] + (b"A" if m[bpos:bpos + 1] != b"A" else b"B") + m[bpos + 1:]
    c.add("bad-b", m, "fail", error="signature-mismatch")
    # cv=fail: hop 2 found the chain broken and said so.
    c.add("cv-fail", chain("cv-fail", 2, pem, cvs={2: b"fail"}), "fail",
          error="arc-cv-fail")
    # No key for the sealer.
    m = chain("nokey", 1, pem).replace(b"d=hop1.example", b"d=nokey.example")
    c.add("nokey", m, "fail", error="no-key")
    # A key lookup that times out: temperror here, dkimpy says fail.
    m = chain("slow", 1, pem).replace(b"d=hop1.example", b"d=slow.example")
    c.add("dns-timeout", m, "temperror", error="dns-error",
          differs="DNS timeout: temperror here (never pass nor fail), "
          "fail for dkimpy")

    # Hostile structure.
    m = chain("inst51", 1, pem)
    m = m.replace(b"i=1;", b"i=51;")
    c.add("instance-51", m, "fail", error="arc-instance")
    # Duplicate the three fields of instance 1 (the fields are folded).
    m = chain("dup", 2, pem)
    hdr, body = m.split(b"\r\n\r\n", 1)
    fields, cur = [], b""
    for line in hdr.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            cur += b"\r\n" + line
        else:
            if cur:
                fields.append(cur)
            cur = line
    fields.append(cur)
    inst1 = [f for f in fields if f.lower().startswith(b"arc-")
             and b"i=1;" in f]
    c.add("duplicate-instance",
          b"\r\n".join(inst1 + fields) + b"\r\n\r\n" + body, "fail",
          error="arc-structure")
    no_ams1 = [f for f in fields
               if not (f.startswith(b"ARC-Message-Signature") and b"i=1;" in f)]
    c.add("seal-over-missing-ams",
          b"\r\n".join(no_ams1) + b"\r\n\r\n" + body, "fail",
          error="arc-structure")
    garbage = [b"ARC-Seal: i=2; cv=pass; a=rsa-sha256; %%% garbage; b==="
               if f.startswith(b"ARC-Seal") and b"i=2;" in f else f
               for f in fields]
    c.add("garbage-tags", b"\r\n".join(garbage) + b"\r\n\r\n" + body,
          "fail")
    big = [b"ARC-Seal: i=2; cv=pass; a=rsa-sha256; d=hop2.example; s=sel; "
           b"b=" + b"A" * 65536
           if f.startswith(b"ARC-Seal") and b"i=2;" in f else f
           for f in fields]
    c.add("big-seal-64k", b"\r\n".join(big) + b"\r\n\r\n" + body, "fail")
    # A 64 KiB field, signed and sealed: verifies.
    m = message("bigfield", extra=b"X-Big: " +
                b"\r\n ".join([b"x" * 70] * 930) + b"\r\n")
    m = hop(m, 1, pem)
    c.add("big-field-64k", m, "pass", oldest=0)
    c.write()


def check(out, results):
    cases = {os.path.basename(c["file"]): c
             for c in json.load(open(os.path.join(out, "expect.json")))}
    got = {}
    for line in open(results):
        o = json.loads(line)
        got[os.path.basename(o["message"])] = o
    fail = 0
    for name, c in sorted(cases.items()):
        o = got.get(name)
        if o is None:
            if c["expect"] == "none":
                print("ok: %-22s arc=none (no ARC block shown)" % c["name"])
                if c["dkimpy"] != "none":
                    print("FAIL: %s: dkimpy says %s" % (c["name"], c["dkimpy"]))
                    fail = 1
                continue
            print("FAIL: %s: no output" % c["name"])
            fail = 1
            continue
        r = o.get("arc_result")
        if r is None and c["expect"] == "none" and c["dkimpy"] == "none":
            print("ok: %-22s arc=none (no ARC block shown)" % c["name"])
            continue
        if r is None:
            print("FAIL: %s: no arc_result" % c["name"])
            fail = 1
            continue
        bad = []
        if r["result"] != c["expect"]:
            bad.append("arc=%s, expected %s" % (r["result"], c["expect"]))
        if c["error"] and r["error"] != c["error"]:
            bad.append("error %s, expected %s" % (r["error"], c["error"]))
        if c["oldest"] is not None and r["oldest_pass"] != c["oldest"]:
            bad.append("oldest_pass %s, expected %s" % (r["oldest_pass"],
                                                        c["oldest"]))
        agree = r["result"] == c["dkimpy"]
        if not agree and not c["differs"]:
            bad.append("dkimpy says %s (%s)" % (c["dkimpy"], c["dkimpy_why"]))
        if bad:
            print("FAIL: %s: %s (%s)" % (c["name"], "; ".join(bad), r["reason"]))
            fail = 1
        else:
            print("ok: %-22s arc=%s%s%s" % (
                c["name"], r["result"],
                "" if r["oldest_pass"] is None
                else " oldest-pass=%d" % r["oldest_pass"],
                "" if agree else "  [known difference: %s]" % c["differs"]))
    return fail


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

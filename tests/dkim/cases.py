#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""cases.py - the DKIM test corpus of tests/dkim/run.sh, made at test time.

    cases.py make DIR     generate keys (openssl), sign messages (dkimpy),
                          write DIR/msg/*.eml, DIR/keys.table (for
                          keyserver.py) and DIR/expect.json (our expected
                          verdicts and dkimpy's, the oracle)
    cases.py check DIR OUT.jsonl
                          compare mxcheck --json output with DIR/expect.json

Needs python3-dkim (dkimpy, with pynacl) and openssl.  Every signature is
made by dkimpy; keys are new at each run (RSA 512/1024/2048/4096 and
Ed25519, by openssl), but for RSA-8192, whose generation takes up to a
minute: its private key, for tests only, is rsa8192.TEST-ONLY.key here.

dkimpy is the oracle: for each signature, DKIM(msg).verify(idx) with the
same key records, a DNS timeout raising DnsTimeoutError.  mxcheck must
agree (pass <=> dkimpy True) except where a case names a known difference
(notes/libopendkim.md, section 3, and the choices in mxcheck(1)).
"""

import base64
import json
import os
import subprocess
import sys
import time

import dkim
import nacl.encoding
import nacl.signing

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = b"dkim.test"
NOW = int(time.time())

# ---------------------------------------------------------------------------
# keys


def openssl(*args, data=None):
    return subprocess.run(("openssl",) + args, input=data, check=True,
                          capture_output=True).stdout


def rsa_key(bits, path):
    if not os.path.exists(path):
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt",
                "rsa_keygen_bits:%d" % bits, "-out", path)
    pem = open(path, "rb").read()
    der = openssl("pkey", "-in", path, "-pubout", "-outform", "DER")
    return pem, base64.b64encode(der)


def ed25519_key(path):
    if not os.path.exists(path):
        openssl("genpkey", "-algorithm", "ed25519", "-out", path)
    priv = openssl("pkey", "-in", path, "-outform", "DER")[-32:]
    pub = openssl("pkey", "-in", path, "-pubout", "-outform", "DER")[-32:]
    return base64.b64encode(priv), base64.b64encode(pub)


# ---------------------------------------------------------------------------
# signing: dkimpy's DKIM.sign, with t=, x= and h= under our control


def sign(msg, sel, key, alg=b"rsa-sha256", canon=(b"relaxed", b"relaxed"),
         headers=(b"from", b"to", b"subject", b"date", b"message-id"),
         length=False, t=None, x=None, domain=DOMAIN):
    d = dkim.DKIM(msg, signature_algorithm=alg, minkey=0)
    if alg == b"ed25519-sha256":
        pk = nacl.signing.SigningKey(key, encoder=nacl.encoding.Base64Encoder)
    else:
        pk = dkim.crypto.parse_pem_private_key(key)
    headers = tuple(h.lower() for h in headers)
    policy = dkim.CanonicalizationPolicy.from_c_value(b"/".join(canon))
    body = policy.canonicalize_body(d.body)
    d.hasher = dkim.HASH_ALGORITHMS[alg]
    bh = base64.b64encode(d.hasher(body).digest())
    fields = [(b"v", b"1"), (b"a", alg), (b"c", policy.to_c_value()),
              (b"d", domain), (b"i", b"@" + domain)]
    if length:
        fields.append((b"l", str(len(body)).encode()))
    fields += [(b"q", b"dns/txt"), (b"s", sel),
               (b"t", str(t if t is not None else NOW - 60).encode())]
    if x is not None:
        fields.append((b"x", str(x).encode()))
    fields += [(b"h", b" : ".join(headers)), (b"bh", bh), (b"b", b"0" * 60)]
    return b"DKIM-Signature: " + d.gen_header(fields, headers, policy,
                                              b"DKIM-Signature", pk)


def message(name, body=None, extra=b""):
    if body is None:
        body = (b"Hello,\r\n\r\nthis is test %s.  Trailing space here: \r\n"
                b"\ttab-indented line\r\n\r\nBye.\r\n\r\n\r\n" % name.encode())
    return (b"Received: from client.example.com (client.example.com\r\n"
            b"\t[192.0.2.25]) by mx.example.net with ESMTPS;\r\n"
            b"\tThu, 01 Jan 2026 00:00:00 +0000\r\n"
            b"From: Alice Example <alice@example.com>\r\n"
            b"To: Bob Example <bob@example.net>\r\n"
            b"Subject: DKIM test %s\r\n"
            b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
            b"Message-ID: <%s@example.com>\r\n" % (name.encode(),
                                                    name.encode())
            + extra + b"MIME-Version: 1.0\r\n\r\n" + body)


def lf(msg):
    return msg.replace(b"\r\n", b"\n")


# ---------------------------------------------------------------------------
# the corpus


class Corpus:
    def __init__(self, out):
        self.out = out
        self.table = []          # (name, [strings]) or (name, marker)
        self.cases = {}          # file -> expectations
        os.makedirs(os.path.join(out, "msg"), exist_ok=True)
        os.makedirs(os.path.join(out, "keys"), exist_ok=True)

    def key_record(self, sel, record, domain=DOMAIN):
        self.table.append((b"%s._domainkey.%s" % (sel, domain), record))

    def add(self, name, msg, expect, overall=None, differs=None):
        """expect: one (verdict, error code or None) per signature.
        differs: {index: why} where dkimpy is known to conclude otherwise."""
        path = os.path.join(self.out, "msg", name + ".eml")
        with open(path, "wb") as f:
            f.write(msg)
        self.cases[path] = {"name": name, "sigs": expect,
                            "overall": overall, "differs": differs or {}}

    # dkimpy with the table's records
    def dnsfunc(self, name, timeout=5):
        name = name.rstrip(b".").lower()
        recs = [r for n, r in self.table if n.lower() == name]
        if not recs:
            return None
        if recs[0] == b"TIMEOUT":
            raise dkim.DnsTimeoutError("no answer")
        if recs[0] == b"SERVFAIL":
            return None
        txts = [b"".join(r) for r in recs]
        for t in txts:          # the record with p=, as mxcheck picks
            if b"p=" in t:
                return t
        return txts[0]

    def oracle(self):
        for path, c in self.cases.items():
            msg = open(path, "rb").read()
            res = []
            for i in range(len(c["sigs"])):
                try:
                    ok = dkim.DKIM(msg).verify(idx=i, dnsfunc=self.dnsfunc)
                    res.append(bool(ok))
                except Exception as e:   # dkimpy raises on some inputs
                    res.append(False)
            c["dkimpy"] = res

    def write(self):
        with open(os.path.join(self.out, "keys.table"), "wb") as f:
            for name, rec in self.table:
                if rec in (b"TIMEOUT", b"SERVFAIL"):
                    f.write(name + b"\t" + rec + b"\n")
                else:
                    f.write(name + b"\t" + b"\t".join(rec) + b"\n")
        with open(os.path.join(self.out, "expect.json"), "w") as f:
            json.dump(self.cases, f, indent=1, sort_keys=True)


def split255(s):
    return [s[i:i + 255] for i in range(0, len(s), 255)] or [b""]


def make(out):
    c = Corpus(out)
    kd = os.path.join(out, "keys")
    keys = {}
    for bits in (512, 1024, 2048, 4096):
        keys["rsa%d" % bits] = rsa_key(bits, os.path.join(kd, "rsa%d.pem" %
                                                          bits))
    keys["rsa8192"] = rsa_key(8192, os.path.join(HERE,
                                                 "rsa8192.TEST-ONLY.key"))
    keys["ed25519"] = ed25519_key(os.path.join(kd, "ed25519.pem"))
    # Published as DNS has them: strings of at most 255 octets (RSA-2048
    # is two strings, RSA-4096 three, RSA-8192 six), joined by the client.
    for k, (priv, pub) in keys.items():
        kt = b"ed25519" if k == "ed25519" else b"rsa"
        c.key_record(k.encode(), split255(b"v=DKIM1; k=" + kt + b"; p=" + pub))
    ALG = {"ed25519": b"ed25519-sha256"}

    def alg(k):
        return ALG.get(k, b"rsa-sha256")

    PASS, FAIL = "pass", "fail"
    # The matrix: 4 keys x 4 canonicalisations x 5 variants.
    for k in ("rsa1024", "rsa2048", "rsa4096", "ed25519"):
        for canon in ((b"simple", b"simple"), (b"relaxed", b"relaxed"),
                      (b"relaxed", b"simple"), (b"simple", b"relaxed")):
            tag = "%s-%s-%s" % (k, canon[0].decode(), canon[1].decode())
            base = message(tag)
            sig = sign(base, k.encode(), keys[k][0], alg(k), canon)
            good = sig + base
            c.add(tag, good, [(PASS, None)])
            c.add(tag + "-body", good.replace(b"test " + tag.encode() + b".",
                                              b"test " + tag.encode() + b"!"),
                  [(FAIL, "body-hash-mismatch")])
            c.add(tag + "-subject", good.replace(b"Subject: DKIM test",
                                                 b"Subject: DKIM Test"),
                  [(FAIL, "signature-mismatch")])
            c.add(tag + "-unsigned-added",
                  good.replace(b"MIME-Version", b"X-Added: after signing\r\n"
                               b"MIME-Version"), [(PASS, None)])
            c.add(tag + "-lf", lf(good), [(PASS, None)])

    # Several signatures on one message.
    base = message("two")
    s1 = sign(base, b"rsa2048", keys["rsa2048"][0], canon=(b"relaxed",
                                                            b"relaxed"))
    s2 = sign(base, b"ed25519", keys["ed25519"][0], b"ed25519-sha256",
              (b"simple", b"simple"))
    c.add("two-signatures", s2 + s1 + base, [(PASS, None), (PASS, None)])
    base = message("two-to")
    s1 = sign(base, b"rsa2048", keys["rsa2048"][0], headers=(b"from", b"to"))
    s2 = sign(base, b"ed25519", keys["ed25519"][0], b"ed25519-sha256",
              headers=(b"from", b"subject"))
    c.add("two-signatures-to-changed",
          (s2 + s1 + base).replace(b"To: Bob Example", b"To: Eve Example"),
          [(PASS, None), (FAIL, "signature-mismatch")])

    # Keys: missing, revoked, malformed, 8192 bits, k= not matching a=,
    # DNS timeout and SERVFAIL, several TXT records, t=y, 512 bits.
    def one(name, sel, record, expect, k="rsa2048", algo=None, differs=None,
            sign_with=None):
        if record is not None:
            c.key_record(sel, record)
        base = message(name)
        key = keys[sign_with or k][0]
        sig = sign(base, sel, key, algo or alg(sign_with or k))
        c.add(name, sig + base, [expect], differs=differs)

    one("key-missing", b"missing", None, ("permerror", "no-key"))
    one("key-revoked", b"revoked", [b"v=DKIM1; k=rsa; p="],
        ("permerror", "key-revoked"))
    one("key-malformed-base64", b"badb64",
        [b"v=DKIM1; k=rsa; p=this-is-not-base64!"], ("permerror", "key-syntax"))
    one("key-malformed-tags", b"badtags", [b"this is not a key record"],
        ("permerror", "key-syntax"))
    one("key-unknown-k", b"badk", [b"v=DKIM1; k=dsa; p=" + keys["rsa2048"][1]],
        ("permerror", "key-syntax"))
    one("key-rsa8192", b"rsa8192", None, ("permerror", "key-too-large"),
        k="rsa8192",
        differs={0: "libopendkim takes key records of at most 1024 octets "
                    "(the RSA-8192 record is about 1,430): permerror here, "
                    "pass for dkimpy"})
    one("key-k-rsa-a-ed25519", b"kmis1",
        [b"v=DKIM1; k=rsa; p=" + keys["ed25519"][1]],
        ("permerror", "key-type-mismatch"), k="ed25519")
    one("key-k-ed25519-a-rsa", b"kmis2",
        split255(b"v=DKIM1; k=ed25519; p=" + keys["rsa2048"][1]),
        ("permerror", "key-type-mismatch"))
    one("key-dns-timeout", b"slow", b"TIMEOUT", ("temperror", "dns-error"))
    one("key-dns-servfail", b"broken", b"SERVFAIL", ("temperror", "dns-error"),
        differs={0: "dkimpy reads SERVFAIL as no key (fail); RFC 6376 "
                    "section 6.1.2 makes a failed query a TEMPFAIL"})
    c.key_record(b"several", [b"google-site-verification=abc"])
    one("key-several-txt", b"several",
        split255(b"v=DKIM1; k=rsa; p=" + keys["rsa2048"][1]),
        ("pass", None, "several-key-records"))
    one("key-testing", b"testing",
        split255(b"v=DKIM1; k=rsa; t=y; p=" + keys["rsa2048"][1]),
        ("pass", None, "testing"))
    one("key-rsa512", b"rsa512", None, ("policy", "key-too-small"), k="rsa512")
    one("key-rsa1024", b"rsa1024", None, ("pass", None, "weak-key"),
        k="rsa1024")

    # Signature policy: rsa-sha1, l=, expired, future, From not signed.
    base = message("sha1")
    c.add("rsa-sha1", sign(base, b"rsa2048", keys["rsa2048"][0],
                           b"rsa-sha1") + base,
          [("policy", "rsa-sha1")],
          differs={0: "RFC 8301 section 3.1: verifiers MUST NOT consider "
                      "rsa-sha1 valid (policy here); dkimpy still passes "
                      "it"})
    base = message("l")
    sig = sign(base, b"rsa2048", keys["rsa2048"][0], length=True)
    c.add("body-length", sig + base, [("pass", None, "body-length")])
    c.add("body-length-appended", sig + base + b"Appended by someone.\r\n",
          [("pass", None, "body-length")])
    base = message("fromtwice")
    c.add("extra-from-added", b"From: Mallory <mallory@evil.example>\r\n" +
          sign(base, b"rsa2048", keys["rsa2048"][0]) + base,
          [("pass", None, "unsigned-instance")],
          differs={0: "a From added above the signed one: libopendkim hashes "
                      "the bottom From and passes (mxcheck warns "
                      "unsigned-instance), dkimpy hashes every From and "
                      "fails"})
    base = message("partial")
    c.add("headers-not-signed", sign(base, b"rsa2048", keys["rsa2048"][0],
                                     headers=(b"from",)) + base,
          [("pass", None, "headers-not-signed")])
    base = message("expired")
    c.add("expired", sign(base, b"rsa2048", keys["rsa2048"][0],
                          t=NOW - 3 * 86400, x=NOW - 2 * 86400) + base,
          [("permerror", "expired")])
    base = message("future")
    c.add("future", sign(base, b"rsa2048", keys["rsa2048"][0],
                         t=NOW + 2 * 86400) + base,
          [("permerror", "future")])
    base = message("nofrom")
    c.add("from-not-signed", sign(base, b"rsa2048", keys["rsa2048"][0],
                                  headers=(b"to", b"subject", b"date")) + base,
          [("permerror", "from-not-signed")],
          differs={0: "RFC 6376 section 6.1.1: a signature whose h= lacks "
                      "From is a PERMFAIL; dkimpy does not check it"})

    # Hostile messages.
    base = message("nosep")
    good = sign(base, b"rsa2048", keys["rsa2048"][0]) + base
    c.add("hostile-no-separator", good.replace(b"1.0\r\n\r\nHello", b"1.0\r\n"
                                               b"Hello"), [("pass", None)],
          differs={0: "no empty line after the header: mxcheck takes the "
                      "first line that is not a field as the body's first "
                      "(as MTAs do), dkimpy refuses the message"})
    base = message("nul", body=b"a NUL \0 in the body\r\n")
    c.add("hostile-nul-body", sign(base, b"rsa2048", keys["rsa2048"][0]) +
          base, [("pass", None)])
    base = message("nulhdr", extra=b"X-Nul: a \0 here\r\n")
    c.add("hostile-nul-header", sign(base, b"rsa2048", keys["rsa2048"][0]) +
          base, [("pass", None)])
    base = message("bigfield")
    sig = sign(base, b"rsa2048", keys["rsa2048"][0])
    c.add("hostile-field-1mb", sig + base.replace(
        b"MIME-Version", b"X-Big: " + b"x" * 1000000 + b"\r\nMIME-Version"),
        [("pass", None)])
    c.add("hostile-field-over-limit", sig + base.replace(
        b"MIME-Version", b"X-Big: " + b"x" * (1024 * 1024) + b"\r\nMIME-Version"),
        [("permerror", "message-not-verifiable")],
        differs={0: "a header field over MXC_DKIM_MAX_FIELD (1 MiB): the "
                    "message is not verified"})
    many = b"".join(b"X-Many-%d: %d\r\n" % (i, i) for i in range(9991))
    base = message("many")
    sig = sign(base, b"rsa2048", keys["rsa2048"][0])
    # 10,000 fields in all (the signature, 6 fields, 9,991, X-Last and
    # MIME-Version): the limit, still verified; one more is over it.
    c.add("hostile-10000-fields", sig + base.replace(
        b"MIME-Version", many + b"X-Last: 1\r\nMIME-Version"),
        [("pass", None)])
    c.add("hostile-10001-fields", sig + base.replace(
        b"MIME-Version", many + b"X-Last: 1\r\nX-One-More: 1\r\nMIME-Version"),
        [("permerror", "message-not-verifiable")],
        differs={0: "over MXC_DKIM_MAX_FIELDS: the message is not verified"})
    # A body line: libopendkim's relaxed canonicalisation holds a run of
    # octets without white space; over MXC_DKIM_MAX_LINE (1 MiB) the
    # message is not verified.
    base = message("longline", body=b"y" * 900000 + b"\r\n")
    c.add("hostile-body-line-900k", sign(base, b"rsa2048",
                                         keys["rsa2048"][0]) + base,
          [("pass", None)])
    base = message("toolong", body=b"z" * (2 * 1024 * 1024) + b"\r\n")
    c.add("hostile-body-line-over-limit", sign(base, b"rsa2048",
                                               keys["rsa2048"][0]) + base,
          [("permerror", "message-not-verifiable")],
          differs={0: "a body line over MXC_DKIM_MAX_LINE (1 MiB): the "
                      "message is not verified"})
    base = message("hundred")
    sigs = b"".join(sign(base, b"rsa2048", keys["rsa2048"][0],
                         t=NOW - 60 - i) for i in range(100))
    c.add("hostile-100-signatures", sigs + base, [("pass", None)] * 10,
          overall="pass")
    base = message("cr", body=b"a bare CR\r here\r\nand a line\rend\r\n")
    c.add("hostile-bare-cr", sign(base, b"rsa2048", keys["rsa2048"][0],
                                  canon=(b"simple", b"simple")) + base,
          [("pass", None)])
    base = message("crrel", body=b"a bare CR\r here\r\n")
    c.add("hostile-bare-cr-relaxed", sign(base, b"rsa2048",
                                          keys["rsa2048"][0]) + base,
          [("fail", "body-hash-mismatch")],
          differs={0: "libopendkim's relaxed body canonicalisation drops a "
                      "bare CR (dkim-canon.c, dkim_canon_bodychunk(), state "
                      "2); RFC 6376 section 3.4.4 keeps it, as dkimpy does"})
    c.add("hostile-headers-only", sign(message("hdr", body=b""), b"rsa2048",
                                       keys["rsa2048"][0]) +
          message("hdr", body=b"")[:-2], [("pass", None)])
    c.add("unsigned", message("unsigned"), [], overall="none")
    c.add("mbox", b"From alice@example.com Thu Jan  1 00:00:00 2026\n" +
          lf(c_sign(message("mbox"), keys)), [("pass", None)])
    c.oracle()
    c.write()


def c_sign(base, keys):
    return sign(base, b"rsa2048", keys["rsa2048"][0]) + base


# ---------------------------------------------------------------------------
# the comparison


def check(out, results):
    cases = json.load(open(os.path.join(out, "expect.json")))
    got = {}
    for line in open(results):
        line = line.strip()
        if line:
            o = json.loads(line)
            got[o["message"]] = o
    npass = nfail = 0
    known = []
    for path, c in sorted(cases.items()):
        name = c["name"]
        o = got.get(path)
        errs = []
        if o is None:
            errs.append("no result")
        else:
            sigs = o["dkim"]
            if len(sigs) != len(c["sigs"]):
                errs.append("%d signatures reported, want %d" %
                            (len(sigs), len(c["sigs"])))
            for i, exp in enumerate(c["sigs"]):
                verdict, code = exp[0], exp[1]
                if i >= len(sigs):
                    break
                s = sigs[i]
                if s["result"] != verdict or (code and s["error"] != code):
                    errs.append("sig %d: %s %s (%s), want %s %s" %
                                (i, s["result"], s["error"], s["reason"],
                                 verdict, code or ""))
                codes = [w["code"] for w in s["warnings"]]
                if len(exp) > 2 and exp[2] not in codes:
                    errs.append("sig %d: warnings %s lack %s" %
                                (i, codes, exp[2]))
                ours = s["result"] == "pass"
                theirs = c["dkimpy"][i]
                why = c["differs"].get(str(i)) or c["differs"].get(i)
                if ours != theirs and not why:
                    errs.append("sig %d: mxcheck %s, dkimpy %s" %
                                (i, s["result"], "pass" if theirs else
                                 "not pass"))
                if ours != theirs and why:
                    known.append("%s: %s" % (name, why))
            want = c["overall"] or (c["sigs"][0][0] if c["sigs"] else "none")
            if c["sigs"] and any(e[0] == "pass" for e in c["sigs"]):
                want = "pass"
            if o["dkim_result"]["result"] != want:
                errs.append("result %s, want %s" %
                            (o["dkim_result"]["result"], want))
        if errs:
            nfail += 1
            print("FAIL %s: %s" % (name, "; ".join(errs)))
        else:
            npass += 1
    for k in known:
        print("known difference from dkimpy: %s" % k)
    print("dkim-corpus: %d passed, %d failed (%d known differences from "
          "dkimpy)" % (npass, nfail, len(known)))
    return 1 if nfail else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())

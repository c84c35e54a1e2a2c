#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""dkim-gen.py - messages for bench/dkim-bench.sh, signed by dkimpy.

    dkim-gen.py OUT COUNT BIG

Writes OUT/keys.table (for tests/dkim/keyserver.py) and four sets of
distinct messages, each signed once, relaxed/relaxed, with 7 signed header
fields and a folded 3-line Received field (the shape of
notes/libopendkim.md, section 5):
    OUT/rsa-10k/    COUNT messages of about 11 KB, RSA-2048
    OUT/ed-10k/     COUNT messages of about 11 KB, Ed25519
    OUT/rsa-1m/     BIG messages of about 1 MB, RSA-2048
    OUT/ed-1m/      BIG messages of about 1 MB, Ed25519
Keys are new at each run (openssl).  Needs python3-dkim (with pynacl).
"""

import base64
import os
import random
import subprocess
import sys
import time

import dkim
import nacl.encoding
import nacl.signing

WORDS = ("the of and to in is that for it as was with be by on not he this "
         "are or his from at which but have an they you were her she there "
         "deliverability mailbox provider sender message header signature "
         "selector domain key canonical body relaxed simple").split()


def openssl(*args):
    return subprocess.run(("openssl",) + args, check=True,
                          capture_output=True).stdout


def text(rng, size):
    lines, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        if rng.random() < 0.1:
            line += "  "            # trailing white space (relaxed drops it)
        lines.append(line)
        n += len(line) + 2
    return ("\r\n".join(lines) + "\r\n").encode()


def message(i, body):
    return (b"Received: from client%d.example.com (client%d.example.com\r\n"
            b"\t[192.0.2.%d]) by mx.example.net with ESMTPS id %08x;\r\n"
            b"\tThu, 01 Jan 2026 00:00:00 +0000\r\n"
            b"From: Sender %d <sender%d@example.com>\r\n"
            b"To: Recipient <rcpt@example.net>\r\n"
            b"Cc: Other <other@example.net>\r\n"
            b"Subject: Benchmark message %d\r\n"
            b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
            b"Message-ID: <bench-%d@example.com>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            % (i, i, i % 250 + 1, i, i, i, i, i) + body)


HEADERS = (b"from", b"to", b"cc", b"subject", b"date", b"message-id",
           b"mime-version")


def sign(msg, sel, key, alg):
    d = dkim.DKIM(msg, signature_algorithm=alg)
    return d.sign(sel, b"bench.test", key, canonicalize=(b"relaxed",
                                                          b"relaxed"),
                  include_headers=list(HEADERS)) + msg


def main():
    out, count, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    rsa = os.path.join(out, "rsa2048.pem")
    ed = os.path.join(out, "ed25519.pem")
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
            "-out", rsa)
    openssl("genpkey", "-algorithm", "ed25519", "-out", ed)
    rsa_pem = open(rsa, "rb").read()
    rsa_pub = base64.b64encode(openssl("pkey", "-in", rsa, "-pubout",
                                       "-outform", "DER"))
    ed_priv = base64.b64encode(openssl("pkey", "-in", ed, "-outform",
                                       "DER")[-32:])
    ed_pub = base64.b64encode(openssl("pkey", "-in", ed, "-pubout",
                                      "-outform", "DER")[-32:])
    with open(os.path.join(out, "keys.table"), "wb") as f:
        rec = b"v=DKIM1; k=rsa; p=" + rsa_pub
        f.write(b"rsa._domainkey.bench.test\t" + b"\t".join(
            rec[i:i + 255] for i in range(0, len(rec), 255)) + b"\n")
        f.write(b"ed._domainkey.bench.test\tv=DKIM1; k=ed25519; p=" + ed_pub +
                b"\n")
    rng = random.Random(1)
    sets = (("rsa-10k", count, 10 * 1024, b"rsa", rsa_pem, b"rsa-sha256"),
            ("ed-10k", count, 10 * 1024, b"ed", ed_priv, b"ed25519-sha256"),
            ("rsa-1m", big, 1024 * 1024, b"rsa", rsa_pem, b"rsa-sha256"),
            ("ed-1m", big, 1024 * 1024, b"ed", ed_priv, b"ed25519-sha256"))
    t0 = time.time()
    for name, n, size, sel, key, alg in sets:
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        base = text(rng, size)
        for i in range(n):
            # distinct bodies: a different first line, the rest shared
            body = b"Message %d of set %s.\r\n" % (i, name.encode()) + base
            with open(os.path.join(d, "%05d.eml" % i), "wb") as f:
                f.write(sign(message(i, body), sel, key, alg))
    sys.stderr.write("dkim-gen: %d + %d messages per algorithm in %.1f s\n" %
                     (count, big, time.time() - t0))


if __name__ == "__main__":
    main()

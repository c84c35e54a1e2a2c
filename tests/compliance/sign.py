#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Sign a message with DKIM (RFC 6376, rsa-sha256, relaxed/relaxed) using
the openssl command: the fixtures of tests/cli_compliance.sh were made with

  sign.py KEY DOMAIN SELECTOR HEADERS < unsigned.eml > signed.eml

HEADERS is the h= list ("from:to:subject:...").  Standard library only."""
import base64, hashlib, re, subprocess, sys

def split(raw):
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    fields = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields, body.replace(b"\n", b"\r\n")

def canon_header(f):
    name, _, value = f.partition(b":")
    value = re.sub(rb"\r\n", b"", value)
    value = re.sub(rb"[ \t]+", b" ", value).strip(b" ")
    return name.strip().lower() + b":" + value

def canon_body(b):
    lines = [re.sub(rb"[ \t]+", b" ", l).rstrip(b" ") for l in b.split(b"\r\n")]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(l + b"\r\n" for l in lines)

def main():
    key, domain, sel, hlist = sys.argv[1:5]
    fields, body = split(sys.stdin.buffer.read())
    bh = base64.b64encode(hashlib.sha256(canon_body(body)).digest()).decode()
    sig = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; "
           "s=%s; t=1700000000; h=%s; bh=%s; b=" % (domain, sel, hlist, bh))
    used = {}
    data = b""
    for h in hlist.split(":"):
        cands = [f for f in fields if f.split(b":")[0].strip().lower() == h.encode().lower()]
        n = used.get(h.lower(), 0)
        if n < len(cands):
            data += canon_header(cands[len(cands) - 1 - n]) + b"\r\n"
        used[h.lower()] = n + 1
    data += canon_header(sig.encode())
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                         input=data, capture_output=True, check=True).stdout
    b = base64.b64encode(out).decode()
    sys.stdout.buffer.write((sig + b).encode() + b"\n")
    sys.stdout.buffer.write(b"\n".join(f.replace(b"\r\n", b"\n") for f in fields))
    sys.stdout.buffer.write(b"\n\n" + body.replace(b"\r\n", b"\n"))

main()

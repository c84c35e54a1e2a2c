#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write doc/man3/: one page per group of public functions, made from the
prototypes and Doxygen comments of lib/mxcheck.h and lib/adapters/*.h,
and a .so link for every other function, so that `man mxc_NAME` finds
each.  Also writes doc/man3/local.mk (the list automake installs).

Run from the top of the tree after changing the public API:
    python3 tools/man3.py
tests/man3.sh fails when a public function has no page.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (group, title): the first function of a group names its page.
GROUPS = [
    ("ctx", "contexts, their options, statuses and versions"),
    ("loop", "running checks in the application's event loop"),
    ("iprev", "forward-confirmed reverse DNS (iprev) checks, cancel"),
    ("spf", "SPF (RFC 7208) checks"),
    ("dkim", "DKIM (RFC 6376) verification of a message"),
    ("dmarc", "DMARC checks of a domain and of a message"),
    ("arc", "ARC (RFC 8617) verification of a message"),
    ("msg", "the header of a message, for the compliance check"),
    ("compliance", "the bulk-sender requirements report"),
    ("exist", "domain existence checks (rule R13)"),
    ("dnsbl", "DNS blocklist checks (rule R19)"),
    ("domain", "the audit of a sending domain"),
    ("host", "checks of a mail host by name (every address)"),
    ("dnssec", "DNSSEC signatures of a zone file before it is published"),
    ("result", "reading and rendering results"),
]
SINGLE = {
    "mxc_strerror": "ctx", "mxc_verdict_str": "ctx", "mxc_version": "ctx",
    "mxc_free": "result", "mxc_set_socket_cb": "loop",
    "mxc_set_timer_cb": "loop", "mxc_set_detach_cb": "loop",
    "mxc_assign": "loop", "mxc_process_fds": "loop",
    "mxc_timeout_ms": "loop", "mxc_pending": "loop", "mxc_run": "loop",
    "mxc_rua_state_str": "domain",
    "mxc_attach_libevent": "loop", "mxc_attach_libev": "loop",
    "mxc_attach_libuv": "loop", "mxc_fcrdns_start": "iprev",
    "mxc_fcrdns_sync": "iprev", "mxc_check_cancel": "iprev",
    "mxc_check_arg": "iprev", "mxc_name_state_str": "iprev",
    "mxc_mx_state_str": "domain", "mxc_rule_state_str": "compliance",
    "mxc_unknown_str": "compliance", "mxc_results_json": "result",
    "mxc_results_text": "result",
}
INCLUDES = {
    "mxc_attach_libevent": "<mxcheck/adapters/libevent.h>",
    "mxc_attach_libev": "<mxcheck/adapters/libev.h>",
    "mxc_attach_libuv": "<mxcheck/adapters/libuv.h>",
}


def group_of(name):
    if name in SINGLE:
        return SINGLE[name]
    word = name.split("_")[1]
    for g, _ in GROUPS:
        if g == word:
            return g
    sys.exit("man3.py: no group for %s: add it to SINGLE" % name)


def clean_comment(c):
    c = re.sub(r"^/\*!?", "", c.strip())
    c = re.sub(r"\*/$", "", c)
    lines = [re.sub(r"^\s*\* ?", "", l) for l in c.splitlines()]
    text = " ".join(l.strip() for l in lines if l.strip())
    text = text.replace("\\param[in]", "Parameter").replace(
        "\\param[out]", "Output").replace("\\param", "Parameter")
    return text.replace("\\return", "Returns")


def decls(path, marker):
    """(name, prototype, comment) in file order; a comment is shared by the
    declarations that follow it up to the next comment."""
    src = open(path).read()
    out = []
    comment = ""
    pos = 0
    tok = re.compile(r"/\*.*?\*/|" + marker + r"[^;{]*?\((?:[^()]|\([^()]*\))*\)",
                     re.S)
    for m in tok.finditer(src):
        t = m.group(0)
        if t.startswith("/*"):
            comment = clean_comment(t) if t.startswith("/*!") else ""
            continue
        proto = re.sub(r"\s+", " ", t.replace("MXC_EXTERN ", "")).strip()
        proto = proto.replace("static inline ", "")
        name = re.search(r"(mxc_\w+)\s*\($", proto.split("(")[0] + "(")
        if not name:
            continue
        out.append((name.group(1), proto + ";", comment))
    return out


def roff(s):
    s = s.replace("\\", "\\e")
    if s[:1] in (".", "'"):
        s = "\\&" + s
    return s


def main():
    items = decls(os.path.join(TOP, "lib", "mxcheck.h"), r"MXC_EXTERN")
    for a in ("libevent", "libev", "libuv"):
        items += [d for d in decls(os.path.join(TOP, "lib", "adapters",
                                                a + ".h"),
                                   r"static inline mxc_status_t")
                  if d[0].startswith("mxc_attach_")]
    seen = set()
    groups = {g: [] for g, _ in GROUPS}
    for name, proto, comment in items:
        if name in seen:
            continue
        seen.add(name)
        groups[group_of(name)].append((name, proto, comment))
    mandir = os.path.join(TOP, "doc", "man3")
    for f in os.listdir(mandir):
        if f.endswith(".3"):
            os.unlink(os.path.join(mandir, f))
    files = []
    for g, title in GROUPS:
        fns = groups[g]
        if not fns:
            continue
        names = [n for n, _, _ in fns]
        page = next((n for n in ("mxc_%s_new" % g, "mxc_%s_start" % g,
                                 "mxc_set_socket_cb", "mxc_result_free")
                     if n in names), names[0])
        lines = [
            '.\\" SPDX-License-Identifier: BSD-2-Clause',
            '.\\" Generated by tools/man3.py from the public headers.',
            '.TH %s 3 "" "libmxcheck" "Library Functions Manual"'
            % page.upper().replace("_", "\\_"),
            ".SH NAME",
            ", ".join(n for n, _, _ in fns) + " \\- " + title,
            ".SH SYNOPSIS",
            ".nf",
            ".B #include <mxcheck.h>",
        ]
        incs = sorted({INCLUDES[n] for n, _, _ in fns if n in INCLUDES})
        for inc in incs:
            lines.append(".B #include %s" % inc)
        lines.append(".PP")
        for _, proto, _ in fns:
            lines.append(roff(proto))
        lines += [".fi", ".SH DESCRIPTION"]
        # Functions sharing a comment (or none) are described together.
        runs = []
        for name, _, comment in fns:
            if runs and comment == runs[-1][1]:
                runs[-1][0].append(name)
            else:
                runs.append(([name], comment))
        for rnames, comment in runs:
            who = ", ".join("\\fB%s\\fP()" % n for n in rnames)
            lines += [".PP", who + ": " + roff(comment or
                      "as the functions above; see lib/mxcheck.h.")]
        lines += [".SH SEE ALSO", ".BR libmxcheck (3)"]
        with open(os.path.join(mandir, page + ".3"), "w") as f:
            f.write("\n".join(lines) + "\n")
        files.append(page + ".3")
        for name in names:
            if name == page:
                continue
            with open(os.path.join(mandir, name + ".3"), "w") as f:
                f.write(".so man3/%s.3\n" % page)
            files.append(name + ".3")
    files.sort()
    with open(os.path.join(mandir, "local.mk"), "w") as f:
        f.write("# Generated by tools/man3.py: a page per group of public "
                "functions and a\n# .so link for every other one.\n")
        f.write("dist_man3_MANS = " + " \\\n\t".join(
            "doc/man3/" + x for x in files) + "\n")
    print("man3.py: %d pages, %d names" % (
        sum(1 for g in groups.values() if g), len(files)))


main()

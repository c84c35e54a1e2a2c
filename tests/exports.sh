#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Only mxc_ symbols may be exported by libmxcheck.so.
set -u
lib=${MXC_LIBDIR:-lib/.libs}/libmxcheck.so
if [ ! -f "$lib" ]; then
  echo "SKIP: $lib not built (static-only build?)"
  exit 77
fi
syms=$(nm -D --defined-only "$lib" | awk '{print $3}')
n=$(printf '%s\n' "$syms" | grep -c '^mxc_')
bad=$(printf '%s\n' "$syms" | grep -v '^mxc_' | grep -v '^$')
if [ -n "$bad" ]; then
  echo "FAIL: symbols outside the mxc_ namespace are exported:"
  printf '%s\n' "$bad"
  exit 1
fi
# The public API is there.
for f in mxc_ctx_new mxc_ctx_free mxc_fcrdns_start mxc_fcrdns_sync mxc_run \
         mxc_process_fds mxc_result_json mxc_spf_start mxc_spf_sync \
         mxc_spf_trace mxc_results_json mxc_results_text \
         mxc_ctx_set_spf_explanation; do
  printf '%s\n' "$syms" | grep -qx "$f" || { echo "FAIL: $f not exported"; exit 1; }
done
# No internal helper leaks.
if printf '%s\n' "$syms" | grep -q '^mxci_'; then
  echo "FAIL: internal mxci_ symbols exported"; exit 1
fi
echo "PASS: $n symbols exported, all mxc_"

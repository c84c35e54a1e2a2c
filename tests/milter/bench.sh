# SPDX-License-Identifier: BSD-2-Clause
# bench.sh -- make bench-milter, sourced by tests/milter/postfix.sh once its
# private Postfix and smtp-sink run ($bench messages per case): the same
# smtp-source run (10 sessions in parallel, a new session per message,
# 2000-octet messages) with no milter, with a do-nothing milter, and with
# mxcheck-milter (log mode), all over unix sockets.  Prints messages/s
# (injection), messages lost (not at the sink), and mxcheck-milter's RSS
# and threads before and after.
# shellcheck shell=bash
${CC:-cc} -O2 -o "$dir/nullmilter" "$src/tests/milter/nullmilter.c" -lmilter \
  -lpthread || { echo "cannot build nullmilter"; exit 99; }
"$dir/nullmilter" "unix:$dir/queue/mxcheck/null.sock" 2>"$dir/null.log" &
null_pid=$!
start_milter
for ((i = 0; i < 100; i++)); do
  [ -S "$dir/queue/mxcheck/null.sock" ] && break
  sleep 0.05
done
proc() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# run NAME MILTERS: one smtp-source run; prints a table row
run() {
  local name=$1 t0 t1 before got rate
  set_milters "$2"
  before=$(sink_count)
  t0=$(date +%s.%N)
  smtp-source -s 10 -m "$bench" -l 2000 -f bench@bulk.test \
    -t reader@gmail.com "127.0.0.1:$smtp_port" >"$dir/bench.out" 2>&1
  t1=$(date +%s.%N)
  wait_sink $((before + bench))
  got=$(($(sink_count) - before))
  rate=$(echo "$bench / ($t1 - $t0)" | bc -l 2>/dev/null ||
    python3 -c "print($bench / ($t1 - $t0))")
  printf '%-28s %8.1f %6d %6d\n' "$name" "$rate" "$bench" $((bench - got))
  lost=$((lost + bench - got))
}

lost=0
rss0=$(proc "$milter_pid" VmRSS)
thr0=$(proc "$milter_pid" Threads)
echo "make bench-milter: $bench messages per case, smtp-source -s 10 -l 2000"
printf '%-28s %8s %6s %6s\n' "milter" "msg/s" "sent" "lost"
run "none" ""
run "do-nothing (unix socket)" "{ unix:mxcheck/null.sock, default_action=accept }"
run "mxcheck-milter (unix, log)" "{ unix:mxcheck/milter.sock, default_action=accept }"
sleep 1
rss1=$(proc "$milter_pid" VmRSS)
thr1=$(proc "$milter_pid" Threads)
logged=$(grep -c 'mailfrom=<bench@bulk.test>' "$dir/milter.log")
echo "mxcheck-milter: RSS ${rss0} kB -> ${rss1} kB, threads $thr0 -> $thr1, lines logged $logged of $bench"
kill -TERM "$null_pid" 2>/dev/null
stop_milter
kill -KILL "$null_pid" 2>/dev/null
wait "$null_pid" 2>/dev/null
[ "$lost" -eq 0 ] && [ "$logged" -eq "$bench" ]

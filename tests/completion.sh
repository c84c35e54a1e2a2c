#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The bash completion (completion/mxcheck.bash): every option of
# mxcheck --help is offered and every option offered is one mxcheck takes;
# profile names after --profile (mxcheck --list-profiles, and the script's
# own list when mxcheck cannot be run, which must be the same); files after
# --message, --zone, --config; fixed words after --format, --color.  Run
# twice: with bash-completion's helpers when installed, and without.
MXCHECK=${MXCHECK:-cli/mxcheck}
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
script=$src/completion/mxcheck.bash
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
export MXCHECK_SYSCONF=$tmp/none XDG_CONFIG_HOME=$tmp/none

"$MXCHECK" --help >"$tmp/help" || exit 99
"$MXCHECK" --list-profiles >"$tmp/profiles" || exit 99
grep -oE -- '(^|[ ,([])--?[a-zA-Z][a-zA-Z0-9-]*' "$tmp/help" |
  sed 's/^[^-]*//' | grep -vE '^-[a-zA-Z][a-zA-Z]' | LC_ALL=C sort -u \
  >"$tmp/helpopts"
[ "$(wc -l <"$tmp/helpopts")" -gt 30 ] || {
  echo "FAIL: too few options read from --help"
  exit 1
}

mkdir "$tmp/d" && : >"$tmp/d/a.eml" && : >"$tmp/d/b.zone" && : >"$tmp/d/c.conf"

# complete WORD... : the completions of the last word, one a line
cat >"$tmp/run.sh" <<'SH'
helpers=$1 script=$2
shift 2
if [ "$helpers" = yes ]; then
  # shellcheck disable=SC1091
  . /usr/share/bash-completion/bash_completion || exit 99
fi
# shellcheck disable=SC1090
. "$script" || exit 99
complete -p mxcheck >/dev/null || exit 98
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_mxcheck "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
  "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
SH

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}
# want "WORDS" EXPECTED : the completions, sorted, space-separated
want() {
  local got words
  eval "words=($1)"
  got=$(cd "$tmp/d" && bash "$tmp/run.sh" "$helpers" "$script" "${words[@]}" |
    LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
  if [ "$got" = "$2" ]; then ok; else
    bad "($helpers helpers) '$1': got '$got', want '$2'"
  fi
}

profiles=$(LC_ALL=C sort "$tmp/profiles" | tr '\n' ' ' | sed 's/ $//')
modes="yes no"
[ -r /usr/share/bash-completion/bash_completion ] || {
  echo "bash-completion not installed: without its helpers only"
  modes=no
}
for helpers in $modes; do
  # every option of --help, and only options mxcheck takes
  (cd "$tmp/d" && bash "$tmp/run.sh" "$helpers" "$script" "$MXCHECK" -) |
    LC_ALL=C sort -u >"$tmp/offered"
  missing=$(LC_ALL=C comm -23 "$tmp/helpopts" "$tmp/offered")
  if [ -z "$missing" ]; then ok; else
    bad "($helpers helpers) options of --help not completed: $(echo "$missing" | tr "\n" " ")"
  fi
  while read -r opt; do
    "$MXCHECK" "$opt" >/dev/null 2>"$tmp/err" </dev/null
    if grep -q "unknown option" "$tmp/err"; then
      bad "completion offers $opt, which mxcheck does not take"
    fi
  done <"$tmp/offered"
  ok
  want "$MXCHECK --no-" "--no-config --no-edns --no-libspf2 --no-trace"
  # profiles: from mxcheck --list-profiles; the script's own list when
  # the command cannot be run
  want "$MXCHECK --profile ''" "$profiles"
  want "/nonexistent/mxcheck --profile ''" "$profiles"
  want "$MXCHECK --profile gmail-" "gmail-bulk"
  want "$MXCHECK --profile=y" "yahoo-bulk"
  want "$MXCHECK -v --profile micro" "microsoft-bulk"
  # files
  want "$MXCHECK --message ''" "a.eml b.zone c.conf"
  want "$MXCHECK -m a" "a.eml"
  want "$MXCHECK --zone b" "b.zone"
  want "$MXCHECK --config c" "c.conf"
  want "$MXCHECK --config=c" "c.conf"
  want "$MXCHECK --message a.eml b" "b.zone"
  want "$MXCHECK --batch ''" "a.eml b.zone c.conf"
  # words
  want "$MXCHECK --format ''" "json nagios text"
  want "$MXCHECK --color a" "always auto"
  want "$MXCHECK --dmarc-discovery ''" "both psl treewalk"
  # values of the user's own, addresses: nothing
  want "$MXCHECK --server ''" ""
  want "$MXCHECK 192.0" ""
done

# the profile names are the library's: each gives a report of that profile
# (a name server that does not answer: the rules are unknown, the profile
# is there)
while read -r p; do
  "$MXCHECK" --no-config --server 127.0.0.1:9 --timeout 0.1 --tries 1 \
    --json --profile "$p" --ip 192.0.2.1 --helo x.test >"$tmp/out" 2>&1
  if grep -q "\"profile\":\"$p\"" "$tmp/out"; then ok; else
    bad "--profile $p: no report of that profile"
    head -5 "$tmp/out"
  fi
done <"$tmp/profiles"
listed=$(sed -n "s/^_mxcheck_profiles='\(.*\)'$/\1/p" "$script" | tr ' ' '\n' |
  LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
if [ "$listed" = "$profiles" ]; then ok; else
  bad "the script's profiles '$listed' are not mxcheck's '$profiles'"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

# SPDX-License-Identifier: BSD-2-Clause
# bash completion for mxcheck(1).  Installed into bash-completion's
# completions directory; works without bash-completion's helpers too.
# tests/completion.sh checks it against mxcheck --help.
# shellcheck shell=bash

# Options of mxcheck --help (tests/completion.sh fails when one is missing).
_mxcheck_long='--mail-from --helo --message --no-trace --domain --selector
  --profile --ip --authres --authserv-id --dnsbl --diff --zone
  --dnssec-horizon --batch
  --json --nagios --format --color --colour --progress --quiet --verbose
  --server --timeout --tries --deadline --parallel --jobs --max-queries
  --cache-size --no-edns --dmarc-discovery --no-libspf2 --config
  --no-config --list-profiles --help --version'
_mxcheck_short='-f -H -m -D -b -j -q -v -s -t -p -h -V'
# The compliance profiles, when mxcheck --list-profiles cannot be run.
_mxcheck_profiles='gmail gmail-bulk yahoo-bulk microsoft-bulk'

_mxcheck()
{
  local cur prev words cword split=false i opt
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion -s || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    if [[ $cur == --*=* ]]; then
      prev=${cur%%=*}
      cur=${cur#*=}
      split=true
    fi
  fi

  case $prev in
    --profile)
      local list
      list=$("${words[0]}" --list-profiles 2>/dev/null) ||
        list=$_mxcheck_profiles
      [[ -n $list ]] || list=$_mxcheck_profiles
      mapfile -t COMPREPLY < <(compgen -W "$list" -- "$cur")
      return
      ;;
    --message | -m | --zone | --config | --batch | -b)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --format)
      mapfile -t COMPREPLY < <(compgen -W 'text json nagios' -- "$cur")
      return
      ;;
    --color | --colour | --progress)
      mapfile -t COMPREPLY < <(compgen -W 'auto always never' -- "$cur")
      return
      ;;
    --dmarc-discovery)
      mapfile -t COMPREPLY < <(compgen -W 'treewalk psl both' -- "$cur")
      return
      ;;
    --mail-from | -f | --helo | -H | --domain | -D | --selector | --ip | \
      --authserv-id | --dnsbl | --server | -s | --timeout | -t | --tries | \
      --deadline | --parallel | -p | --jobs | --max-queries | --cache-size | \
      --dnssec-horizon)
      COMPREPLY=() # a value of the user's own
      return
      ;;
  esac
  $split && return

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_mxcheck_long $_mxcheck_short" \
      -- "$cur")
    return
  fi
  # After --message, the arguments are more message files (or the
  # client's address).
  for ((i = 1; i < cword; i++)); do
    opt=${words[i]}
    if [[ $opt == --message || $opt == -m || $opt == --message=* ]]; then
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
    fi
  done
  COMPREPLY=()
}
complete -F _mxcheck mxcheck

# SPDX-License-Identifier: BSD-2-Clause
# Differential test of libmxcheck's SPF evaluator against pyspf (see
# tests/spfdiff/README.md): gen.py generates random scenarios and pyspf's
# verdicts for them; run.sh serves them with tests/spfsuite/zoneserver.py
# and runs them through the tests/spfsuite/spf_suite driver (a
# check_PROGRAM of tests/spfsuite/local.mk).  Skipped (77) without
# python3-spf and python3-yaml.
TESTS += tests/spfdiff/run.sh

EXTRA_DIST += tests/spfdiff/run.sh tests/spfdiff/gen.py \
	tests/spfdiff/tally.py tests/spfdiff/expected-differences.txt \
	tests/spfdiff/README.md

#!/usr/bin/env bash
# The multi-instance drill: three Bulwark instances on one PostgreSQL and a three-master Redis Cluster (both started
# by the test, as the suite's tests start theirs), requests spread round-robin over them. It checks that a limit of N
# admits exactly N across all instances, that a logout on one is refused on the others at the very next request,
# that 50 parallel refreshes of one token over the three make one chain, and that a rolling restart (each instance
# drained as on SIGTERM, one at a time, while 8 clients keep sending) fails no request.
#
#   scripts/multi-instance-drill.sh
#
# About a minute on 2 cores; left out of `mvn verify` (tag "drill") for that reason. Exit status: Maven's.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test -Dtest=MultiInstanceDrill -Dgroups=drill -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false
echo "drill passed:"
grep -h 'rolling restart' target/surefire-reports/dev.bulwark.MultiInstanceDrill-output.txt || true

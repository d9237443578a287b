#!/usr/bin/env bash
# Runs every test of the solution: starts RabbitMQ and PostgreSQL (scripts/services.sh), builds with warnings as errors, runs all test
# projects with the scheduler nodes of the bus tests on PostgreSQL at Serializable (CockroachDB's only level), then the bus tests
# (Scheduler.IntegrationTests.Bus) a second time at ReadCommitted (PostgreSQL's default, what a node runs unless Store:IsolationLevel says
# otherwise), and ends with one line "N passed, N failed, N skipped" summing both runs. Exit code 0 only when nothing failed.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Triggers]; a --filter applies to both runs.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/services.sh --print-env)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Scheduler.sln --nologo -clp:ErrorsOnly

# A --filter given by the caller narrows the second run too.
filter="" rest=()
while [ $# -gt 0 ]; do
    if [ "$1" = "--filter" ] && [ $# -gt 1 ]; then filter="$2"; shift 2; else rest+=("$1"); shift; fi
done
bus="FullyQualifiedName~Scheduler.IntegrationTests.Bus"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# Each run's summary lines name its isolation level.
run() { # run <isolation> <dotnet test arguments...>
    local level=$1; shift
    echo "=== dotnet test $* (bus test nodes on PostgreSQL at $level: SCHEDULER_TEST_ISOLATION=$level) ==="
    SCHEDULER_TEST_ISOLATION=$level dotnet test "$@" 2>&1 | sed -u -E "s/^((Passed|Failed)!.*)$/\1 [nodes at $level]/" | tee -a "$log"
    return "${PIPESTATUS[0]}"
}
# A test still running after 10 minutes (the longest, a fault test, takes about 3) has hung: its test host is ended and the test reported by
# name as the one that hung, so a hang fails the run instead of stalling it.
hang=(--blame-hang-timeout 10m --blame-hang-dump-type none)
# One test assembly at a time (-m:1): the fault suite (tests/Scheduler.FaultTests, about 18 minutes) runs its own brokers, databases, nodes
# and workers, and would otherwise load the machine under the timing-sensitive integration tests running beside it.
run Serializable Scheduler.sln --no-build --nologo -m:1 "${hang[@]}" ${filter:+--filter "$filter"} "${rest[@]}"
status=$?
run ReadCommitted tests/Scheduler.IntegrationTests --no-build --nologo "${hang[@]}" --filter "${filter:+($filter)&}$bus" "${rest[@]}"
second=$?
[ "$status" -ne 0 ] || status=$second
set -e

# Each test assembly prints a summary such as "Passed!  - Failed: 0, Passed: 61, Skipped: 0, Total: 61, Duration: 1 s - X.dll".
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | awk -F'[:,]' '
    { for (i = 1; i < NF; i++) { key = $i; gsub(/.*- |[ !]/, "", key); val = $(i + 1) + 0;
        if (key == "Failed") f += val; else if (key == "Passed") p += val; else if (key == "Skipped") s += val } }
    END { printf "%d %d %d\n", p, f, s }')
assemblies=$(( $(find tests -name '*.Tests.csproj' -o -name '*.IntegrationTests.csproj' -o -name '*.FaultTests.csproj' | wc -l) + 1 ))
summaries=$(grep -cE '^(Passed|Failed)!' "$log" || true)
if [ "$summaries" -lt "$assemblies" ] && [ "$status" -ne 0 ]; then
    echo "A test host ended without a summary (crash or hang); counting it as a failure." >&2
    failed=$((failed + 1))
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"

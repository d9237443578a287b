#!/usr/bin/env bash
# Runs every test of the solution: starts RabbitMQ and PostgreSQL (scripts/services.sh), builds with warnings as errors,
# runs all test projects and ends with one line "N passed, N failed, N skipped". Exit code 0 only when nothing failed.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Triggers]
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/services.sh --print-env)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Scheduler.sln --nologo -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# One test assembly at a time (-m:1): the fault suite (tests/Scheduler.FaultTests, about 18 minutes) runs its own brokers, databases, nodes
# and workers, and would otherwise load the machine under the timing-sensitive integration tests running beside it.
dotnet test Scheduler.sln --no-build --nologo -m:1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Each test assembly prints a summary such as "Passed!  - Failed: 0, Passed: 61, Skipped: 0, Total: 61, Duration: 1 s - X.dll".
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | awk -F'[:,]' '
    { for (i = 1; i < NF; i++) { key = $i; gsub(/.*- |[ !]/, "", key); val = $(i + 1) + 0;
        if (key == "Failed") f += val; else if (key == "Passed") p += val; else if (key == "Skipped") s += val } }
    END { printf "%d %d %d\n", p, f, s }')
assemblies=$(find tests -name '*.Tests.csproj' -o -name '*.IntegrationTests.csproj' -o -name '*.FaultTests.csproj' | wc -l)
summaries=$(grep -cE '^(Passed|Failed)!' "$log" || true)
if [ "$summaries" -lt "$assemblies" ] && [ "$status" -ne 0 ]; then
    echo "A test host ended without a summary (crash or hang); counting it as a failure." >&2
    failed=$((failed + 1))
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"

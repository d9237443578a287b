#!/usr/bin/env bash
# Runs the task store contract suite and the concurrent-claim tests against a real CockroachDB server in a container
# (tests/Scheduler.IntegrationTests/CockroachDb, through Testcontainers). Needs a Docker engine; not part of scripts/test.sh, which has
# no CockroachDB server and runs the same suite with the CockroachDB dialect against PostgreSQL instead (docs/storage.md, "CockroachDB").
# Usage: scripts/test-cockroachdb.sh [extra dotnet test arguments]
# Environment: SCHEDULER_COCKROACH_IMAGE (default: the image of docker-compose.yml's cockroach service).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
    echo "test-cockroachdb.sh: needs a running Docker engine ('docker info' failed)." >&2
    exit 2
fi
export SCHEDULER_COCKROACH_IMAGE="${SCHEDULER_COCKROACH_IMAGE:-cockroachdb/cockroach:v25.4.1}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet test tests/Scheduler.IntegrationTests -p:SchedulerCockroachDb=true --filter "FullyQualifiedName~OnCockroachDbServerTests" --nologo "$@"

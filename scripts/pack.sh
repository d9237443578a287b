#!/usr/bin/env bash
# Packs the libraries and the CLI tool into artifacts/packages as a local build: version <VersionPrefix>-local.<UTC yyyyMMddTHHmmss>
# (e.g. 0.1.0-local.20261207T061500), a new prerelease version per pack, so that NuGet's global package cache, which keeps a package
# under its id and version for good, never hands an app an older pack. Add --prerelease (or --version) to `dotnet add package`.
# Usage: scripts/pack.sh [extra dotnet pack arguments]; prints the version it packed. A release packs with dotnet pack -p:Version=X.Y.Z.
set -euo pipefail
cd "$(dirname "$0")/.."
suffix="local.$(date -u +%Y%m%dT%H%M%S)"
for project in src/*/*.csproj; do   # Scheduler.Host is not packable: dotnet pack skips it
    dotnet pack "$project" -c Release -o artifacts/packages -p:VersionSuffix="$suffix" -clp:ErrorsOnly --nologo "$@" >&2
done
ls artifacts/packages/BrokerScheduler.Core.*-"$suffix".nupkg | sed -E 's/.*BrokerScheduler\.Core\.(.*)\.nupkg/\1/'

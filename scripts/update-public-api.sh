#!/usr/bin/env bash
# Rewrites the public API baseline of every library under src/ (the projects with a PublicAPI.Shipped.txt) after a deliberate API change:
# each PublicAPI.Unshipped.txt is emptied and refilled with every public symbol not in PublicAPI.Shipped.txt, by the code fix of
# Microsoft.CodeAnalysis.PublicApiAnalyzers' RS0016 applied with `dotnet format analyzers`. A symbol removed from PublicAPI.Shipped.txt's
# API (RS0017) is a breaking change left to a person: the closing build names it. Review the diff of the PublicAPI.*.txt files, then commit.
# Usage: scripts/update-public-api.sh [project directory ...]   (default: every src/*/ with a PublicAPI.Shipped.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ "$#" -gt 0 ]; then
    projects=("$@")
else
    mapfile -t projects < <(find src -mindepth 2 -maxdepth 2 -name PublicAPI.Shipped.txt -printf '%h\n' | sort)
fi

for dir in "${projects[@]}"; do
    dir=${dir%/}
    csproj=$(find "$dir" -maxdepth 1 -name '*.csproj' | head -n 1)
    if [ -z "$csproj" ] || [ ! -f "$dir/PublicAPI.Shipped.txt" ]; then
        echo "$dir: no project with a PublicAPI.Shipped.txt there" >&2
        exit 2
    fi
    echo "$csproj: regenerating PublicAPI.Unshipped.txt"
    printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
    # RS0016's code fix adds each undeclared public symbol to PublicAPI.Unshipped.txt; it touches no source file.
    dotnet format analyzers "$csproj" --diagnostics RS0016 --severity warn
done

# The baseline must now build clean: what remains is an API removed from PublicAPI.Shipped.txt (RS0017), which needs a person.
for dir in "${projects[@]}"; do
    csproj=$(find "${dir%/}" -maxdepth 1 -name '*.csproj' | head -n 1)
    if ! dotnet build "$csproj" --nologo -clp:ErrorsOnly; then
        echo "$csproj still fails (errors above). RS0017 for a line of PublicAPI.Shipped.txt means a shipped API is gone: if that is meant," \
            "add the line to PublicAPI.Unshipped.txt prefixed with *REMOVED*, else restore the API." >&2
        exit 1
    fi
done
git status --short -- 'src/*/PublicAPI.*.txt'

#!/usr/bin/env bash
# Runs the finalizer-storm tests (tests/S4AL.Learning.Tests/Runtime/FinalizerStormTests.cs) N times
# in a row and prints how many runs failed. Without --at it tests this checkout; with --at COMMIT it
# tests that commit's code with today's stress test copied in (e.g. --at 898d605, before TorchSharp
# was woven), in a temporary clone, so this checkout's build is left alone.
#
# usage: scripts/stress-finalizers.sh [--at COMMIT] [runs]      (default 20 runs)
# writes: docs/results/finalizer-stress-<commit>.json
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
at=""
if [ "${1:-}" = "--at" ]; then at=$2; shift 2; fi
runs=${1:-20}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

tree=$repo
if [ -n "$at" ]; then
  tree=$(mktemp -d /tmp/s4al-stress.XXXXXX)
  trap 'rm -rf "$tree"' EXIT
  git clone -q "$repo" "$tree"
  git -C "$tree" checkout -q "$at"
  cp tests/S4AL.Learning.Tests/Runtime/FinalizerStormTests.cs "$tree/tests/S4AL.Learning.Tests/Runtime/"
fi
commit=$(git -C "$tree" rev-parse --short HEAD)
dotnet build "$tree/tests/S4AL.Learning.Tests" -c Release --nologo -v q >/dev/null
failed=0
results=()
for i in $(seq 1 "$runs"); do
  if out=$(dotnet test "$tree/tests/S4AL.Learning.Tests" -c Release --no-build --nologo --filter "FullyQualifiedName~FinalizerStormTests" 2>&1); then
    status=passed
  else
    status=failed; failed=$((failed + 1))
    echo "$out" | grep -m1 -E "ExternalException|Assert|Exception" || true
  fi
  echo "run $i/$runs: $status"
  results+=("\"$status\"")
done
echo "commit $commit: $failed of $runs runs failed"
mkdir -p docs/results
printf '{"date":"%s","commit":"%s","tested":"%s","runs":%d,"failed":%d,"results":[%s]}\n' \
  "$(date -u +%FT%TZ)" "$(git rev-parse --short HEAD)" "$commit" "$runs" "$failed" "$(IFS=,; echo "${results[*]}")" \
  > "docs/results/finalizer-stress-$commit.json"

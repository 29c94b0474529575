#!/usr/bin/env bash
# What the retaining native heap (src/S4AL.Learning/NativeHeap.cs) changes: minor page faults of
# reusing freed tensor memory, with the setting and with glibc's defaults (S4AL__NativeHeap=system),
# alternately, in fresh processes. Prints both and writes docs/results/heap-<date>.json.
#
# usage: scripts/bench-heap.sh [repeats]      (default 3; each run measures 8 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
S4AL="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
retain=(); system=()
for i in $(seq 1 "$repeats"); do
  retain+=("$($S4AL bench heap | sed -n 's/^faults_per_round=//p')")
  system+=("$(S4AL__NativeHeap=system $S4AL bench heap | sed -n 's/^faults_per_round=//p')")
  echo "repeat $i: retaining heap ${retain[-1]} faults per round, glibc defaults ${system[-1]}"
done
pages=$($S4AL bench heap --rounds 1 | sed -n 's/^pages_per_round=//p')
mkdir -p docs/results
out="docs/results/heap-$(date -u +%F).json"
printf '{"date":"%s","commit":"%s","pages_per_round":%s,"retaining_faults_per_round":[%s],"glibc_default_faults_per_round":[%s]}\n' \
  "$(date -u +%FT%TZ)" "$(git rev-parse --short HEAD)" "$pages" "$(IFS=,; echo "${retain[*]}")" "$(IFS=,; echo "${system[*]}")" > "$out"
echo "pages per round: $pages; written: $out"

#!/usr/bin/env bash
# Times one experiment twice on this machine: through the actor runtime (`s4al run`, a one-node
# cluster with journal and checkpoints) and through the engine's in-process driver
# (`--runtime in-process`), and prints both times and their ratio (the actor runtime's overhead).
# Usage: scripts/bench-runtime.sh [extra s4al run options...]   (default: the defaults of s4al run)
# Writes docs/results/runtime-<date>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
s4al="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
out=${OUT:-runs/bench-runtime}
rm -rf "$out"; mkdir -p "$out"
time_of() { local start end; start=$(date +%s.%N); "$@" > "$out/$(basename "${@: -1}").log" 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc; }
actors=$(time_of $s4al run "$@" --run-dir "$out/actors")
inprocess=$(time_of $s4al run "$@" --runtime in-process --run-dir "$out/in-process")
same=$(cmp -s "$out/actors/labeled.json" "$out/in-process/labeled.json" && echo yes || echo no)
echo "actors_seconds=$actors"
echo "in_process_seconds=$inprocess"
echo "overhead_ratio=$(echo "scale=4; $actors / $inprocess" | bc)"
echo "same_acquisitions=$same"
mkdir -p docs/results
printf '{"date":"%s","commit":"%s","options":"%s","actors_seconds":%s,"in_process_seconds":%s,"overhead_ratio":%s,"same_acquisitions":"%s","miou_actors":[%s]}\n' \
  "$(date -u +%FT%TZ)" "$(git rev-parse --short HEAD)" "$*" "$(printf %.2f "$actors")" "$(printf %.2f "$inprocess")" "$(printf %.4f "$(echo "scale=6; $actors / $inprocess" | bc)")" "$same" \
  "$(python3 -c 'import csv,sys; print(",".join(r["miou"] for r in csv.DictReader(open(sys.argv[1]))))' "$out/actors/cycles.csv")" \
  > "docs/results/runtime-$(date -u +%F).json"

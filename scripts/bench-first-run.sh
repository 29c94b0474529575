#!/usr/bin/env bash
# Times the README's first command as a new user meets it: a fresh clone of this repository's HEAD,
# then `dotnet run --project src/S4AL.Node -c Release -- run --run-dir runs/first` (build included).
# Prints the wall time, the run's own time and its mIoU per cycle; writes docs/results/first-run-<date>.json.
# Usage: scripts/bench-first-run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
clone=$(mktemp -d /tmp/s4al-first-run.XXXXXX)
trap 'rm -rf "$clone"' EXIT
git clone -q "$repo" "$clone"
cd "$clone"
start=$(date +%s.%N)
dotnet run --project src/S4AL.Node -c Release -- run --run-dir runs/first > first.out 2>&1
end=$(date +%s.%N)
total=$(printf %.1f "$(echo "$end - $start" | bc)")
train=$(python3 -c 'import csv,sys; print("%.1f" % sum(float(r["train_seconds"]) + float(r["score_seconds"]) for r in csv.DictReader(open(sys.argv[1]))))' runs/first/cycles.csv)
miou=$(python3 -c 'import csv,sys; print(",".join("%.4f" % float(r["miou"]) for r in csv.DictReader(open(sys.argv[1]))))' runs/first/cycles.csv)
share=$(python3 -c 'import csv,sys; print(",".join("%.4f" % float(r["labeled_pixel_share"]) for r in csv.DictReader(open(sys.argv[1]))))' runs/first/cycles.csv)
echo "README command 1: ${total} s in all (build included); cycles trained and scored in ${train} s; mIoU ${miou} at labeled shares ${share}"
mkdir -p "$repo/docs/results"
printf '{"date":"%s","commit":"%s","command":"dotnet run --project src/S4AL.Node -c Release -- run --run-dir runs/first","wall_seconds":%s,"train_and_score_seconds":%s,"miou":[%s],"labeled_pixel_share":[%s]}\n' \
  "$(date -u +%FT%TZ)" "$(git rev-parse --short HEAD)" "$total" "$train" "$miou" "$share" > "$repo/docs/results/first-run-$(date -u +%F).json"

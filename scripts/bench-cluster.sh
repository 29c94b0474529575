#!/usr/bin/env bash
# Measures the cluster on this machine, with real processes on 127.0.0.1. Every comparison gives
# both sides the same thread budget (THREADS, default 2, the cores of this machine):
#  1. scoring throughput (regions per second) of the same pool by one scorer process with the
#     whole budget and by two scorer processes with half of it each (same budget); and, for
#     scaling, by one scorer with half the budget (two processes then have twice its budget);
#  2. the time of one cycle on a four-process cluster (coordinator+replay, a trainer with the
#     whole budget, two scorers with half each) against the one-node `s4al run` with the whole
#     budget: training and scoring get the same threads on both sides.
# The coordinator keeps its journal in SQLite here (one coordinator); the cluster tests use PostgreSQL.
# Usage: scripts/bench-cluster.sh            (OUT=runs/bench-cluster by default)
# Writes docs/results/cluster-<date>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
half=$(( THREADS / 2 > 0 ? THREADS / 2 : 1 ))
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
s4al="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
out=$(realpath -m "${OUT:-runs/bench-cluster}")
rm -rf "$out"; mkdir -p "$out"
# Scoring-heavy experiment: MobileNetV2, 400 pool images at 96x128 (48 regions of 16 px each), one short training round.
opts=(--net mbv2 --height 96 --width 128 --pool-size 400 --val-size 8 --cycles 1 --epochs 1 --iters 2 --shard-size 25)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; pids=(); }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # file pattern: until the node's log says it is up (at most 5 minutes)
  for _ in $(seq 1 3000); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; return 1
}

cluster_run() { # name scorers threads-per-scorer
  local name=$1 scorers=$2 scorer_threads=$3 dir="$out/$1" port seed
  mkdir -p "$dir"; port=$(free_port); seed="akka.tcp://s4al@127.0.0.1:$port"
  $s4al node --roles coordinator,replay --port "$port" --seed-nodes "$seed" --journal "sqlite:$dir/journal.db" --log "$dir/coordinator.log" --threads 1 > "$dir/coordinator.out" 2>&1 & pids+=($!)
  wait_for "$dir/coordinator.out" "is up with roles"
  $s4al node --roles trainer --seed-nodes "$seed" --log "$dir/trainer.log" --threads "$THREADS" > "$dir/trainer.out" 2>&1 & pids+=($!)
  for i in $(seq 1 "$scorers"); do
    $s4al node --roles scorer --seed-nodes "$seed" --log "$dir/scorer-$i.log" --threads "$scorer_threads" > "$dir/scorer-$i.out" 2>&1 & pids+=($!)
  done
  wait_for "$dir/trainer.out" "is up with roles"
  for i in $(seq 1 "$scorers"); do wait_for "$dir/scorer-$i.out" "is up with roles"; done
  $s4al submit "${opts[@]}" --threads "$THREADS" --run-dir "$dir/run" --seed-nodes "$seed" --watch > "$dir/submit.out" 2>&1
  cleanup
}

cluster_run one-scorer-whole-budget 1 "$THREADS"
cluster_run two-scorers 2 "$half"
cluster_run one-scorer-half-budget 1 "$half"
start=$(date +%s.%N)
$s4al run "${opts[@]}" --threads "$THREADS" --run-dir "$out/one-node/run" > "$out/one-node.out" 2>&1
end=$(date +%s.%N)
echo "$end - $start" | bc > "$out/one-node.seconds"

mkdir -p docs/results
python3 - "$out" "$THREADS" "$half" "$(git rev-parse --short HEAD)" <<'PY'
import re, sys, json, datetime, pathlib
out, threads, half, commit = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def stamp(line): return datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f")
def first(lines, pattern): return next(stamp(l) for l in lines if re.search(pattern, l))
def scoring(log):
    lines = pathlib.Path(log).read_text().splitlines()
    return (first(lines, r"cycle 0: acquired") - first(lines, r"cycle 0: trained")).total_seconds()
def cycle0(log):
    lines = pathlib.Path(log).read_text().splitlines()
    return (first(lines, r"cycle 0: acquired") - first(lines, r"attempt 1: training")).total_seconds()
regions = 360 * 48  # 400 pool images minus 40 fully labeled, 6x8 regions each
whole = scoring(out / "one-scorer-whole-budget" / "coordinator.log")
two = scoring(out / "two-scorers" / "coordinator.log")
halfone = scoring(out / "one-scorer-half-budget" / "coordinator.log")
c4 = cycle0(out / "two-scorers" / "coordinator.log")
c1 = cycle0(out / "one-node" / "run" / "s4al.log")
print(f"scoring, one scorer x {threads} threads:  {whole:.1f} s, {regions / whole:.0f} regions/s")
print(f"scoring, two scorers x {half} thread(s): {two:.1f} s, {regions / two:.0f} regions/s   same budget: {whole / two:.2f}x the one scorer")
print(f"scoring, one scorer x {half} thread(s):  {halfone:.1f} s, {regions / halfone:.0f} regions/s   two scorers (twice its budget): {halfone / two:.2f}x")
print(f"cycle 0, four processes: {c4:.1f} s; one node: {c1:.1f} s; ratio {c4 / c1:.2f} (same {threads} threads for training and for scoring)")
now = datetime.datetime.now(datetime.timezone.utc)
json.dump({"date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "commit": commit, "threads_budget": threads, "regions": regions,
           "scoring_seconds": {f"one_scorer_{threads}_threads": whole, f"two_scorers_{half}_thread_each": two, f"one_scorer_{half}_thread": halfone},
           "two_scorers_vs_one_same_budget": whole / two, "two_scorers_vs_one_with_half_budget": halfone / two,
           "cycle0_seconds": {"four_processes": c4, "one_node": c1}, "cycle0_ratio": c4 / c1},
          open(f"docs/results/cluster-{now:%Y-%m-%d}.json", "w"), indent=1)
print(f"written: docs/results/cluster-{now:%Y-%m-%d}.json")
PY

#!/usr/bin/env bash
# Measures the cluster on this machine, with real processes on 127.0.0.1:
#  1. scoring throughput (regions per second) of the same pool with one and with two scorer
#     processes (each with --threads 1), and their ratio;
#  2. the time of one cycle on a four-process cluster (coordinator+replay, trainer, two scorers)
#     against the one-node `s4al run` (a ratio).
# The coordinator keeps its journal in SQLite here (one coordinator); the cluster tests use PostgreSQL.
# Usage: scripts/bench-cluster.sh            (OUT=runs/bench-cluster by default)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
s4al="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
out=$(realpath -m "${OUT:-runs/bench-cluster}")
rm -rf "$out"; mkdir -p "$out"
# Scoring-heavy experiment: MobileNetV2, 400 pool images at 96x128 (48 regions of 16 px each), one short training round.
opts=(--net mbv2 --height 96 --width 128 --pool-size 400 --val-size 8 --cycles 1 --epochs 1 --iters 2 --shard-size 25 --threads 1)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; pids=(); }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cluster_run() { # name scorers
  local name=$1 scorers=$2 dir="$out/$1" port seed
  mkdir -p "$dir"; port=$(free_port); seed="akka.tcp://s4al@127.0.0.1:$port"
  $s4al node --roles coordinator,replay --port "$port" --seed-nodes "$seed" --journal "sqlite:$dir/journal.db" --log "$dir/coordinator.log" --threads 1 > "$dir/coordinator.out" 2>&1 & pids+=($!)
  sleep 4
  $s4al node --roles trainer --seed-nodes "$seed" --log "$dir/trainer.log" --threads 2 > "$dir/trainer.out" 2>&1 & pids+=($!)
  for i in $(seq 1 "$scorers"); do
    $s4al node --roles scorer --seed-nodes "$seed" --log "$dir/scorer-$i.log" --threads 1 > "$dir/scorer-$i.out" 2>&1 & pids+=($!)
  done
  sleep 6
  $s4al submit "${opts[@]}" --run-dir "$dir/run" --seed-nodes "$seed" --watch > "$dir/submit.out" 2>&1
  cleanup
}

cluster_run one-scorer 1
cluster_run two-scorers 2
start=$(date +%s.%N)
$s4al run "${opts[@]}" --run-dir "$out/one-node/run" > "$out/one-node.out" 2>&1
end=$(date +%s.%N)
echo "$end - $start" | bc > "$out/one-node.seconds"

python3 - "$out" <<'PY'
import re, sys, datetime, pathlib
out = pathlib.Path(sys.argv[1])
def stamp(line): return datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f")
def scoring(log):
    lines = pathlib.Path(log).read_text().splitlines()
    trained = next(stamp(l) for l in lines if re.search(r"cycle 0: trained", l))
    acquired = next(stamp(l) for l in lines if re.search(r"cycle 0: acquired", l))
    return (acquired - trained).total_seconds()
def cycle0(log):
    lines = pathlib.Path(log).read_text().splitlines()
    start = next(stamp(l) for l in lines if "attempt 1: training" in l)
    acquired = next(stamp(l) for l in lines if re.search(r"cycle 0: acquired", l))
    return (acquired - start).total_seconds()
regions = 360 * 48  # 400 pool images minus 40 fully labeled, 6x8 regions each
s1 = scoring(out / "one-scorer" / "coordinator.log"); s2 = scoring(out / "two-scorers" / "coordinator.log")
print(f"scoring_one_scorer_seconds={s1:.1f} regions_per_second={regions / s1:.0f}")
print(f"scoring_two_scorers_seconds={s2:.1f} regions_per_second={regions / s2:.0f}")
print(f"scoring_throughput_ratio={s1 / s2:.2f}")
c4 = cycle0(out / "two-scorers" / "coordinator.log")
one = pathlib.Path(out / "one-node" / "run" / "s4al.log")
c1 = cycle0(one)
print(f"cycle0_four_processes_seconds={c4:.1f} cycle0_one_node_seconds={c1:.1f} ratio={c4 / c1:.2f}")
PY

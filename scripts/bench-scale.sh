#!/usr/bin/env bash
# How cost grows with the pool: for each pool size (SIZES, default 1,000, 10,000 and 100,000
# generated images of 32x32), one experiment on a two-process cluster on 127.0.0.1: a node with
# only the coordinator role (journal in SQLite) and a worker node (trainer, scorer, replay).
# Everything but the pool stays fixed: tiny net, 1 epoch of 2 iterations, CYCLES acquisitions of
# a global budget of BUDGET regions, INITIAL fully labeled images, SHARD_SIZE images per shard
# (so the shards per cycle grow with the pool, as they would in use). While it runs, both
# processes' VmRSS/VmHWM, the coordinator's CPU seconds (/proc/PID/stat) and the journal file's
# bytes are sampled every SAMPLE_INTERVAL seconds; the coordinator's log dates each step of a
# cycle, and the journal itself gives each cycle's events, their bytes and the shards' seconds.
# `s4al bench scale-summary` turns that into per-cycle figures, their ratios to the smallest
# pool, a Markdown table (printed) and docs/results/scale-<date>.json.
#
# usage: scripts/bench-scale.sh
# env:   SIZES="1000 10000 100000"  HEIGHT=32 WIDTH=32 REGION=16 BUDGET=100 INITIAL=100
#        SHARD_SIZE=250 CYCLES=2 THREADS=2 (worker) SAMPLE_INTERVAL=0.5 OUT=runs/bench-scale
#        NOTE="..." (a remark stamped into the JSON, e.g. what else ran on the machine)
# Needs the machine to itself (like scripts/bench-all.sh); results are stamped with HEAD, so it
# refuses to run with uncommitted changes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "bench-scale: the checkout has uncommitted changes; results are stamped with HEAD ($(git rev-parse --short HEAD)), so commit first" >&2
  exit 2
fi
SIZES=${SIZES:-"1000 10000 100000"}
HEIGHT=${HEIGHT:-32}; WIDTH=${WIDTH:-32}; REGION=${REGION:-16}; BUDGET=${BUDGET:-100}; INITIAL=${INITIAL:-100}
SHARD_SIZE=${SHARD_SIZE:-250}; CYCLES=${CYCLES:-2}; THREADS=${THREADS:-2}; SAMPLE_INTERVAL=${SAMPLE_INTERVAL:-0.5}
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
s4al="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
out=$(realpath -m "${OUT:-runs/bench-scale}")
rm -rf "$out"; mkdir -p "$out"
hz=$(getconf CLK_TCK)
pids=()
cleanup() { # stops what this script started (SIGTERM, then SIGKILL after 20 s), quietly
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 200); do
    local alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # file pattern: until the node's log says it is up (at most 5 minutes)
  for _ in $(seq 1 3000); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; return 1
}
# One line per SAMPLE_INTERVAL: epoch, coordinator VmRSS kB, VmHWM kB, CPU s, worker VmRSS kB, VmHWM kB, journal bytes (db + wal/journal).
sampler() { # coordinator-pid worker-pid journal-file
  echo "# time coordinator_rss_kb coordinator_hwm_kb coordinator_cpu_s worker_rss_kb worker_hwm_kb journal_bytes"
  while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do
    echo "$(date +%s.%N)" \
      "$(awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{print r, h}' "/proc/$1/status" 2>/dev/null)" \
      "$(awk -v hz="$hz" '{sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "/proc/$1/stat" 2>/dev/null)" \
      "$(awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{print r, h}' "/proc/$2/status" 2>/dev/null)" \
      "$(cat "$3" "$3-wal" "$3-journal" 2>/dev/null | wc -c)"
    sleep "$SAMPLE_INTERVAL"
  done
}

folders=()
for n in $SIZES; do
  dir="$out/$n"; mkdir -p "$dir"; folders+=("$dir")
  share=$(python3 -c "print(min(1.0, $INITIAL / $n))")
  port=$(free_port); seed="akka.tcp://s4al@127.0.0.1:$port"
  $s4al node --roles coordinator --port "$port" --seed-nodes "$seed" --journal "sqlite:$dir/journal.db" --log "$dir/coordinator.log" --threads 1 > "$dir/coordinator.out" 2>&1 & coordinator=$!; pids+=($coordinator)
  wait_for "$dir/coordinator.out" "is up with roles"
  $s4al node --roles trainer,scorer,replay --seed-nodes "$seed" --log "$dir/worker.log" --threads "$THREADS" > "$dir/worker.out" 2>&1 & worker=$!; pids+=($worker)
  wait_for "$dir/worker.out" "is up with roles"
  sampler "$coordinator" "$worker" "$dir/journal.db" > "$dir/samples.tsv" & pids+=($!)
  sleep 3 # idle samples of both nodes before the experiment
  echo "== pool $n ($(date -u +%H:%M:%S)): initial share $share, shard size $SHARD_SIZE"
  echo "submitted $(date +%s.%N)" > "$dir/marks.tsv"
  $s4al submit --net tiny --height "$HEIGHT" --width "$WIDTH" --region-size "$REGION" --pool-size "$n" --val-size 8 \
    --cycles "$CYCLES" --epochs 1 --iters 2 --budget global --global-budget "$BUDGET" --initial-share "$share" \
    --shard-size "$SHARD_SIZE" --threads "$THREADS" --run-dir "$dir/run" --seed-nodes "$seed" --watch > "$dir/submit.out" 2>&1
  echo "finished $(date +%s.%N)" >> "$dir/marks.tsv"
  sleep 5 # the coordinator's memory and idle CPU once the experiment is done
  tail -n 1 "$dir/submit.out"
  cleanup
done

date=$(date -u +%F)
mkdir -p docs/results
$s4al bench scale-summary "${folders[@]}" --json "docs/results/scale-$date.json" --commit "$(git rev-parse --short HEAD)" \
  --cores "$(nproc)" --threads "$THREADS" ${NOTE:+--note "$NOTE"}

#!/usr/bin/env bash
# Reruns every speed and cost benchmark of docs/benchmarks.md, one after the other, on this
# checkout's HEAD: speed against the authors' code (two sizes), the actor runtime against the
# in-process driver, the cluster, telemetry on/off, the native heap, the README's first
# command and how cost grows with the pool. Each script writes its raw result to docs/results/ (stamped with date and commit).
# Benchmarks need the machine to themselves: this refuses to start while another s4al process,
# test host or benchmark is running, and checks again before each benchmark.
#
# usage: S4AL_REF=<authors' code, see scripts/bench-speed.sh> scripts/bench-all.sh
# env:   SKIP="speed telemetry"  names of benchmarks to leave out
#        (speed runtime cluster telemetry heap first-run scale)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${S4AL_REF:?set S4AL_REF to the unpacked repository of the authors (see scripts/bench-speed.sh)}"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "bench-all: the checkout has uncommitted changes; results are stamped with HEAD ($(git rev-parse --short HEAD)), so commit first" >&2
  exit 2
fi
SKIP=" ${SKIP:-} "

busy() { # prints what else is running that would disturb a measurement (stopped processes, state T, do not)
  ps -eo pid=,stat=,args= | awk -v self=$$ '$1 != self && $2 !~ /^T/' \
    | grep -E 's4al\.dll|s4al-test|testhost|ref_ssl_step|dotnet test|vstest' | grep -v grep || true
}
alone() {
  local others; others=$(busy)
  if [ -n "$others" ]; then
    echo "bench-all: other work is running; benchmarks need the machine to themselves:" >&2
    echo "$others" >&2
    exit 3
  fi
}

run() { # name command...
  local name=$1; shift
  case "$SKIP" in *" $name "*) echo "== $name: skipped"; return;; esac
  alone
  echo "== $name ($(date -u +%H:%M:%S))"
  "$@"
}
marker=$(mktemp); trap 'rm -f "$marker"' EXIT

run speed bash -c 'scripts/bench-speed.sh 96 128 12 && scripts/bench-speed.sh 360 480 5'
run runtime scripts/bench-runtime.sh
run cluster scripts/bench-cluster.sh
run telemetry scripts/bench-telemetry.sh
run heap scripts/bench-heap.sh
run first-run scripts/bench-first-run.sh
run scale scripts/bench-scale.sh
# Every cycle of every benchmark run should have trained in one attempt (cycles.csv, column attempts).
echo "== training attempts in the runs of these benchmarks:"
find runs -name cycles.csv -newer "$marker" -print0 2>/dev/null | xargs -0 -r python3 -c '
import csv, sys
for path in sys.argv[1:]:
    rows = list(csv.DictReader(open(path)))
    retried = [r["cycle"] for r in rows if int(r.get("attempts") or 1) > 1]
    print(f"{path}: {len(rows)} cycles, " + (f"RETRIED cycles {retried}" if retried else "each trained in one attempt"))'
echo "== done; raw results:"
git status --porcelain docs/results

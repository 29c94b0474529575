#!/usr/bin/env bash
# Side-by-side speed benchmark of one S4AL training iteration (MobileNetV2 DeepLabv3+,
# batch 4, 2 threads, CPU): the authors' PyTorch code (../shared/bench/ref_ssl_step.py),
# our full iteration, and our floor (network passes + SGD + EMA only). Prints the ratios.
# Also times both with the other native-heap setting, to show what it is worth: ours with
# glibc's defaults (S4AL__NativeHeap=system), the authors' with the same settings as ours
# (MALLOC_* variables; see src/S4AL.Learning/NativeHeap.cs). SKIP_HEAP_VARIANTS=1 skips them.
#
# What each timed loop includes: the authors' loop runs from zero_grad to the EMA update on random
# tensors made before the clock starts, so it excludes data loading and the labeled images'
# augmentation (their DataLoader workers do those). Ours times the whole iteration as `s4al run`
# does it: batches from the prefetching data path and the labeled augmentation on the device included.
# The floor times only the network passes, SGD step and EMA update.
#
# usage: scripts/bench-speed.sh [H W [iters]]        (default 96 128 12)
# writes: docs/results/speed-HxW-<date>.json
# needs: S4AL_REF=<folder with the authors' code> (github aneesh3108/S4AL, unpacked), and
#        Debian's python3-torch python3-torchvision (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
H=${1:-96}; W=${2:-128}; ITERS=${3:-12}; THREADS=${THREADS:-2}
REF_SCRIPT=${REF_SCRIPT:-../shared/bench/ref_ssl_step.py}
: "${S4AL_REF:?set S4AL_REF to the unpacked repository of the authors, see the header of $REF_SCRIPT}"
if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-torchvision >/dev/null
fi
# The authors' helpers import tabulate for printing only; Debian may not ship it.
if ! /usr/bin/python3 -c "import tabulate" 2>/dev/null; then
  shim=$(mktemp -d); echo 'def tabulate(*a, **k): return ""' > "$shim/tabulate.py"
  export PYTHONPATH="$shim${PYTHONPATH:+:$PYTHONPATH}"
fi
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
S4AL="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
last() { tail -n 1 | sed 's/.*=//'; }
echo "== ${H}x${W}, batch 4, ${THREADS} threads, ${ITERS} iterations (median after warm-up)"
authors() { S4AL_REF=$S4AL_REF /usr/bin/python3 "$REF_SCRIPT" "$H" "$W" "$ITERS" "$THREADS" 2>/dev/null | last; }
step() { $S4AL bench ssl-step --net mbv2 --height "$H" --width "$W" --batch 4 --iters "$ITERS" --threads "$THREADS" "$@" | last; }
ref=$(authors)
ours=$(step)
floor=$(step --floor)
ref_heap=0; ours_system=0
if [ -z "${SKIP_HEAP_VARIANTS:-}" ]; then
  ref_heap=$(MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_TOP_PAD_=268435456 authors)
  ours_system=$(S4AL__NativeHeap=system step)
fi
mkdir -p docs/results
python3 - "$ref" "$ours" "$floor" "$ref_heap" "$ours_system" "$H" "$W" "$ITERS" "$THREADS" "$(git rev-parse --short HEAD)" <<'PY'
import sys, json, datetime
ref, ours, floor, ref_heap, ours_system = map(float, sys.argv[1:6])
h, w, iters, threads, commit = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9]), sys.argv[10]
now = datetime.datetime.now(datetime.timezone.utc)
result = {"date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "commit": commit, "height": h, "width": w, "batch": 4, "threads": threads, "iterations": iters,
          "authors_seconds_per_iter": ref, "ours_seconds_per_iter": ours, "ours_floor_seconds_per_iter": floor,
          "speedup": ref / ours, "overhead_over_floor": ours / floor - 1,
          "authors_timed_loop": "zero_grad to EMA update on random tensors made beforehand: no data loading, no labeled augmentation",
          "ours_timed_loop": "the whole iteration: prefetched batches from the data path, labeled augmentation on the device, SGD, EMA"}
if ref_heap and ours_system:
    result.update({"authors_with_our_heap_seconds_per_iter": ref_heap, "ours_with_glibc_heap_seconds_per_iter": ours_system})
path = f"docs/results/speed-{h}x{w}-{now:%Y-%m-%d}.json"
json.dump(result, open(path, "w"), indent=1)
print(f"written: {path}")
print(f"authors (PyTorch)  {ref:.4f} s/iter")
print(f"S4AL.NET           {ours:.4f} s/iter   speed-up vs authors: {ref/ours:.2f}x (ours includes the data path and labeled augmentation, theirs does not)")
print(f"S4AL.NET floor     {floor:.4f} s/iter   overhead over floor: {100*(ours/floor-1):.1f}%")
if ref_heap and ours_system:
    print(f"authors, heap settings of S4AL.NET   {ref_heap:.4f} s/iter   S4AL.NET vs it: {ref_heap/ours:.2f}x")
    print(f"S4AL.NET, glibc's default heap        {ours_system:.4f} s/iter   vs authors: {ref/ours_system:.2f}x")
PY

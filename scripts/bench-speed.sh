#!/usr/bin/env bash
# Side-by-side speed benchmark of one S4AL training iteration (MobileNetV2 DeepLabv3+,
# batch 4, 2 threads, CPU): the authors' PyTorch code (../shared/bench/ref_ssl_step.py),
# our full iteration, and our floor (network passes + SGD + EMA only). Prints the ratios.
#
# usage: scripts/bench-speed.sh [H W [iters]]        (default 96 128 12)
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
ref=$(S4AL_REF=$S4AL_REF /usr/bin/python3 "$REF_SCRIPT" "$H" "$W" "$ITERS" "$THREADS" 2>/dev/null | last)
ours=$($S4AL bench ssl-step --net mbv2 --height "$H" --width "$W" --batch 4 --iters "$ITERS" --threads "$THREADS" | last)
floor=$($S4AL bench ssl-step --net mbv2 --height "$H" --width "$W" --batch 4 --iters "$ITERS" --threads "$THREADS" --floor | last)
python3 - "$ref" "$ours" "$floor" <<'PY'
import sys
ref, ours, floor = map(float, sys.argv[1:])
print(f"authors (PyTorch)  {ref:.4f} s/iter")
print(f"S4AL.NET           {ours:.4f} s/iter   speed-up vs authors: {ref/ours:.2f}x")
print(f"S4AL.NET floor     {floor:.4f} s/iter   overhead over floor: {100*(ours/floor-1):.1f}%")
PY

#!/usr/bin/env bash
# Quality benchmark on Fashion-MNIST scenes: the same network and schedule for every setting,
# several seeds, results aggregated into a Markdown table (runs/quality/summary.md).
#
#   full        every pixel labeled, no acquisition (the baseline S4AL is measured against)
#   s4al        S4AL, entropy acquisition (the default)
#   random      S4AL with random-region acquisition
#   supervised  supervised-only training on exactly the pixels the s4al run labeled
#   sup-regions S4AL whose supervised loss draws from every image with a label (--sup-on-regions)
#   sup-regions-supervised  supervised-only training on exactly the pixels the sup-regions run labeled
#   sup-regions-random      sup-regions with random-region acquisition
#   teacher     S4AL with the teacher scoring the pool
#
# usage: scripts/bench-quality.sh [seeds...]      (default: 1 2)
# env:   QUALITY_ARGS  options shared by every run (size, network, schedule, budget; see below)
#        BACKBONE      backbone weights from `s4al pretrain` (recommended; see README)
#        OUT           output folder (default runs/quality)
#        SETTINGS      which of the settings above to run, in this order (default: all eight);
#                      supervised needs the s4al run of the same seed, sup-regions-supervised
#                      the sup-regions run
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=("$@"); [ $# -eq 0 ] && SEEDS=(1 2)
# Checked before anything is installed or built.
ALL_SETTINGS="full s4al random supervised sup-regions sup-regions-supervised sup-regions-random teacher"
SETTINGS=${SETTINGS:-$ALL_SETTINGS}
for name in $SETTINGS; do
  case " $ALL_SETTINGS " in *" $name "*) ;;
    *) echo "SETTINGS: unknown setting '$name' (one of: $ALL_SETTINGS)" >&2; exit 2;; esac
done
OUT=${OUT:-runs/quality}
mkdir -p "$OUT"
QUALITY_ARGS=${QUALITY_ARGS:-"--dataset fashion-mnist --height 64 --width 64 --pool-size 100 --val-size 100 --net mbv2 --region-size 8 --budget global --global-budget 160 --cycles 2 --epochs 10 --iters 10 --threads 2"}
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
S4AL="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
extra=()
[ -n "${BACKBONE:-}" ] && extra+=(--backbone-weights "$BACKBONE")
run() { # name seed args...
  local name=$1 seed=$2; shift 2
  case " $SETTINGS " in *" $name "*) ;; *) return;; esac
  local dir="$OUT/$name-s$seed"
  if [ -f "$dir/done" ]; then echo "skip $dir (done)"; return; fi
  echo "== $name seed $seed"
  local shared=$QUALITY_ARGS
  # A run that sets its own number of cycles drops the shared one (an option may appear once).
  case " $* " in *" --cycles "*) shared=$(sed -E 's/--cycles [0-9]+//' <<<"$shared");; esac
  # shellcheck disable=SC2086
  if $S4AL run $shared "${extra[@]}" --seed "$seed" --run-dir "$dir" "$@" > "$dir.log" 2>&1; then
    touch "$dir/done"
  else
    echo "FAILED: see $dir.log"
  fi
  tail -n 4 "$dir.log"
}
for seed in "${SEEDS[@]}"; do
  run full "$seed" --mode full
  run s4al "$seed"
  run random "$seed" --metric random
  run supervised "$seed" --mode supervised --cycles 0 --labeled-from "$OUT/s4al-s$seed/labeled.json"
  run sup-regions "$seed" --sup-on-regions
  run sup-regions-supervised "$seed" --mode supervised --cycles 0 --labeled-from "$OUT/sup-regions-s$seed/labeled.json"
  run sup-regions-random "$seed" --sup-on-regions --metric random
  run teacher "$seed" --scorer teacher
done
python3 scripts/quality-summary.py "$OUT" | tee "$OUT/summary.md"

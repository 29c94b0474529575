#!/usr/bin/env bash
# Quality benchmark on Fashion-MNIST scenes: the same network and schedule for every setting,
# several seeds, results aggregated into a Markdown table ($OUT/summary.md) and a raw JSON file
# (docs/results/quality-<name of $OUT>.json) by scripts/quality-summary.py, and compared by
# `s4al compare` ($OUT/compare/: the curves over seeds as compare.png, tables as .md/.csv/.html).
# quality-summary.py stays for what compare does not do: "% of full" against each seed's
# converged full-supervision run (the best of full-x1, x2, ...; compare takes the full setting
# with the best mean), the convergence table, the final round's iterations, the raw JSON file.
#
#   s4al        S4AL with entropy acquisition, the product's defaults
#   supervised  supervised-only training on exactly the pixels the s4al run labeled, with the
#               authors' iteration count for supervised training (twice the S4AL iterations per epoch)
#   random      s4al with random-region acquisition
#   authors     S4AL as the authors' code runs it (--preset authors: acquired regions only in the
#               unsupervised loss), on the shared schedule
#   authors-supervised  supervised-only training on exactly the pixels the authors run labeled
#   teacher     s4al with the teacher scoring the pool
#   full        every pixel labeled, trained to convergence: the supervised schedule (x1), then
#               twice as long (x2, x4, ...) until a doubling no longer raises the validation mIoU
#               (at most FULL_MAX_FACTOR); the best of these is the baseline for "% of full"
#
# usage: scripts/bench-quality.sh [seeds...]      (default: 1 2 3)
# env:   QUALITY_ARGS  options shared by every run (size, network, schedule, budget; see below)
#        BACKBONE      backbone weights from `s4al pretrain` (recommended; see README)
#        OUT           output folder (default runs/quality)
#        SETTINGS      which settings to run, in this order (default: s4al supervised full random authors)
#        FULL_MAX_FACTOR  longest full-supervision schedule, as a multiple of x1 (default 16)
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=("$@"); [ $# -eq 0 ] && SEEDS=(1 2 3)
# Checked before anything is installed or built.
ALL_SETTINGS="s4al supervised full random authors authors-supervised teacher"
SETTINGS=${SETTINGS:-"s4al supervised full random authors"}
for name in $SETTINGS; do
  case " $ALL_SETTINGS " in *" $name "*) ;;
    *) echo "SETTINGS: unknown setting '$name' (one of: $ALL_SETTINGS)" >&2; exit 2;; esac
done
FULL_MAX_FACTOR=${FULL_MAX_FACTOR:-16}
OUT=${OUT:-runs/quality}
mkdir -p "$OUT"
QUALITY_ARGS=${QUALITY_ARGS:-"--dataset fashion-mnist --height 64 --width 64 --pool-size 100 --val-size 100 --net mbv2 --region-size 8 --budget global --global-budget 160 --cycles 2 --epochs 10 --iters 80 --threads 1"}
value_of() { # option: its value in QUALITY_ARGS
  sed -nE "s/.*$1 ([^ ]+).*/\1/p" <<<"$QUALITY_ARGS"
}
EPOCHS=$(value_of --epochs); ITERS=$(value_of --iters)
if [ -z "$EPOCHS" ] || [ -z "$ITERS" ]; then echo "QUALITY_ARGS must give --epochs and --iters" >&2; exit 2; fi
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
S4AL="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
commit=$(git rev-parse --short HEAD)
extra=()
[ -n "${BACKBONE:-}" ] && extra+=(--backbone-weights "$BACKBONE")

run() { # name seed args...: one run into $OUT/<name>-s<seed>, skipped when done
  local name=$1 seed=$2; shift 2
  local dir="$OUT/$name-s$seed"
  if [ -f "$dir/done" ]; then echo "skip $dir (done)"; return; fi
  echo "== $name seed $seed ($(date -u +%H:%M))"
  # Options the run sets itself replace the shared ones (an option may appear once).
  local shared=" $QUALITY_ARGS "
  for arg in "$@"; do
    case "$arg" in --*) shared=$(sed -E "s/ $arg( [^-][^ ]*)? / /" <<<"$shared");; esac
  done
  mkdir -p "$dir"
  echo "$commit" > "$dir/commit"
  # shellcheck disable=SC2086
  if $S4AL run $shared "${extra[@]}" --seed "$seed" --run-dir "$dir" "$@" > "$dir.log" 2>&1; then
    touch "$dir/done"
  else
    echo "FAILED: see $dir.log"
  fi
  tail -n 3 "$dir.log"
}

final_miou() { python3 -c 'import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[-1]["miou"])' "$1/cycles.csv"; }

full() { # seed: full supervision, doubling the schedule until the validation mIoU stops rising
  local seed=$1 factor=1 best=-1
  while [ "$factor" -le "$FULL_MAX_FACTOR" ]; do
    # x1 is the supervised baseline's schedule: the last round's epochs at twice the iterations.
    run "full-x$factor" "$seed" --mode full --epochs $((EPOCHS * factor)) --iters $((ITERS * 2))
    [ -f "$OUT/full-x$factor-s$seed/done" ] || return 0
    local miou; miou=$(final_miou "$OUT/full-x$factor-s$seed")
    if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$miou" "$best"; then
      best=$miou; factor=$((factor * 2))
    else
      echo "full supervision, seed $seed: x$factor ($miou) does not beat x$((factor / 2)) ($best): converged"
      return 0
    fi
  done
}

for seed in "${SEEDS[@]}"; do
  for name in $SETTINGS; do
    case $name in
      s4al) run s4al "$seed" ;;
      supervised) run supervised "$seed" --mode supervised --cycles 0 --iters $((ITERS * 2)) --labeled-from "$OUT/s4al-s$seed/labeled.json" ;;
      random) run random "$seed" --metric random ;;
      authors) run authors "$seed" --preset authors ;;
      authors-supervised) run authors-supervised "$seed" --mode supervised --cycles 0 --iters $((ITERS * 2)) --labeled-from "$OUT/authors-s$seed/labeled.json" ;;
      teacher) run teacher "$seed" --scorer teacher ;;
      full) full "$seed" ;;
    esac
  done
done
mkdir -p docs/results
python3 scripts/quality-summary.py "$OUT" --json "docs/results/quality-$(basename "$OUT").json" | tee "$OUT/summary.md"
# supervised and authors-supervised have the same settings.json (only --labeled-from differs), which compare refuses to mix.
$S4AL compare "$OUT" --out "$OUT/compare" || echo "s4al compare failed (see above); $OUT/summary.md is written all the same"

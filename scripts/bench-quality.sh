#!/usr/bin/env bash
# Quality benchmark on Fashion-MNIST scenes: one `s4al sweep` (every setting on the same network
# and schedule, several seeds, on this machine's embedded cluster) and one `s4al compare` (the
# curves over seeds, "% of full supervision", paired differences per seed, per-class IoU).
#
#   s4al        S4AL with entropy acquisition, the product's defaults
#   supervised  supervised-only training on exactly the pixels the s4al run of the same seed
#               labeled (a dependency the coordinator honours), with the authors' iteration count
#               for supervised training (twice the S4AL iterations per epoch)
#   random      s4al with random-region acquisition
#   authors     S4AL as the authors' code runs it (--preset authors: acquired regions only in the
#               unsupervised loss), on the shared schedule
#   authors-supervised  supervised-only training on exactly the pixels the authors run labeled
#   teacher     s4al with the teacher scoring the pool
#   full        every pixel labeled, trained to convergence: the student is evaluated on the
#               validation split every FULL_EVAL_EVERY epochs and the round stops after
#               FULL_PATIENCE evaluations without a gain (at most FULL_MAX times the x1 schedule);
#               it reports its best evaluation, and compare takes it as 100% (issue 14)
#   full-xF     (FULL_FACTORS, default none) full supervision on fixed schedules, F times x1 =
#               the supervised baseline's schedule: the last round's epochs at twice the
#               iterations; compare takes the full setting with the best mean as 100%
#
# usage: scripts/bench-quality.sh [seeds...]      (default: 1 2 3)
# env:   QUALITY_ARGS  options shared by every run (size, network, schedule, budget; see below)
#        BACKBONE      backbone weights from `s4al pretrain` (recommended; see README)
#        OUT           the sweep's folder (default runs/quality); run again to resume
#        SETTINGS      which settings to run (default: s4al supervised full random authors)
#        FULL_EVAL_EVERY, FULL_PATIENCE, FULL_MAX  the full setting's evaluation interval in
#                      epochs (default 10), patience in evaluations (default 3) and maximum as a
#                      multiple of x1 (default 16)
#        FULL_FACTORS  fixed full-supervision schedules as multiples of x1 (default none, e.g. "1 2 4")
#        TRAINERS, THREADS  trainers of the sweep's node and its thread budget (default 2 and 2)
# writes: $OUT/compare/ (compare.png, .md, .csv, .html) and a copy of compare.csv, compare.md and
#         compare.png as docs/results/quality-<name of $OUT>.{csv,md,png}
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
FULL_FACTORS=${FULL_FACTORS:-}
FULL_EVAL_EVERY=${FULL_EVAL_EVERY:-10}; FULL_PATIENCE=${FULL_PATIENCE:-3}; FULL_MAX=${FULL_MAX:-16}
OUT=${OUT:-runs/quality}
QUALITY_ARGS=${QUALITY_ARGS:-"--dataset fashion-mnist --height 64 --width 64 --pool-size 100 --val-size 100 --net mbv2 --region-size 8 --budget global --global-budget 160 --cycles 2 --epochs 10 --iters 80"}
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

settings=()
for name in $SETTINGS; do
  case $name in
    s4al) settings+=(--setting "s4al=") ;;
    supervised) settings+=(--setting "supervised=--mode supervised --cycles 0 --iters $((ITERS * 2)) --labeled-from-setting s4al") ;;
    random) settings+=(--setting "random=--metric random") ;;
    authors) settings+=(--setting "authors=--preset authors") ;;
    authors-supervised) settings+=(--setting "authors-supervised=--mode supervised --cycles 0 --iters $((ITERS * 2)) --labeled-from-setting authors") ;;
    teacher) settings+=(--setting "teacher=--scorer teacher") ;;
    # x1 is the supervised baseline's schedule: the last round's epochs (2 x --epochs) at twice the
    # iterations; --epochs of a convergence run is half its maximum, as for every last round.
    full) settings+=(--setting "full=--mode full --epochs $((EPOCHS * FULL_MAX)) --iters $((ITERS * 2)) --eval-every $FULL_EVAL_EVERY --patience $FULL_PATIENCE") ;;
  esac
done
for f in $FULL_FACTORS; do settings+=(--setting "full-x$f=--mode full --epochs $((EPOCHS * f)) --iters $((ITERS * 2))"); done
extra=()
[ -n "${BACKBONE:-}" ] && extra+=(--backbone-weights "$BACKBONE")
seeds=$(IFS=,; echo "${SEEDS[*]}")
# shellcheck disable=SC2086
$S4AL sweep --run-dir "$OUT" --seeds "$seeds" "${settings[@]}" $QUALITY_ARGS "${extra[@]}" \
  --trainers "${TRAINERS:-2}" --threads "${THREADS:-2}"
$S4AL compare "$OUT" --out "$OUT/compare"
mkdir -p docs/results
name=quality-$(basename "$OUT")
for f in csv png; do cp "$OUT/compare/compare.$f" "docs/results/$name.$f"; done
sed "s/(compare\.png)/($name.png)/" "$OUT/compare/compare.md" > "docs/results/$name.md"
echo "written: docs/results/$name.{csv,md,png} (commit $(git rev-parse --short HEAD))"

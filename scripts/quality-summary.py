"""Aggregates the runs of scripts/bench-quality.sh (<out>/<setting>-s<seed>/, finished ones only)
into Markdown tables on standard output, and with --json FILE the raw figures behind them.

- final mIoU (validation split, the student of the last training round) per setting: mean,
  min-max spread and per seed, with the final round's iterations and the share of labeled pixels;
- "% of full supervision" against the converged full-supervision baseline of the same seed (the
  best of its doubling schedules, full-x1, x2, ...), then averaged over seeds;
- paired differences per seed between settings that share a seed;
- the full-supervision convergence curve per seed.

usage: python3 scripts/quality-summary.py OUT [--json FILE]
"""
import csv, datetime, json, os, re, statistics, sys
from collections import defaultdict

args = sys.argv[1:]
json_path = None
if "--json" in args:
    i = args.index("--json"); json_path = args[i + 1]; del args[i:i + 2]
root = args[0] if args else "runs/quality"

runs = defaultdict(dict)  # setting -> seed -> run
for name in sorted(os.listdir(root)):
    m = re.match(r"(.+)-s(\d+)$", name)
    d = os.path.join(root, name)
    if not m or not os.path.exists(os.path.join(d, "done")):
        continue
    rows = list(csv.DictReader(open(os.path.join(d, "cycles.csv"))))
    settings = json.load(open(os.path.join(d, "settings.json")))["settings"]
    last = rows[-1]
    commit = open(os.path.join(d, "commit")).read().strip() if os.path.exists(os.path.join(d, "commit")) else "?"
    runs[m.group(1)][int(m.group(2))] = {
        "miou": float(last["miou"]),
        "labeled_pixel_share": float(last["labeled_pixel_share"]),
        "final_round_iterations": settings["epochsPerCycle"] * settings["lastCycleEpochFactor"] * settings["iterationsPerEpoch"],
        "curve": [float(r["miou"]) for r in rows],
        "commit": commit,
    }

# Full supervision: per seed, the doubling schedules and the best of them.
full_curve = defaultdict(dict)  # seed -> factor -> run
for setting, by_seed in runs.items():
    m = re.match(r"full-x(\d+)$", setting)
    if m:
        for seed, run in by_seed.items():
            full_curve[seed][int(m.group(1))] = run
full = {seed: max(curve.values(), key=lambda r: r["miou"]) for seed, curve in full_curve.items()}
settings_found = [s for s in runs if not s.startswith("full-x")]
order = ["s4al", "supervised", "random", "authors", "authors-supervised", "teacher"]
order = [s for s in order if s in settings_found] + sorted(set(settings_found) - set(order))

def pct_of_full(by_seed):
    ratios = [r["miou"] / full[s]["miou"] for s, r in by_seed.items() if s in full]
    return statistics.mean(ratios) if ratios else None

out = []
out.append("| setting | seeds | labeled pixels | iterations (final round) | final mIoU (mean) | spread (min-max) | per seed | % of full supervision |")
out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
table = {}
if full:
    miou = [r["miou"] for r in full.values()]
    its = sorted({r["final_round_iterations"] for r in full.values()})
    out.append(f"| full (converged) | {len(full)} | 100.0% | {', '.join(map(str, its))} | {statistics.mean(miou):.4f} | {min(miou):.4f}-{max(miou):.4f} | "
               f"{', '.join('%.4f' % full[s]['miou'] for s in sorted(full))} | 100.0% |")
    table["full"] = {"seeds": {s: full[s] for s in sorted(full)}, "mean": statistics.mean(miou)}
for name in order:
    by_seed = runs[name]
    miou = [r["miou"] for r in by_seed.values()]
    share = statistics.mean(r["labeled_pixel_share"] for r in by_seed.values())
    its = sorted({r["final_round_iterations"] for r in by_seed.values()})
    pct = pct_of_full(by_seed)
    out.append(f"| {name} | {len(by_seed)} | {100 * share:.1f}% | {', '.join(map(str, its))} | {statistics.mean(miou):.4f} | "
               f"{min(miou):.4f}-{max(miou):.4f} | {', '.join('%.4f' % by_seed[s]['miou'] for s in sorted(by_seed))} | "
               f"{'' if pct is None else f'{100 * pct:.1f}%'} |")
    table[name] = {"seeds": {s: by_seed[s] for s in sorted(by_seed)}, "mean": statistics.mean(miou), "percent_of_full": pct}

pairs = [("s4al", "supervised"), ("s4al", "random"), ("s4al", "authors"), ("authors", "authors-supervised"), ("s4al", "teacher")]
paired = {}
lines = []
for a, b in pairs:
    if a not in runs or b not in runs:
        continue
    seeds = sorted(set(runs[a]) & set(runs[b]))
    if not seeds:
        continue
    diffs = [runs[a][s]["miou"] - runs[b][s]["miou"] for s in seeds]
    ahead = sum(d > 0 for d in diffs)
    lines.append(f"| {a} - {b} | {len(seeds)} | {statistics.mean(diffs):+.4f} | {min(diffs):+.4f}..{max(diffs):+.4f} | "
                 f"{', '.join(f'{d:+.4f}' for d in diffs)} | {ahead} of {len(seeds)} |")
    paired[f"{a} - {b}"] = {"seeds": seeds, "differences": diffs, "mean": statistics.mean(diffs)}
if lines:
    out += ["", "Paired differences of final mIoU (same seed):", "",
            "| pair | seeds | mean | range | per seed | first ahead on |", "| --- | --- | --- | --- | --- | --- |"] + lines

if full_curve:
    factors = sorted({f for c in full_curve.values() for f in c})
    out += ["", "Full supervision trained to convergence (final mIoU per schedule; iterations of the one training round):", "",
            "| seed | " + " | ".join("x%d (%d it.)" % (f, next(c[f] for c in full_curve.values() if f in c)["final_round_iterations"]) for f in factors) + " | best |",
            "| --- | " + " | ".join("---" for _ in factors) + " | --- |"]
    for seed in sorted(full_curve):
        c = full_curve[seed]
        out.append(f"| {seed} | " + " | ".join(f"{c[f]['miou']:.4f}" if f in c else "" for f in factors) + f" | {full[seed]['miou']:.4f} |")

print("\n".join(out))
if json_path:
    with open(json_path, "w") as f:
        json.dump({
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "folder": root,
            "commits": sorted({r["commit"] for by in runs.values() for r in by.values()}),
            "table": table,
            "paired": paired,
            "full_curve": {s: {f"x{f}": r for f, r in sorted(c.items())} for s, c in sorted(full_curve.items())},
        }, f, indent=1, sort_keys=False)

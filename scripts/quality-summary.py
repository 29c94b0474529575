"""Aggregates runs/quality/<setting>-s<seed>/cycles.csv into a Markdown table of final mIoU
(mean over seeds) and labeled pixel share, relative to the fully supervised baseline."""
import csv, glob, os, re, statistics, sys
from collections import defaultdict

root = sys.argv[1] if len(sys.argv) > 1 else "runs/quality"
final = defaultdict(dict)  # setting -> seed -> (share, miou)
for path in glob.glob(os.path.join(root, "*-s*", "cycles.csv")):
    m = re.match(r"(.+)-s(\d+)$", os.path.basename(os.path.dirname(path)))
    rows = list(csv.DictReader(open(path)))
    if not m or not rows or not os.path.exists(os.path.join(os.path.dirname(path), "done")):
        continue
    last = rows[-1]
    final[m.group(1)][int(m.group(2))] = (float(last["labeled_pixel_share"]), float(last["miou"]))
if "full" not in final:
    sys.exit("no finished 'full' run to compare with")
base = statistics.mean(v[1] for v in final["full"].values())
order = ["full", "s4al", "random", "supervised", "sup-regions", "sup-regions-supervised", "sup-regions-random", "teacher"]
print("| setting | seeds | labeled pixels | final mIoU (mean) | per seed | % of full supervision |")
print("| --- | --- | --- | --- | --- | --- |")
for name in order + sorted(set(final) - set(order)):
    if name not in final: continue
    runs = final[name]
    share = statistics.mean(v[0] for v in runs.values())
    miou = statistics.mean(v[1] for v in runs.values())
    per = ", ".join(f"{runs[s][1]:.4f}" for s in sorted(runs))
    print(f"| {name} | {len(runs)} | {100*share:.1f}% | {miou:.4f} | {per} | {100*miou/base:.1f}% |")

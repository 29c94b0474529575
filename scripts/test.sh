#!/usr/bin/env bash
# Runs every test of the solution (the README's test command) and prints one closing
# line "N passed, N failed, N skipped" summed over the test projects.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=$(mktemp -d)
dotnet build S4AL.sln -c Release --nologo -v q || exit 1
# Test projects run one after the other: TorchSharp tests each use both cores.
dotnet test S4AL.sln -c Release --no-build --nologo -m:1 --logger "trx" --results-directory "$results" "$@"
status=$?
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"{p} passed, {f} failed, {s} skipped")
PY
rm -rf "$results"
exit $status

#!/usr/bin/env bash
# The cost of tracing: the same experiment with OpenTelemetry export off and on (OTLP/HTTP to a
# local do-nothing collector, scripts/otlp-sink.py), run alternately ROUNDS times each (default 3;
# odd rounds off first, even rounds on first) so that drift of the machine hits both alike. Prints
# each run's wall time and cycle time (train + score seconds from cycles.csv), the medians and
# their ratios (target < 1.02), and what the collector received.
# Usage: scripts/bench-telemetry.sh [extra s4al run options...]   (default: one cycle of the default network)
# Writes docs/results/telemetry-<date>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
s4al="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
out=${OUT:-runs/bench-telemetry}
rounds=${ROUNDS:-3}
rm -rf "$out"; mkdir -p "$out"
options=("$@")
[ ${#options[@]} -eq 0 ] && options=(--cycles 1 --epochs 8 --pool-size 96)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 scripts/otlp-sink.py "$port" "$out/collector.txt" & sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
time_of() { local name=$1 start end; shift; start=$(date +%s.%N); "$@" > "$out/$name.log" 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc; }
cycle_seconds() { python3 -c 'import csv,sys; print(sum(float(r["train_seconds"]) + float(r["score_seconds"]) for r in csv.DictReader(open(sys.argv[1]))))' "$1/cycles.csv"; }
off=(); on=(); off_c=(); on_c=()
run_off() { off+=("$(time_of "off-$1" $s4al run "${options[@]}" --run-dir "$out/off-$1")"); off_c+=("$(cycle_seconds "$out/off-$1")"); }
run_on() { on+=("$(time_of "on-$1" $s4al run "${options[@]}" --run-dir "$out/on-$1" --otlp-endpoint "http://127.0.0.1:$port" --otlp-protocol http/protobuf)"); on_c+=("$(cycle_seconds "$out/on-$1")"); }
for i in $(seq 1 "$rounds"); do
  if (( i % 2 )); then run_off "$i"; run_on "$i"; else run_on "$i"; run_off "$i"; fi
  echo "round $i: off ${off[-1]} s (cycles ${off_c[-1]} s), on ${on[-1]} s (cycles ${on_c[-1]} s)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_off=$(median "${off[@]}"); m_on=$(median "${on[@]}"); c_off=$(median "${off_c[@]}"); c_on=$(median "${on_c[@]}")
echo "tracing_off_seconds=$m_off"
echo "tracing_on_seconds=$m_on"
echo "tracing_off_cycle_seconds=$c_off"
echo "tracing_on_cycle_seconds=$c_on"
echo "tracing_overhead_cycle_ratio=$(echo "scale=4; $c_on / $c_off" | bc)"
echo "tracing_overhead_ratio=$(echo "scale=4; $m_on / $m_off" | bc)"
sed 's/^/collector: /' "$out/collector.txt"
mkdir -p docs/results
join() { local IFS=,; printf '%.2f\n' "$@" | paste -sd, -; }
printf '{"date":"%s","commit":"%s","options":"%s","rounds":%d,"off_seconds":[%s],"on_seconds":[%s],"off_cycle_seconds":[%s],"on_cycle_seconds":[%s],"overhead_ratio":%s,"overhead_cycle_ratio":%s}\n' \
  "$(date -u +%FT%TZ)" "$(git rev-parse --short HEAD)" "${options[*]}" "$rounds" "$(join "${off[@]}")" "$(join "${on[@]}")" "$(join "${off_c[@]}")" "$(join "${on_c[@]}")" \
  "$(printf %.4f "$(echo "scale=6; $m_on / $m_off" | bc)")" "$(printf %.4f "$(echo "scale=6; $c_on / $c_off" | bc)")" > "docs/results/telemetry-$(date -u +%F).json"

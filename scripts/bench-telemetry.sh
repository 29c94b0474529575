#!/usr/bin/env bash
# The cost of tracing: the same experiment with OpenTelemetry export off and on (OTLP/HTTP to a
# local do-nothing collector, scripts/otlp-sink.py), run alternately ROUNDS times each (default 2)
# so that drift of the machine hits both alike. Prints each time, the medians and their ratio
# (target < 1.02), and what the collector received.
# Usage: scripts/bench-telemetry.sh [extra s4al run options...]   (default: a 2-cycle run of the default network)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/S4AL.Node -c Release --nologo -v q >/dev/null
s4al="dotnet src/S4AL.Node/bin/Release/net10.0/linux-x64/s4al.dll"
out=${OUT:-runs/bench-telemetry}
rounds=${ROUNDS:-2}
rm -rf "$out"; mkdir -p "$out"
options=("$@")
[ ${#options[@]} -eq 0 ] && options=(--cycles 1 --epochs 8 --pool-size 96)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 scripts/otlp-sink.py "$port" "$out/collector.txt" & sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
time_of() { local name=$1 start end; shift; start=$(date +%s.%N); "$@" > "$out/$name.log" 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc; }
off=(); on=()
for i in $(seq 1 "$rounds"); do
  off+=("$(time_of "off-$i" $s4al run "${options[@]}" --run-dir "$out/off-$i")")
  on+=("$(time_of "on-$i" $s4al run "${options[@]}" --run-dir "$out/on-$i" --otlp-endpoint "http://127.0.0.1:$port" --otlp-protocol http/protobuf)")
  echo "round $i: off ${off[-1]} s, on ${on[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_off=$(median "${off[@]}"); m_on=$(median "${on[@]}")
echo "tracing_off_seconds=$m_off"
echo "tracing_on_seconds=$m_on"
echo "tracing_overhead_ratio=$(echo "scale=4; $m_on / $m_off" | bc)"
sed 's/^/collector: /' "$out/collector.txt"

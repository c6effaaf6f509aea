#!/usr/bin/env bash
# Bulk throughput: N rescans against the simulator over mutual TLS with basic
# auth, by tae-rescan and by curl (a per-request curl loop and curl --parallel),
# at the same concurrency. Prints requests per second and the ratios.
#
#   benches/bulk.sh [N=2000] [CONCURRENCY=16]
#
# Everything runs on loopback. The demo password is passed to curl in a config
# file (-K), never in its arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
C=${2:-16}

cargo build --release --quiet
BIN=target/release/tae-rescan
work=$(mktemp -d)
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" simulate --listen "127.0.0.1:$port" --tls-dir "$work/tls" >"$work/snippet.toml" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 1 200); do grep -q listening "$work/sim.log" 2>/dev/null && break; sleep 0.05; done
grep -q listening "$work/sim.log" || { cat "$work/sim.log"; exit 1; }
base="https://localhost:$port"

seq -f "bench-%06g" 1 "$N" >"$work/ids.txt"
cat >"$work/config.toml" <<TOML
[api]
base_url = "$base"
username = "demo"
password = "demo"
client_cert = "$work/tls/client.pem"
ca_cert = "$work/tls/ca.pem"
[worker]
concurrency = $C
max_retries = 0
TOML
printf 'user = "demo:demo"\ncert = "%s"\ncacert = "%s"\nrequest = "PUT"\nheader = "Content-Length: 0"\nsilent\n' \
  "$work/tls/client.pem" "$work/tls/ca.pem" >"$work/curl-auth.cfg"
{ cat "$work/curl-auth.cfg"; while read -r id; do
    printf 'url = "%s/api/attribution/tasks/file_from_url/%s"\noutput = "/dev/null"\n' "$base" "$id"
  done <"$work/ids.txt"; } >"$work/curl-parallel.cfg"

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$N/($2-$1):8.0f} req/s  ({$2-$1:6.2f} s)')"; }

t0=$(now)
"$BIN" rescan --config "$work/config.toml" --from-file "$work/ids.txt" --output json >"$work/ours.jsonl"
t1=$(now)
accepted=$(grep -c '"outcome":"accepted"' "$work/ours.jsonl" || true)
[ "$accepted" -eq "$N" ] || { echo "tae-rescan: only $accepted of $N accepted"; exit 1; }
ours=$(python3 -c "print($t1-$t0)")

t0=$(now)
curl --silent --parallel --parallel-max "$C" -K "$work/curl-parallel.cfg"
t1=$(now)
par=$(python3 -c "print($t1-$t0)")

t0=$(now)
sed "s|^|$base/api/attribution/tasks/file_from_url/|" "$work/ids.txt" |
  xargs -P "$C" -n 1 curl -K "$work/curl-auth.cfg" -o /dev/null
t1=$(now)
loop=$(python3 -c "print($t1-$t0)")

echo "bulk rescan: $N requests, concurrency $C, mutual TLS + basic auth, simulator on loopback"
printf '  tae-rescan           %s\n' "$(rate 0 "$ours")"
printf '  curl --parallel      %s\n' "$(rate 0 "$par")"
printf '  curl loop (xargs -P) %s\n' "$(rate 0 "$loop")"
python3 -c "print(f'  tae-rescan vs curl --parallel: {$par/$ours:.1f}x faster; vs curl loop: {$loop/$ours:.1f}x faster')"

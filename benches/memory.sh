#!/usr/bin/env bash
# Peak memory of the real dashboard with 100,000 tasks and 100,000 finished
# history records loaded.                                 target <= 60 MB
#
#   benches/memory.sh [TASKS=100000]
#
# Prepares the data dir once through the store API (benches/prepare_store.rs:
# Store::upsert_tasks, then Store::begin + Store::finish per task, as the
# worker writes them) under target/bench-data/, then runs the release binary
# on a 200x50 pty (benches/dashboard.rs), waits until the list shows all
# tasks and loading has finished, idles 2 s, reads VmHWM (peak resident set,
# the whole life of the process) from /proc/PID/status and quits with q.
# Cross-check without the driver:
#   script -qc "/usr/bin/time -f %M target/release/tae-rescan --config DIR/config.toml --data-dir DIR/data" /dev/null
# (type q once the list is shown; %M is the peak RSS in KiB).
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-100000}
DIR=target/bench-data/dashboard-$TASKS
cargo bench --quiet --no-run --bench prepare_store --bench dashboard
mkdir -p "$DIR"
cargo bench --quiet --bench prepare_store -- "$DIR" "$TASKS"
cargo bench --quiet --bench dashboard -- "$DIR" "$TASKS" 2

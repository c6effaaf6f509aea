#!/usr/bin/env bash
# Start and idle of the real dashboard with 100,000 tasks (each with a
# finished rescan in the history):
#   start: spawn -> first frame whose task list title shows the full count
#          ("Tasks 100000/100000"), on a 200x50 pty      target <= 300 ms
#   idle:  utime+stime over 10 s, loaded, nothing in flight  target <= 0.05 s
# It also prints the peak RSS (see memory.sh).
#
#   benches/start_idle.sh [TASKS=100000] [IDLE_SECS=10] [RUNS=3]
#
# The data dir is prepared once through the store API (benches/prepare_store.rs)
# under target/bench-data/ and reused. The pty driver is benches/dashboard.rs
# (portable-pty + vt100, the same pair the e2e tests use); each run is a fresh
# process, so the start figure includes process start, opening the store and
# reading all 100,000 tasks with their last outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-100000}
IDLE=${2:-10}
RUNS=${3:-3}
DIR=target/bench-data/dashboard-$TASKS
cargo bench --quiet --no-run --bench prepare_store --bench dashboard
mkdir -p "$DIR"
cargo bench --quiet --bench prepare_store -- "$DIR" "$TASKS"
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS"
  cargo bench --quiet --bench dashboard -- "$DIR" "$TASKS" "$IDLE"
done

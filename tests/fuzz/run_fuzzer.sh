#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: FUZZER WORK_CORPUS SEED_DIR SECONDS.
# New inputs go to WORK_CORPUS (kept between runs); a crash, leak, sanitizer report or
# timeout fails the run and leaves the input in WORK_CORPUS/../artifacts.
set -euo pipefail
fuzzer=$1 work=$2 seeds=$3 seconds=$4
artifacts=$(dirname "$work")/artifacts/$(basename "$work")
mkdir -p "$work" "$artifacts"
"$fuzzer" "$work" "$seeds" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
  -max_len=1048576 -print_final_stats=1 -artifact_prefix="$artifacts/" 2>&1 | tail -25
exit "${PIPESTATUS[0]}"

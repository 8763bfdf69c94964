#!/usr/bin/env bash
# Closed loop vs bare stepping for every environment and both models, P x K = 64 (docs/benchmarks.md).
#   bash benchmarks/bench_loop_all.sh > runs/bench_loop.log
set -e
PDLF=${PDLF:-pdlf}
for model in reference bio; do
  for task in ant_dir swimmer_dir halfcheetah_vel hopper_vel fetch ur5e; do
    echo "== $task $model"
    $PDLF bench loop --task "$task" --model "$model" --batch 64 --rounds 3
  done
done

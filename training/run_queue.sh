#!/bin/sh
# Train the six shipped models one after another on this machine's CPU, then export and evaluate
# each (the evaluators first: the generators are judged by them).
#   nohup sh training/run_queue.sh > training/runs/queue.log 2>&1 &
# One torch thread: on 2 shared cores, 2 OpenMP threads next to another busy process measured
# 10x slower per step (6 s vs 0.6 s for xray-ddpm) than 1 thread.
set -u
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
THREADS=${THREADS:-1}
train() {  # model, minutes
  echo "=== $(date -u +%FT%TZ) train $1 for $2 min"
  $PY -m training.train --model "$1" --budget-minutes "$2" --threads "$THREADS" || echo "!!! train $1 failed"
}
# TRAIN="xray-vae:8 ecg-vae:8" sh training/run_queue.sh  trains only those (model:minutes), e.g.
# to redo some after a change; export + evaluate always cover all six.
for job in ${TRAIN:-xray-classifier:4 ecg-classifier:4 xray-vae:8 ecg-vae:8 xray-ddpm:30 ecg-ddpm:20}; do
  train "${job%%:*}" "${job##*:}"
done
for m in xray-classifier ecg-classifier xray-vae ecg-vae xray-ddpm ecg-ddpm; do
  echo "=== $(date -u +%FT%TZ) export + evaluate $m"
  $PY -m training.export --model "$m" && $PY -m training.evaluate --model "$m" --threads "$THREADS" \
    || echo "!!! export/evaluate $m failed"
done
echo "=== $(date -u +%FT%TZ) queue done"

#!/bin/sh
# Train every model of the zoo at once on one CUDA GPU (small networks leave most of a GPU idle,
# so fifteen runs side by side cost little more than one), then export and evaluate them all.
#
#   sh training/train_zoo.sh start [GENERATOR_MINUTES]   launch the runs in the background, return
#   sh training/train_zoo.sh finish                      wait for them; export and evaluate each
#
# Each run logs to training/runs/<id>.log. GPU settings (batch 128, a slower EMA for the longer
# runs) are passed with --set, so every run's config.json says what it trained with. The CPU
# recipe is training/run_queue.sh.
set -u
cd "$(dirname "$0")/.."
PY=${PY:-python3}
RUNS=${RUNS:-training/runs}
MIN=${2:-15}
VAE_MIN=$(( MIN * 4 / 5 ))

# id  minutes  overrides
JOBS="
xray-classifier   6        batch_size=128 max_steps=3000
ecg-classifier    6        batch_size=128 max_steps=8000
retina-classifier 6        batch_size=128
breast-classifier 6        batch_size=128
bccd-classifier   6        batch_size=128
xray-vae          $VAE_MIN batch_size=128
ecg-vae           $VAE_MIN batch_size=128
retina-vae        $VAE_MIN batch_size=128
breast-vae        $VAE_MIN batch_size=128
bccd-vae          $VAE_MIN batch_size=128
xray-ddpm         $MIN     batch_size=128 ema_decay=0.9995 sample_every=5000
ecg-ddpm          $MIN     batch_size=128 ema_decay=0.9995 sample_every=5000
retina-ddpm       $MIN     batch_size=128 ema_decay=0.9995 sample_every=5000
breast-ddpm       $MIN     batch_size=128 ema_decay=0.9995 sample_every=5000
bccd-ddpm         $MIN     batch_size=128 ema_decay=0.9995 sample_every=5000
"
CLASSIFIERS="xray-classifier ecg-classifier retina-classifier breast-classifier bccd-classifier"
GENERATORS="xray-ddpm xray-vae ecg-ddpm ecg-vae retina-ddpm retina-vae breast-ddpm breast-vae bccd-ddpm bccd-vae"

start() {
  mkdir -p "$RUNS"
  echo "$JOBS" | while read -r id minutes overrides; do
    [ -n "$id" ] || continue
    sets=""
    for o in $overrides; do sets="$sets --set $o"; done
    # setsid: the runs outlive the shell that started them
    setsid $PY -m training.train --model "$id" --budget-minutes "$minutes" --threads 1 --runs-dir "$RUNS" $sets \
      > "$RUNS/$id.log" 2>&1 < /dev/null &
    echo $! > "$RUNS/$id.pid"
    echo "started $id ($minutes min$( [ -n "$overrides" ] && echo ", $overrides"))"
  done
}

wait_for() {  # ids
  for id in "$@"; do
    pid=$(cat "$RUNS/$id.pid" 2>/dev/null) || continue
    while kill -0 "$pid" 2>/dev/null; do sleep 5; done
  done
}

evaluate() {  # ids, side by side; each exports, then measures and re-exports with the figures
  for id in "$@"; do
    if [ ! -f "$RUNS/$id/summary.json" ]; then echo "!!! $id: no finished run"; continue; fi
    ( $PY -m training.evaluate --model "$id" --threads 2 --runs-dir "$RUNS" > "$RUNS/$id.eval.log" 2>&1 \
        && echo "evaluated $id" || echo "!!! evaluate $id failed (see $RUNS/$id.eval.log)" ) &
  done
  wait
}

finish() {
  wait_for $CLASSIFIERS
  evaluate ${EVAL_CLASSIFIERS:-$CLASSIFIERS}     # the generators are judged by these
  wait_for $GENERATORS
  evaluate ${EVAL_GENERATORS:-$GENERATORS}
}

case "${1:-}" in
  start) start ;;
  finish) finish ;;
  *) echo "usage: sh training/train_zoo.sh start [GENERATOR_MINUTES] | finish" >&2; exit 2 ;;
esac

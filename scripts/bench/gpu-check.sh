#!/usr/bin/env bash
# Issue 19's GPU measurements in one call on a lent GPU machine (the `device` tool), prepared here.
#
#   bash scripts/bench/gpu-check.sh prepare     # here: bench-results/gpu (ignored, about 40 MB)
#   bash scripts/bench/gpu-check.sh slim        # here, if prepare says the call would be too large
#   device run, carry ["bench-results/gpu"], command:
#     bash scripts/bench/gpu-check.sh run "$OUT"       # there: figures and JSON into $OUT
#   bash scripts/bench/gpu-check.sh restore     # here, after slim: the deleted folders back
#
# prepare bundles the Node benchmark (Dawn included), packs this machine's Node as one xz file,
# downloads Debian's Vulkan loader (libvulkan1), which a bare GPU machine may lack, and copies the
# two models measured. A device call takes at most 64 MiB (the working tree and what it carries);
# slim deletes, in this checkout only, the tracked folders the run does not need (docs/, models/),
# and restore checks them out again. run unpacks and measures, through the site's own code,
# against the issue's targets:
#   probe   where a step's and a token's time goes on the GPU (dispatches, JavaScript, with and
#           without the compiled plans): xray-ddpm at batch 1 and 64 (the guided batch-64 step
#           target: at most 3 ms), xray-ar at batch 1 against WASM
#   bench   cold start to the first samples (target: within 1 s) and 50-step runs of batch 1 on
#           WebGPU against WASM on the same machine's CPU (target: WebGPU faster)
#   runs    100 consecutive runs with the tensor and GPU-buffer counts (target: flat)
# GPU_CHECK_QUICK=1 runs the same steps small, to try the script here on SwiftShader.
set -uo pipefail
cd "$(dirname "$0")/../.."
GPU=bench-results/gpu

MODELS=(xray-ddpm xray-ar)
MIB=$((1024 * 1024))

case "${1:-}" in
  prepare)
    set -e
    rm -rf "$GPU" && mkdir -p "$GPU/models"
    npm run -s bench:node -- --bundle "$GPU/bundle"
    tar -C "$GPU" -cJf "$GPU/bundle.tar.xz" bundle && rm -rf "$GPU/bundle"
    xz -T0 -c "$(command -v node)" > "$GPU/node.xz"
    (cd "$GPU" && apt-get download -q libvulkan1 2>/dev/null)
    for m in "${MODELS[@]}"; do cp -r "models/$m" "$GPU/models/"; done
    tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
    carried=$(du -sb "$GPU" | cut -f1)
    echo "a device call would take $(( (tracked + carried) / MIB )) MiB: the tracked tree $(( tracked / MIB )) MiB, $GPU $(( carried / MIB )) MiB"
    if (( tracked + carried > 64 * MIB )); then echo "over the 64 MiB a call takes: run 'gpu-check.sh slim' first, and 'gpu-check.sh restore' after"; fi
    exit 0 ;;
  slim)
    [ -d "$GPU/models" ] || { echo "run 'gpu-check.sh prepare' first" >&2; exit 1; }
    rm -rf docs models
    echo "docs/ and models/ deleted in this checkout; 'gpu-check.sh restore' brings them back"
    exit 0 ;;
  restore)
    git checkout -- docs models && git status --short
    exit 0 ;;
  run) ;;
  *) echo "usage: gpu-check.sh prepare | slim | run OUT | restore" >&2; exit 2 ;;
esac
OUT=${2:?the folder for the figures}
mkdir -p "$OUT"

# The Vulkan loader where a GPU machine has none (elsewhere the benchmark finds Chromium's), Node from the xz file where it has none, the bundle
if command -v nvidia-smi > /dev/null && ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$GPU"/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
NODE=$(command -v node || true)
if [ -z "$NODE" ]; then
  xz -dc "$GPU/node.xz" > /tmp/node && chmod +x /tmp/node && NODE=/tmp/node
fi
tar -C /tmp -xJf "$GPU/bundle.tar.xz"
[ -e /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
{ nvidia-smi -L 2>&1 || true; "$NODE" --version; } > "$OUT/machine.txt"

if [ -n "${GPU_CHECK_QUICK:-}" ]; then
  BIG=2 STEPS=3 REPEATS=2 RUNS=4 PROBES=2
else
  BIG=64 STEPS=50 REPEATS=3 RUNS=100 PROBES=9
fi
BENCH=("$NODE" /tmp/bundle/bench-node.mjs --models-dir "$GPU/models")
status=0
step() {   # name, then the benchmark's arguments: its output to $OUT/name.txt, JSON under $OUT/name/
  local name=$1
  shift
  echo "== $name: $*"
  "${BENCH[@]}" "$@" 2>&1 | tee "$OUT/$name.txt" || status=1
}
step probe --probe-loop --models xray-ddpm --backends webgpu --batches "1,$BIG" --repeats "$PROBES"
step probe-ar --probe-loop --models xray-ar --backends webgpu,wasm --batches 1 --repeats "$PROBES"
step bench --models xray-ddpm,xray-ar --backends webgpu,wasm --batches 1 --steps "$STEPS" --repeats "$REPEATS" --out "$OUT/bench"
step runs --models xray-ddpm --backends webgpu --batches 1 --steps "$STEPS" --repeats "$RUNS" --out "$OUT/runs"
exit $status

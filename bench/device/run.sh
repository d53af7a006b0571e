#!/usr/bin/env bash
# The GPU measurement of the webgpu backend, run once on the device machine (an H100 or H200 with a
# Python/CUDA image and no Node) from the repository root, after `bash bench/device/pack.sh` here:
#   device run: command "bash bench/device/run.sh", carry [".device"], timeout_s 600
# It prints, and writes to $OUT (or out/device when OUT is unset):
#   1. the probe: nvidia-smi, the Vulkan driver, the WebGPU adapter Dawn finds (name, vendor, architecture);
#   2. bench/nn-step.ts on webgpu and on wasm, MLP 784-1200-1200-10 and SimpleCNN, batch 128 and 1024;
#   3. one `deltastn tune` epoch of the linearized Δ-STN on the full Fashion-MNIST (60 000 images) on webgpu.
# One deadline (BUDGET seconds, default 480) caps the whole script, each step getting at most what is left, so
# it ends inside the device's 10-minute command limit whatever the GPU does; a step's failure or timeout is
# reported and the script goes on. QUICK=1 shrinks every step (batch 16 and 64, the MLP at width 0.1 only, a 256-image tune
# epoch of the MLP): the rehearsal on a machine without a GPU, with SwiftShader (VK_ICD_FILENAMES).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-out/device}
mkdir -p "$out"
log=$out/log.txt
exec > >(tee -a "$log") 2>&1
quick=${QUICK:-0}
step() { echo; echo "== $*"; }
deadline=$((SECONDS + ${BUDGET:-480}))
# The seconds a step may take: its own cap, or what is left before the deadline (0: skip it).
allow() { local left=$((deadline - SECONDS)); if [ "$left" -lt 20 ]; then echo 0; elif [ "$left" -lt "$1" ]; then echo "$left"; else echo "$1"; fi; }
# xz -dc FILE, or Python's lzma where the image has no xz.
unxz_to_stdout() { if command -v xz > /dev/null; then xz -dc "$1"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi; }

step "unpack"
node=/tmp/deltastn-node/node
mkdir -p /tmp/deltastn-node
[ -x "$node" ] || { unxz_to_stdout .device/node.xz > "$node" && chmod +x "$node"; }
"$node" --version
[ -d node_modules/@tensorflow/tfjs ] || unxz_to_stdout .device/app.tar.xz | tar -xf -
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for f in .device/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# The NVIDIA Vulkan driver's manifest, where the image keeps it (the device tool's README), unless one is named.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; fi
done
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

step "probe"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || echo "no nvidia-smi"
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
"$node" --input-type=module -e "
  import { initBackend, formatBackendInfo } from './dist/src/nn/backend.js';
  const info = await initBackend('webgpu');
  console.log(formatBackendInfo(info));
  console.log(JSON.stringify(info.adapter));
" 2>&1 | tee "$out/adapter.txt"

if [ "$quick" = 1 ]; then batches="16 64"; reps=1; models=mlp; width=0.1; else batches="128 1024"; reps=6; models=mlp,cnn; width=1; fi
for batch in $batches; do
  for backend in webgpu wasm; do
    step "nn-step $backend batch $batch"
    t=$(allow 150)
    if [ "$t" = 0 ]; then echo "(skipped: the time budget is spent)"; continue; fi
    timeout "$t" "$node" dist/bench/nn-step.js --backend "$backend" --batch "$batch" --reps "$reps" --models "$models" --width "$width" 2>&1 | tee "$out/nn-step-$backend-$batch.md" || echo "(nn-step $backend $batch: failed or timed out after $t s)"
  done
done

step "tune: one epoch of the linearized Δ-STN on Fashion-MNIST, webgpu"
if ls .device/fashion/*ubyte.xz > /dev/null 2>&1; then
  mkdir -p /tmp/deltastn-fashion
  for f in .device/fashion/*.xz; do [ -f "/tmp/deltastn-fashion/$(basename "$f" .xz)" ] || unxz_to_stdout "$f" > "/tmp/deltastn-fashion/$(basename "$f" .xz)"; done
  shape=$([ "$quick" = 1 ] && echo "--model mlp --width 0.1 --train-size 256" || echo "--model cnn")
  t=$(allow 240)
  if [ "$t" = 0 ]; then echo "(skipped: the time budget is spent)"; else
    timeout "$t" "$node" bin/deltastn.js tune $shape --dataset fashion-mnist --data-dir /tmp/deltastn-fashion --method delta-stn-linearized --epochs 1 --warmup 0 --backend webgpu --out "$out/tune" 2>&1 || echo "(tune: failed or timed out after $t s)"
  fi
else
  echo "(no Fashion-MNIST in .device/fashion: skipped)"
fi
step "done"

#!/usr/bin/env bash
# Packs what bench/device/run.sh needs on the GPU machine (the `device` tool of this workplace), whose image has
# Python/CUDA but no Node, into .device/ (ignored by git through .git/info/exclude; name it in the run's `carry`):
#   .device/node.xz          this machine's node binary, xz-compressed (≈ 99 MB → ≈ 25 MB)
#   .device/app.tar.xz       dist/, bin/ and exactly the node_modules files a webgpu/wasm run opens, found by
#                            tracing (strace) a short local run of the same commands on SwiftShader
#   .device/debs/*.deb       the Vulkan loader (libvulkan1), which the device image may lack
#   .device/fashion/*.xz     Fashion-MNIST (Debian's dataset-fashion-mnist), recompressed with xz (26 MB instead
#                            of 31 MB gzipped: the carry limit is 64 MiB with the tracked files), for the tune epoch
# Usage, from the repository root: bash bench/device/pack.sh   (then: bash bench/device/run.sh, there or here)
# Needs: npm ci done, chromium (SwiftShader) and libvulkan1 installed, strace, xz, apt-get.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
dev=.device
mkdir -p .git/info
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
rm -rf "$dev" && mkdir -p "$dev/debs" "$dev/fashion"

npm run build --silent

# 1. Which files a run opens: trace the device script's own commands, shortened, on SwiftShader.
trace=$(mktemp)
export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json} XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
# (The CNN uses the same modules as the MLP; on SwiftShader under strace it would take minutes.)
strace -f -qq -e trace=openat,open,stat,statx,newfstatat -o "$trace" node dist/bench/nn-step.js --backend webgpu --reps 1 --models mlp --batch 8 > /dev/null
strace -f -qq -e trace=openat,open,stat,statx,newfstatat -o "$trace.2" node dist/bench/nn-step.js --backend wasm --reps 1 --models mlp,cnn --batch 8 > /dev/null
strace -f -qq -e trace=openat,open,stat,statx,newfstatat -o "$trace.3" node bin/deltastn.js tune --model mlp --dataset mnist --method delta-stn-linearized --epochs 1 --width 0.05 --train-size 64 --backend webgpu --out "$(mktemp -d)" > /dev/null
files=$(cat "$trace" "$trace.2" "$trace.3" | grep -o "\"$root/node_modules/[^\"]*\"" | tr -d '"' | sort -u | while read -r f; do [ -f "$f" ] && echo "${f#"$root"/}"; done || true)
# Every package.json on the way (module resolution reads them), and the packages' own wasm/native binaries.
extra=$(for f in $files; do d=$(dirname "$f"); while [ "$d" != "node_modules" ] && [ "$d" != "." ]; do [ -f "$d/package.json" ] && echo "$d/package.json"; d=$(dirname "$d"); done; done | sort -u)
printf '%s\n' $files $extra | sort -u > "$dev/files.txt"
echo "pack: $(wc -l < "$dev/files.txt") node_modules files, $(du -ch $(cat "$dev/files.txt") | tail -1 | cut -f1)"
tar -cf - dist bin package.json -T "$dev/files.txt" | xz -T0 -6 > "$dev/app.tar.xz"
rm -f "$trace" "$trace.2" "$trace.3"

# 2. Node itself.
xz -T0 -9 -c "$(command -v node)" > "$dev/node.xz"

# 3. The Vulkan loader, as the device tool's README shows (amd64 lists in /tmp, nothing installed here).
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
mkdir -p /tmp/amd64/partial
apt-get "${o[@]}" update -qq
(cd "$dev/debs" && apt-get "${o[@]}" download libvulkan1 >/dev/null)

# 4. Fashion-MNIST from Debian's package, as xz (run.sh unpacks it to plain IDX files, which the loader reads).
fm=$(dpkg -L dataset-fashion-mnist 2>/dev/null | grep -E '\-ubyte\.gz$' || true)
if [ -n "$fm" ]; then
  for f in $fm; do gunzip -c "$f" | xz -9 -T0 > "$dev/fashion/$(basename "$f" .gz).xz"; done
else
  echo "pack: dataset-fashion-mnist is not installed: the full-epoch step will be skipped there"
fi

du -sh "$dev"/*
# The device tool sends the tracked files and the carried folder, 64 MiB in all.
tracked=$(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1)
total=$(( $(du -sb "$dev" | cut -f1) + tracked ))
echo "pack: $((total / 1048576)) MiB with the tracked files (limit 64 MiB)"
[ "$total" -lt $((63 * 1024 * 1024)) ] || { echo "pack: over the device carry limit"; exit 1; }
echo "pack: done; carry [\".device\"] and run: bash bench/device/run.sh"

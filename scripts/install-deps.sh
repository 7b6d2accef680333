#!/usr/bin/env bash
# Installs kiln's build and test dependencies from Debian 12's archive (idempotent: does
# nothing when they are all present). Needs root.
set -euo pipefail
packages=(
  cmake ninja-build g++ python3 xz-utils
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libonnx-dev libprotobuf-dev protobuf-compiler libcli11-dev libfmt-dev doctest-dev
  libonnx-testdata python3-onnx python3-numpy zlib1g-dev libzstd-dev libedit-dev libcurl4-openssl-dev
  python3-pil fonts-dejavu-core
  clang-22 libclang-rt-22-dev libfuzzer-22-dev
)
# Real architectures for the model tests and the demo (CPU builds of torch/torchvision).
torch_packages=(python3-torch python3-torchvision)

# The corpus test runs onnxruntime under Node.js and fetches models with npm: any
# Node.js 18+ will do; Debian's nodejs and npm when there is none.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}" "${torch_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root (or with sudo) to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${packages[@]}"
apt-get install -y -q --no-install-recommends "${torch_packages[@]}"

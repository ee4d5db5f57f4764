#!/usr/bin/env bash
# Installs every build, test and run dependency from Debian 12's packages.
# Idempotent: packages already present are not touched. Works as root or via sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  clang libclang-rt-14-dev
  librocksdb-dev
  libfaiss-dev libopenblas-dev libomp-dev
  libhnswlib-dev libxsimd-dev libzstd-dev
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-server-dev-15 libpq-dev
  gnuplot-nox python3
  qemu-user
  fasttext wordnet-base
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs memlif's build and test dependencies from Debian 12 packages. As root (or with sudo) it
# installs what is missing; otherwise it prints the exact apt-get command and fails.
set -euo pipefail

packages=(
  build-essential cmake git pkg-config
  libhdf5-dev hdf5-tools nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev librandom123-dev
  python3 python3-h5py python3-numpy python3-matplotlib python3-pytest
  libopenmpi-dev openmpi-bin
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies present"
  exit 0
fi

echo "setup: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; exit 1; }
  echo "setup: installed ${#missing[@]} packages"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: run as root:  apt-get install -y ${missing[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Installs the Debian 12 packages posfleet builds, runs and tests with.
# Idempotent: apt-get skips what is already installed. Run as root.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config clang-format
  # the sanitizer and fuzzing build (scripts/sanitize.sh, bench/fuzz/run.sh)
  clang-15 libfuzzer-15-dev
  # libraries
  libboost1.81-dev libsqlite3-dev libpq-dev libsodium-dev libssl-dev libcurl4-openssl-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libzstd-dev libdivsufsort-dev libzck-dev  # delta updates: patches and zchunk artifacts
  # tools the tests and benchmarks drive
  curl openssl sqlite3 postgresql-15 swupdate wrk nginx-light cpio procps python3 tmux tzdata
  bsdiff xdelta3 zstd zchunk  # bench/delta's yardsticks, and zchunk's own tools
  systemd  # systemd-analyze verifies the units in packaging/systemd (nothing is started)
  # the web console: Node.js builds it; Chromium (with a CJK font) tests it
  nodejs chromium fonts-wqy-microhei
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get needs it), e.g. sudo $0" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

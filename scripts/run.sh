#!/usr/bin/env bash
# The main job: install what posfleet needs, build it, and run posfleetd on its
# embedded SQLite under ./var. Extra arguments go to posfleetd, e.g.
#   scripts/run.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo "starting posfleetd (stop with Ctrl-C)"
exec build/bin/posfleetd --data-dir ./var --listen 127.0.0.1:8080 "$@"

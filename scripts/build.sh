#!/usr/bin/env bash
# Configures and builds everything into ./build (CMake + Ninja, ccache when
# present). Used by run.sh and test.sh; safe to run again (incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
build_type=${POSFLEET_BUILD_TYPE:-RelWithDebInfo}
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
fi
cmake --build build --parallel "$(nproc)"

# The web console (console/): packages exactly as locked, then the Vite build
# into console/dist, which posfleetd serves at /.
if [ ! -d console/node_modules ] || [ console/package-lock.json -nt console/node_modules/.package-lock.json ]; then
  (cd console && npm ci --no-audit --no-fund)
fi
# Skipped when console/dist is newer than everything it is built from (a re-run, or a change
# outside the console): tsc and Vite take a minute or more of both cores.
inputs=(console/src console/index.html console/package.json console/package-lock.json
        console/tsconfig.json console/vite.config.ts)
if [ ! -f console/dist/index.html ] ||
   [ -n "$(find "${inputs[@]}" -newer console/dist/index.html -print -quit)" ]; then
  (cd console && npm run --silent build)
fi

#!/usr/bin/env bash
# Hivewatch developer entry point, for a fresh Debian 12 / Ubuntu machine.
#
#   scripts/dev.sh run  [hivewatch args…]   install what is missing, build, start the dashboard
#   scripts/dev.sh test                     install what is missing, build, run every test
#   scripts/dev.sh build                    install what is missing, build
#   scripts/dev.sh deps                     only install what is missing
#
# `test` runs the suite twice: a normal build (build/) and an AddressSanitizer+UndefinedBehavior-
# Sanitizer build (build-asan/). Set HIVEWATCH_SKIP_ASAN=1 to skip the second locally. A third
# step builds the libFuzzer targets with clang (build-fuzz/) and runs each for a bounded time
# (tests/fuzz/README.md); HIVEWATCH_SKIP_FUZZ=1 skips it.
# Installing needs root: as a normal user the script uses sudo, and only when something is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# ccache: share objects between checkouts and build trees (paths are made relative to the root).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}

packages=(
    build-essential cmake ninja-build ccache pkg-config git
    qt6-base-dev libqt6sql6-sqlite libqt6opengl6-dev qt6-tools-dev qt6-l10n-tools libgl1-mesa-dev
    qtkeychain-qt6-dev libpq-dev nlohmann-json3-dev libsimdjson-dev libsqlite3-dev sqlite3
    qt6-charts-dev libjemalloc-dev
    postgresql postgresql-contrib acl zlib1g-dev
    nodejs npm
    xvfb xauth
    docker-compose desktop-file-utils appstream dpkg-dev file
    nginx-light openssl
    clang libclang-rt-dev
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_missing() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    # Node may come from elsewhere than Debian (nvm, NodeSource): accept any node >= 18 with npm.
    if command -v node >/dev/null && command -v npm >/dev/null \
        && [[ $(node -p 'process.versions.node.split(".")[0]') -ge 18 ]]; then
        missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
    fi
    local want=(); for p in "${missing[@]}"; do [[ -n $p ]] && want+=("$p"); done
    ((${#want[@]})) || return 0
    say "Installing: ${want[*]}"
    local sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${want[@]}"
}

build() { # build DIR [cmake args…]
    local dir=$1; shift
    local werror=OFF; [[ ${CI:-} == true ]] && werror=ON
    if [[ ! -f $dir/build.ninja ]]; then
        say "Configuring $dir"
        cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHIVEWATCH_WERROR=$werror "$@"
    fi
    say "Building $dir"
    cmake --build "$dir" --parallel "$(nproc)"
}

run_tests() { # run_tests DIR
    say "Testing $1"
    ctest --test-dir "$1" --output-on-failure --parallel "$(nproc)" --timeout 600
}

fuzz_tests() { # the libFuzzer targets: a clang build of only them and the libraries they need
    local dir=build-fuzz werror=OFF; [[ ${CI:-} == true ]] && werror=ON
    if [[ ! -f $dir/build.ninja ]]; then
        say "Configuring $dir"
        CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DHIVEWATCH_WERROR=$werror -DHIVEWATCH_FUZZ=ON -DHIVEWATCH_BUILD_TESTS=OFF \
            -DHIVEWATCH_BUILD_BENCH=OFF
    fi
    say "Building $dir (fuzz targets only)"
    cmake --build "$dir" --parallel "$(nproc)" --target hivewatch_fuzzers
    say "Fuzzing (bounded)"
    ctest --test-dir "$dir" -L fuzz --output-on-failure --parallel "$(nproc)"
}

cmd=${1:-run}; [[ $# -gt 0 ]] && shift
case $cmd in
    deps) install_missing ;;
    build) install_missing; build build ;;
    run)
        install_missing; build build
        say "Starting Hivewatch"
        exec build/app/hivewatch/hivewatch "$@"
        ;;
    test)
        install_missing
        build build
        run_tests build
        if [[ ${HIVEWATCH_SKIP_ASAN:-0} != 1 ]]; then
            build build-asan -DHIVEWATCH_SANITIZE=ON -DHIVEWATCH_BUILD_BENCH=OFF
            run_tests build-asan
        fi
        if [[ ${HIVEWATCH_SKIP_FUZZ:-0} != 1 ]]; then
            fuzz_tests
        fi
        ;;
    *) echo "usage: $0 run|test|build|deps" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# tools/dev.sh: the one entry point for setting up, building, running and testing ttyhub
# on Debian 12 (bookworm).
#
#   tools/dev.sh demo     install what is missing, build (Release), run the built-in demo
#   tools/dev.sh test     install what is missing, build, run every test: the suite in a
#                         Release build, then again under AddressSanitizer+UBSan
#   tools/dev.sh setup    only install missing packages (idempotent; apt runs only if needed)
#   tools/dev.sh build    setup + Release build into build/release
#   tools/dev.sh bench [ARGS]  install ser2net and gnuplot too, build, and run ttyhub-bench
#                         side by side with ser2net (ARGS go to ttyhub-bench, e.g. --quick)
#
# Environment: JOBS (parallel build jobs, default: nproc), BUILD_ROOT (default: ./build).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_ROOT=${BUILD_ROOT:-$ROOT/build}
JOBS=${JOBS:-$(nproc)}

# Packages needed to build and run.
BUILD_PACKAGES=(g++ cmake make pkg-config liburing-dev libabsl-dev libyaml-cpp-dev
                libspdlog-dev libsystemd-dev libmicrohttpd-dev nlohmann-json3-dev
                libcurl4-openssl-dev libgtest-dev libgmock-dev googletest libbenchmark-dev)
# Packages the tests use as real peers and tools: curl (HTTP client),
# promtool (from prometheus) to validate the metrics, pyserial's rfc2217://
# client, netkit telnet, clang's libFuzzer for the telnet fuzzer, and ser2net,
# which the ttyhub-bench smoke test runs side by side with ttyhub.
TEST_PACKAGES=(python3 python3-serial procps curl prometheus telnet clang libclang-rt-14-dev
               ser2net)
# Packages for the full benchmark: ser2net to compare against, gnuplot for the plots.
BENCH_PACKAGES=(ser2net gnuplot-nox)
# Packages for trying the demo by hand.
DEMO_PACKAGES=(netcat-openbsd telnet)

# demo, build and bench share build/release with the test command, so each
# states every option it depends on: CMake caches options, and a tree once
# configured without tests must not make a later `test` run find none.
DEMO_OPTIONS="-DBUILD_TESTING=OFF -DTTYHUB_BENCH=OFF -DTTYHUB_WERROR=OFF"
TEST_OPTIONS="-DBUILD_TESTING=ON -DTTYHUB_BENCH=ON -DTTYHUB_WERROR=ON"

log() { printf '\033[1m[dev.sh]\033[0m %s\n' "$*" >&2; }

missing_packages() {
  local p
  for p in "$@"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
      printf '%s\n' "$p"
    fi
  done
}

setup() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  log "installing: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR BUILD_TYPE [extra cmake args...]
build() {
  local dir=$1 type=$2
  shift 2
  log "building $type in $dir"
  cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

run_ctest() {
  local dir=$1
  shift
  log "testing in $dir"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$JOBS" "$@"
}

# The telnet/RFC 2217 decoder fuzzer, built with clang, run for a bounded
# time from the seed corpus in tests/fuzz/corpus (copied: libFuzzer adds
# what it finds to its first corpus directory).
fuzz() {
  local seconds=${FUZZ_SECONDS:-60}
  log "fuzzing the telnet decoder for ${seconds}s"
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD_ROOT/fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTTYHUB_FUZZ=ON -DTTYHUB_BENCH=OFF -DTTYHUB_SANITIZE=address,undefined >/dev/null
  cmake --build "$BUILD_ROOT/fuzz" -j "$JOBS" --target telnet_fuzzer
  local corpus
  corpus=$(mktemp -d)
  cp "$ROOT"/tests/fuzz/corpus/telnet/* "$corpus"/
  "$BUILD_ROOT/fuzz/tests/telnet_fuzzer" -max_total_time="$seconds" -max_len=4096 \
    -print_final_stats=1 "$corpus" 2>&1 | tail -n 12
  rm -rf "$corpus"
}

cmd=${1:-}
case "$cmd" in
  setup)
    setup "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${DEMO_PACKAGES[@]}"
    ;;
  build)
    setup "${BUILD_PACKAGES[@]}"
    build "$BUILD_ROOT/release" Release $TEST_OPTIONS
    ;;
  demo)
    setup "${BUILD_PACKAGES[@]}" "${DEMO_PACKAGES[@]}"
    build "$BUILD_ROOT/release" Release $DEMO_OPTIONS
    cat >&2 <<'MSG'

  ttyhub demo: simulated devices, no hardware needed. From another terminal:
    telnet localhost 7001 simulated Linux console (boot log, then login: any user/password)
    nc localhost 7011     the same console, read-only
    nc localhost 7002     echo device
    nc localhost 7003     reaches whatever program opens /tmp/ttyhub-demo/pty0
                          (e.g. minicom -D /tmp/ttyhub-demo/pty0)
    build/release/tools/ttyhubctl ports     statistics (also: watch, show console)
    curl localhost:8420/metrics             Prometheus metrics
  Ctrl-C stops ttyhub.

MSG
    exec "$BUILD_ROOT/release/tools/ttyhub" -c "$ROOT/config/examples/demo.yaml"
    ;;
  test)
    setup "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build "$BUILD_ROOT/release" Release $TEST_OPTIONS
    run_ctest "$BUILD_ROOT/release"
    build "$BUILD_ROOT/asan" RelWithDebInfo -DTTYHUB_WERROR=ON -DTTYHUB_SANITIZE=address,undefined \
      -DTTYHUB_BENCH=OFF
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      run_ctest "$BUILD_ROOT/asan"
    fuzz
    log "all tests passed"
    ;;
  bench)
    shift
    setup "${BUILD_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    build "$BUILD_ROOT/release" Release $DEMO_OPTIONS
    exec "$BUILD_ROOT/release/tools/bench/ttyhub-bench" "$@"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

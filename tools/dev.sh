#!/usr/bin/env bash
# tools/dev.sh: the one entry point for setting up, building, running and testing ttyhub
# on Debian 12 (bookworm).
#
#   tools/dev.sh demo     install what is missing, build ttyhub and ttyhubctl (Release,
#                         no tests) in build/demo, run the built-in demo
#   tools/dev.sh test     install what is missing, build, run every test: the suite in a
#                         Release build (build/release), then again under
#                         AddressSanitizer+UBSan (build/asan), then the fuzzer (build/fuzz)
#   tools/dev.sh setup    only install missing packages (idempotent; apt runs only if needed)
#   tools/dev.sh build    setup + the same Release build as `test`, into build/release
#   tools/dev.sh bench [ARGS]  install ser2net and gnuplot too, build ttyhub and ttyhub-bench
#                         in build/release, and run ttyhub-bench side by side with ser2net
#                         (ARGS go to ttyhub-bench, e.g. --quick)
#
# Build directories: each one is configured with one fixed set of CMake
# options, whichever command uses it, so no command undoes another's build:
# `demo` then `test` then `demo` recompiles nothing the second time round.
#   build/release  test, build, bench (tests, micro-benchmarks, -Werror)
#   build/demo     demo (no tests)
#   build/asan     test (sanitizers)      build/fuzz  test (clang, libFuzzer)
#
# Environment: JOBS (parallel build jobs, default: nproc), BUILD_ROOT (default: ./build),
# DEV_SH_DRY_RUN=1 (print the apt, cmake, ctest and run commands instead of running them;
# tests/tools/dev_sh_build_dirs_test.py uses it).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_ROOT=${BUILD_ROOT:-$ROOT/build}
JOBS=${JOBS:-$(nproc)}
DRY_RUN=${DEV_SH_DRY_RUN:-0}

# Packages needed to build and run.
# libfuse3-dev: cuse: listeners (CMake builds without them if it is missing).
BUILD_PACKAGES=(g++ cmake make pkg-config liburing-dev libabsl-dev libyaml-cpp-dev
                libspdlog-dev libsystemd-dev libmicrohttpd-dev nlohmann-json3-dev
                libcurl4-openssl-dev libre2-dev libgtest-dev libgmock-dev googletest
                libbenchmark-dev libfuse3-dev)
# Packages the tests use as real peers and tools: curl (HTTP client),
# promtool (from prometheus) to validate the metrics, pyserial's rfc2217://
# client, netkit telnet, clang's libFuzzer for the telnet fuzzer, ser2net,
# which the ttyhub-bench smoke test runs side by side with ttyhub, and tmux,
# the real terminal in which the `ttyhubctl connect` tests type.
TEST_PACKAGES=(python3 python3-serial procps curl prometheus telnet clang libclang-rt-14-dev
               ser2net tmux)
# Packages for the full benchmark: ser2net to compare against, gnuplot for the plots.
BENCH_PACKAGES=(ser2net gnuplot-nox)
# Packages for trying the demo by hand.
DEMO_PACKAGES=(netcat-openbsd telnet)

# Every build directory has one set of options (see the header): CMake
# caches options, so two commands that configured one directory differently
# would each recompile everything the other built. Each command still states
# every option it depends on, so a tree configured by hand is put right.
RELEASE_DIR=$BUILD_ROOT/release
RELEASE_OPTIONS="-DBUILD_TESTING=ON -DTTYHUB_BENCH=ON -DTTYHUB_WERROR=ON"
DEMO_DIR=$BUILD_ROOT/demo
DEMO_OPTIONS="-DBUILD_TESTING=OFF -DTTYHUB_BENCH=OFF -DTTYHUB_WERROR=OFF"

log() { printf '\033[1m[dev.sh]\033[0m %s\n' "$*" >&2; }

# run CMD...: runs CMD, or with DEV_SH_DRY_RUN=1 prints it to stderr (shell-quoted,
# one line; stderr because some callers send stdout to /dev/null).
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '%q ' "$@" >&2
    printf '\n' >&2
  else
    "$@"
  fi
}

# run_exec CMD...: replaces this shell with CMD, or with DEV_SH_DRY_RUN=1 prints it.
run_exec() {
  run "$@"
  if [ "$DRY_RUN" = 1 ]; then exit 0; fi
  exec "$@"
}

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
  run $sudo apt-get update -qq
  run $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR BUILD_TYPE OPTIONS [TARGET...]: configure DIR with OPTIONS (one
# word-split string) and build the TARGETs, or everything when none is given.
build() {
  local dir=$1 type=$2 options=$3
  shift 3
  local targets=()
  if [ "$#" -gt 0 ]; then targets=(--target "$@"); fi
  log "building $type in $dir"
  # shellcheck disable=SC2086 # OPTIONS is a list of -D flags without spaces.
  run cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" $options >/dev/null
  run cmake --build "$dir" -j "$JOBS" "${targets[@]}"
}

run_ctest() {
  local dir=$1
  shift
  log "testing in $dir"
  run ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$JOBS" "$@"
}

# The telnet/RFC 2217 fuzzers, built with clang, each run for a bounded
# time from its seed corpus in tests/fuzz/corpus (copied: libFuzzer adds
# what it finds to its first corpus directory): the server side (what
# clients send) and the client side (what a telnet:// or rfc2217:// device's
# server sends).
fuzz() {
  local seconds=${FUZZ_SECONDS:-60}
  run env CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD_ROOT/fuzz" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTTYHUB_FUZZ=ON -DTTYHUB_BENCH=OFF \
    -DTTYHUB_SANITIZE=address,undefined >/dev/null
  run cmake --build "$BUILD_ROOT/fuzz" -j "$JOBS" --target telnet_fuzzer telnet_client_fuzzer
  if [ "$DRY_RUN" = 1 ]; then return 0; fi
  local target corpus
  for target in telnet telnet_client; do
    log "fuzzing ${target} for ${seconds}s"
    corpus=$(mktemp -d)
    cp "$ROOT"/tests/fuzz/corpus/"$target"/* "$corpus"/
    "$BUILD_ROOT/fuzz/tests/${target}_fuzzer" -max_total_time="$seconds" -max_len=4096 \
      -print_final_stats=1 "$corpus" 2>&1 | tail -n 12
    rm -rf "$corpus"
  done
}

cmd=${1:-}
case "$cmd" in
  setup)
    setup "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${DEMO_PACKAGES[@]}"
    ;;
  build)
    setup "${BUILD_PACKAGES[@]}"
    build "$RELEASE_DIR" Release "$RELEASE_OPTIONS"
    ;;
  demo)
    setup "${BUILD_PACKAGES[@]}" "${DEMO_PACKAGES[@]}"
    build "$DEMO_DIR" Release "$DEMO_OPTIONS" ttyhub ttyhubctl
    cat >&2 <<MSG

  ttyhub demo: simulated devices, no hardware needed. From another terminal:
    telnet localhost 7001 simulated Linux console (boot log, then login: any user/password)
    nc localhost 7011     the same console, read-only
    nc localhost 7002     echo device
    nc localhost 7003     reaches whatever program opens /tmp/ttyhub-demo/pty0
                          (e.g. minicom -D /tmp/ttyhub-demo/pty0)
    ${DEMO_DIR#"$ROOT"/}/tools/ttyhubctl ports     statistics (also: watch, show console)
    curl localhost:8420/metrics             Prometheus metrics
  Ctrl-C stops ttyhub.

MSG
    run_exec "$DEMO_DIR/tools/ttyhub" -c "$ROOT/config/examples/demo.yaml"
    ;;
  test)
    setup "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build "$RELEASE_DIR" Release "$RELEASE_OPTIONS"
    run_ctest "$RELEASE_DIR"
    build "$BUILD_ROOT/asan" RelWithDebInfo \
      "-DTTYHUB_WERROR=ON -DTTYHUB_SANITIZE=address,undefined -DTTYHUB_BENCH=OFF"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      run_ctest "$BUILD_ROOT/asan"
    fuzz
    log "all tests passed"
    ;;
  bench)
    shift
    setup "${BUILD_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    # The test command's directory and options, so a bench never undoes a test
    # build; only the two programs the benchmark runs are built.
    build "$RELEASE_DIR" Release "$RELEASE_OPTIONS" ttyhub ttyhub-bench
    run_exec "$RELEASE_DIR/tools/bench/ttyhub-bench" "$@"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

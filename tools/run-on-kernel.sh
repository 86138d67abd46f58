#!/usr/bin/env bash
# run-on-kernel.sh: run ttyhub's test suite under a given Debian kernel in qemu.
#
# ttyhub promises that its io_uring engine runs on Debian 12's stock kernel
# (6.1). The build and CI machines run whatever kernel they run, so this
# script boots the real Debian kernel package under qemu and runs an existing
# build's tests inside it:
#
#   1. Downloads the kernel package with `apt-get download` (default: the one
#      bookworm's linux-image-amd64 meta-package depends on, i.e. the current
#      stock 6.1) and unpacks vmlinuz plus the handful of modules needed for
#      virtio-9p file sharing.
#   2. Builds a tiny initramfs: busybox-static, those modules, a minimal /etc
#      and a generated /init that runs the test plan.
#   3. Boots qemu. The guest mounts over virtio-9p, at the same absolute paths
#      as on the host:
#        - the host's /usr, read-only (the same Debian userland: libc, libstdc++,
#          liburing, abseil..., and the peer tools the tests use: python3 +
#          pyserial, curl, promtool, telnet). Debian 12 is usr-merged, so
#          /bin, /lib, /lib64 and /sbin are symlinks into /usr.
#        - the project's source tree and build tree, read-write (the tests have
#          TTYHUB_BINARY / TTYHUB_SOURCE_DIR compiled in as absolute paths, and
#          some write under the build tree, as they would under ctest).
#        - the output directory, read-write: logs, JUnit XML, results.
#   4. /init mounts proc/sys/devtmpfs/devpts/tmpfs, brings up loopback, raises
#      the open-files hard limit like systemd does on Debian, then runs every
#      test ctest knows about (from `ctest --show-only=json-v1`) one at a time
#      with a timeout, then `ttyhub --demo` for a few seconds to record which
#      io_uring setup mode the kernel accepted, then powers off.
#   5. Prints a summary (per test binary, plus the failing gtest cases with
#      their assertion text taken from the JUnit XML).
#
# Usage:
#   ./run-on-kernel.sh [-k KERNEL_PKG_OR_DEB] [-b BUILD_DIR] [-o OUT_DIR]
#                      [-R INCLUDE_REGEX] [-E EXCLUDE_REGEX]
#
#   -k  Debian kernel package name (e.g. linux-image-6.1.0-57-amd64,
#       linux-image-6.12.48+deb12-amd64) or a path to a kernel .deb.
#       Default: what bookworm's linux-image-amd64 depends on.
#   -b  A configured and built CMake build directory (default: ./build of the
#       source tree this script is run from, or build/release).
#   -o  Output directory (default: build/kernel-runs/<kernel>-<timestamp>).
#   -R/-E  Select tests by name, like ctest -R/-E (grep -E regexes).
#   -x  A shell fragment appended to the guest's test plan, for extra or
#       diagnostic runs. It runs under busybox sh after the ctest tests, can
#       call `run_test NAME TIMEOUT WORKDIR ARGV...` and use $OUT (the shared
#       output dir). -R '^$' -x FILE runs only the fragment.
#
# Environment knobs:
#   ACCEL=tcg|kvm      (default tcg: software emulation. On this workplace's
#                      machines /dev/kvm exists but nested KVM hangs before the
#                      kernel prints anything, so tcg is the safe default.)
#   VM_CPUS=2          vCPUs in the guest (ttyhub runs one io_uring per worker
#                      thread, so keep >= 2 to exercise real SMP behaviour).
#   TCG_THREAD=single  single: one host thread round-robins all vCPUs, so the
#                      VM uses ONE host core however many vCPUs it has (the
#                      machines here have 2 cores shared with other work).
#                      multi: one host thread per vCPU (faster, hogs cores).
#   VM_MEM=2G          guest memory.
#   TEST_TIMEOUT=      per-test timeout in seconds inside the VM (default:
#                      ctest's TIMEOUT x TIMEOUT_SCALE, capped at 1800).
#   TIMEOUT_SCALE=1    (under TCG the suite ran 2-6x slower than natively;
#                      ctest's own 300/600 s limits leave ample room)
#   VM_TIMEOUT=        hard limit for the whole VM run in seconds (default:
#                      the sum of the test timeouts + 900, at most 7200).
#   DEMO_SECONDS=20    how long to let `ttyhub --demo` run (0 = skip).
#   CACHE_DIR=build/kernel-cache   downloaded/unpacked kernels and busybox.
#
# Exit status: 0 if every planned test passed, 1 otherwise (a failure, a
# timeout, or a VM that died before reporting every test).
#
# Needs root (apt-get) or the packages qemu-system-x86, busybox-static, cpio
# already installed. Talks to nothing but the apt mirror.
#
# Caveat: the guest runs the HOST's /usr. Run this on a Debian 12 host (as the
# project's machines are) to test the real bookworm userland + kernel pair;
# on another distribution only the kernel is Debian's.
#
# Outputs in OUT_DIR: console.log (serial console, KTEST lines), results.txt,
# logs/NAME.log (each test's output), xml/NAME.xml (gtest JUnit), demo.log,
# sysinfo.txt, plan.sh (what the guest ran), timing.txt.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE_DIR=${CACHE_DIR:-$REPO_ROOT/build/kernel-cache}
ACCEL=${ACCEL:-tcg}
VM_CPUS=${VM_CPUS:-2}
VM_MEM=${VM_MEM:-2G}
TCG_THREAD=${TCG_THREAD:-single}
TIMEOUT_SCALE=${TIMEOUT_SCALE:-1}
TEST_TIMEOUT=${TEST_TIMEOUT:-}
DEMO_SECONDS=${DEMO_SECONDS:-20}
PY=/usr/bin/python3   # Debian's python for the host-side helpers (not a pyenv shim)

KERNEL=""
BUILD_DIR=""
OUT_DIR=""
INCLUDE_RE=""
EXCLUDE_RE=""
EXTRA=""
while getopts "k:b:o:R:E:x:h" opt; do
  case $opt in
    k) KERNEL=$OPTARG ;;
    b) BUILD_DIR=$OPTARG ;;
    o) OUT_DIR=$OPTARG ;;
    R) INCLUDE_RE=$OPTARG ;;
    E) EXCLUDE_RE=$OPTARG ;;
    x) EXTRA=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
    h) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) exit 2 ;;
  esac
done

log() { printf '[run-on-kernel] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------
# 0. Host tools.
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v strings >/dev/null || need_pkgs+=(binutils)
command -v xz >/dev/null || need_pkgs+=(xz-utils)     # newer kernels ship .ko.xz
command -v zstd >/dev/null || need_pkgs+=(zstd)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# ---------------------------------------------------------------------------
# 1. Build tree to test.
if [ -z "$BUILD_DIR" ]; then
  for d in "$(pwd)/build" "$REPO_ROOT/build/release"; do
    if [ -f "$d/CMakeCache.txt" ]; then BUILD_DIR=$d; break; fi
  done
fi
[ -n "$BUILD_DIR" ] && [ -f "$BUILD_DIR/CMakeCache.txt" ] || die "no CMake build dir (use -b)"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
SRC_DIR=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD_DIR/CMakeCache.txt")
[ -d "$SRC_DIR" ] || die "source dir $SRC_DIR (from CMakeCache) missing"

# ---------------------------------------------------------------------------
# 2. Kernel package: download once into the cache and unpack.
mkdir -p "$CACHE_DIR"
if [ -z "$KERNEL" ]; then
  KERNEL=$(apt-cache depends linux-image-amd64 2>/dev/null |
           awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$KERNEL" ] || { apt-get update -qq; KERNEL=$(apt-cache depends linux-image-amd64 |
           awk '/Depends: linux-image-[0-9]/ {print $2; exit}'); }
  [ -n "$KERNEL" ] || die "cannot resolve linux-image-amd64's kernel package"
fi
if [ -f "$KERNEL" ]; then
  KDEB=$(cd "$(dirname "$KERNEL")" && pwd)/$(basename "$KERNEL")
  KNAME=$(dpkg-deb -f "$KDEB" Package)
else
  KNAME=$KERNEL
  KDEB=$(ls "$CACHE_DIR"/debs/"${KNAME}"_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$KDEB" ]; then
    mkdir -p "$CACHE_DIR/debs"
    log "downloading $KNAME"
    (cd "$CACHE_DIR/debs" && apt-get download "$KNAME" >/dev/null 2>&1) ||
      { apt-get update -qq; (cd "$CACHE_DIR/debs" && apt-get download "$KNAME"); }
    KDEB=$(ls "$CACHE_DIR"/debs/"${KNAME}"_*.deb | head -1)
  fi
fi
KROOT=$CACHE_DIR/unpacked/$KNAME
if [ ! -d "$KROOT/boot" ]; then
  log "unpacking $(basename "$KDEB")"
  rm -rf "$KROOT"; mkdir -p "$KROOT"
  dpkg-deb -x "$KDEB" "$KROOT"
fi
VMLINUZ=$(ls "$KROOT"/boot/vmlinuz-* | head -1)
KVER=${VMLINUZ##*/vmlinuz-}
MODDIR=$(ls -d "$KROOT"/lib/modules/"$KVER" "$KROOT"/usr/lib/modules/"$KVER" 2>/dev/null | head -1 || true)
[ -d "$MODDIR" ] || die "no modules dir for $KVER in $KNAME"
log "kernel $KNAME ($KVER), $(dpkg-deb -f "$KDEB" Version)"

# busybox-static: the guest's init and its tools until /usr is mounted.
BUSYBOX=$CACHE_DIR/busybox/bin/busybox
if [ ! -x "$BUSYBOX" ]; then
  mkdir -p "$CACHE_DIR/busybox"
  (cd "$CACHE_DIR" && apt-get download busybox-static >/dev/null 2>&1) ||
    { apt-get update -qq; (cd "$CACHE_DIR" && apt-get download busybox-static); }
  dpkg-deb -x "$(ls "$CACHE_DIR"/busybox-static_*.deb | head -1)" "$CACHE_DIR/busybox"
fi

# ---------------------------------------------------------------------------
# 3. Output dir and test plan.
STAMP=$(date +%Y%m%d-%H%M%S)
OUT_DIR=${OUT_DIR:-$REPO_ROOT/build/kernel-runs/$KVER-$STAMP}
mkdir -p "$OUT_DIR"/logs "$OUT_DIR"/xml
OUT_DIR=$(cd "$OUT_DIR" && pwd)
rm -f "$OUT_DIR"/results.txt "$OUT_DIR"/console.log

# The plan is a shell fragment that /init sources: one `run_test NAME TIMEOUT
# WORKDIR ARGV...` per ctest test. Commands whose program lives outside /usr
# and the shared trees (e.g. a pyenv python3 shim) are mapped to /usr/bin/NAME.
ctest --test-dir "$BUILD_DIR" --show-only=json-v1 > "$OUT_DIR/ctest.json"
INCLUDE_RE=$INCLUDE_RE EXCLUDE_RE=$EXCLUDE_RE TEST_TIMEOUT=$TEST_TIMEOUT \
TIMEOUT_SCALE=$TIMEOUT_SCALE SRC_DIR=$SRC_DIR BUILD_DIR=$BUILD_DIR \
"$PY" - "$OUT_DIR/ctest.json" > "$OUT_DIR/plan.sh" <<'EOF'
import json, os, re, shlex, sys
tests = json.load(open(sys.argv[1]))["tests"]
inc, exc = os.environ["INCLUDE_RE"], os.environ["EXCLUDE_RE"]
roots = ("/usr/", os.environ["SRC_DIR"] + "/", os.environ["BUILD_DIR"] + "/")
total = 0
for t in tests:
    name = t["name"]
    if inc and not re.search(inc, name): continue
    if exc and re.search(exc, name): continue
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    argv = list(t["command"])
    if not argv[0].startswith(roots):
        argv[0] = "/usr/bin/" + os.path.basename(argv[0])
    if os.environ["TEST_TIMEOUT"]:
        tmo = int(os.environ["TEST_TIMEOUT"])
    else:
        tmo = min(int(float(props.get("TIMEOUT", 1500)) * float(os.environ["TIMEOUT_SCALE"])), 1800)
    total += tmo
    wd = props.get("WORKING_DIRECTORY", os.environ["BUILD_DIR"])
    print("run_test", shlex.quote(name), tmo, shlex.quote(wd), " ".join(shlex.quote(a) for a in argv))
print("# total_timeout", total)
EOF
PLAN_TIMEOUT=$(sed -n 's/^# total_timeout //p' "$OUT_DIR/plan.sh")
if [ -n "$EXTRA" ]; then
  [ -f "$EXTRA" ] || die "no such file: $EXTRA"
  { echo "# --- extra fragment: $EXTRA"; cat "$EXTRA"; } >> "$OUT_DIR/plan.sh"
  # Budget for the fragment: the timeouts of its run_test lines, or 1800 s.
  extra_t=$(awk '$1 == "run_test" && $3 ~ /^[0-9]+$/ {t += $3} END {print t + 0}' "$EXTRA")
  PLAN_TIMEOUT=$(( PLAN_TIMEOUT + (extra_t > 0 ? extra_t : 1800) ))
fi
NTESTS=$(grep -c '^run_test' "$OUT_DIR/plan.sh" || true)
[ "$NTESTS" -gt 0 ] || [ -n "$EXTRA" ] || die "no tests selected"
log "$NTESTS tests planned (sum of per-test timeouts ${PLAN_TIMEOUT}s)"

# The ttyhub daemon, for the --demo run.
TTYHUB_BIN=""
[ -x "$BUILD_DIR/tools/ttyhub" ] && TTYHUB_BIN=$BUILD_DIR/tools/ttyhub

# ---------------------------------------------------------------------------
# 4. initramfs.
WORK=$(mktemp -d /tmp/run-on-kernel.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
R=$WORK/root
mkdir -p "$R"/{kbin,kmod,kcfg,proc,sys,dev,tmp,run,root,etc,usr,mnt}
ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
cp "$BUSYBOX" "$R/kbin/busybox"

# Modules for virtio-9p, in dependency order (from each module's depends=;
# no depmod/modinfo needed). Built-in ones are skipped.
declare -A MOD_DONE=()
MOD_ORDER=()
find_mod() { find "$MODDIR/kernel" -name "$1.ko*" -o -name "${1//_/-}.ko*" | head -1; }
add_mod() {
  local m=$1 f deps d
  [ -n "${MOD_DONE[$m]:-}" ] && return 0
  MOD_DONE[$m]=1
  if grep -qE "/(${m}|${m//_/-})\.ko$" "$MODDIR/modules.builtin" 2>/dev/null; then return 0; fi
  f=$(find_mod "$m")
  [ -n "$f" ] || die "module $m not found in $KNAME"
  case $f in
    *.ko.xz)  xz -dc "$f" > "$R/kmod/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" > "$R/kmod/$m.ko" ;;
    *.ko.gz)  gzip -dc "$f" > "$R/kmod/$m.ko" ;;
    *)        cp "$f" "$R/kmod/$m.ko" ;;
  esac
  deps=$(strings "$R/kmod/$m.ko" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
  for d in $deps; do add_mod "$d"; done
  MOD_ORDER+=("$m")
}
for m in virtio_pci 9pnet_virtio 9p; do add_mod "$m"; done
# Optional: dummy (a non-loopback interface, see /init).
if grep -q '/dummy\.ko$' "$MODDIR/modules.builtin" 2>/dev/null || [ -n "$(find_mod dummy)" ]; then
  add_mod dummy
fi
# Optional: cuse (and fuse, which it depends on), for the cuse: listener's
# tests (cuse_listener_test); Debian builds CUSE as a module. Loading it
# makes /dev/cuse appear in the guest's devtmpfs.
if grep -q '/cuse\.ko$' "$MODDIR/modules.builtin" 2>/dev/null || [ -n "$(find_mod cuse)" ]; then
  add_mod cuse
fi
printf '%s\n' "${MOD_ORDER[@]}" > "$R/kcfg/modules"

# 9p shares: tag, guest mount point, mount options.
SHARES=(usr:/usr:ro,cache=loose src:"$SRC_DIR":rw out:"$OUT_DIR":rw)
QEMU_FS=(
  -fsdev local,id=usr,path=/usr,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=usr,mount_tag=usr
  -fsdev local,id=src,path="$SRC_DIR",security_model=none,multidevs=remap
  -device virtio-9p-pci,fsdev=src,mount_tag=src
  -fsdev local,id=out,path="$OUT_DIR",security_model=none
  -device virtio-9p-pci,fsdev=out,mount_tag=out
)
case "$BUILD_DIR/" in
  "$SRC_DIR"/*) ;;
  *) SHARES+=(bld:"$BUILD_DIR":rw)
     QEMU_FS+=(-fsdev local,id=bld,path="$BUILD_DIR",security_model=none,multidevs=remap
               -device virtio-9p-pci,fsdev=bld,mount_tag=bld) ;;
esac
printf '%s\n' "${SHARES[@]}" | tr ':' ' ' > "$R/kcfg/shares"

# Minimal /etc: identity, name resolution for localhost, the loader cache and
# the alternatives symlinks (/usr/bin/telnet -> /etc/alternatives/telnet).
for f in passwd group nsswitch.conf ld.so.cache ld.so.conf services protocols; do
  [ -e /etc/$f ] && cp -a /etc/$f "$R/etc/"
done
[ -d /etc/ld.so.conf.d ] && cp -a /etc/ld.so.conf.d "$R/etc/"
[ -d /etc/alternatives ] && cp -a /etc/alternatives "$R/etc/"
printf '127.0.0.1 localhost ktest\n::1 localhost ip6-localhost ip6-loopback\n' > "$R/etc/hosts"
echo ktest > "$R/etc/hostname"

cp "$OUT_DIR/plan.sh" "$R/kcfg/plan.sh"
cat > "$R/kcfg/env" <<EOF
OUT=$(printf %q "$OUT_DIR")
TTYHUB_BIN=$(printf %q "$TTYHUB_BIN")
DEMO_SECONDS=$DEMO_SECONDS
EOF

cat > "$R/init" <<'INIT'
#!/kbin/busybox sh
# Guest init, generated by run-on-kernel.sh. Runs the plan, then powers off.
export PATH=/kbin
/kbin/busybox --install -s /kbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
. /kcfg/env
echo "KTEST BOOT $(uname -r) :: $(cat /proc/version)"

for m in $(cat /kcfg/modules); do
  insmod /kmod/$m.ko || echo "KTEST WARN insmod $m failed"
done
while read tag mp opts; do
  mkdir -p "$mp"
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,$opts "$tag" "$mp" ||
    echo "KTEST WARN mount 9p $tag at $mp failed"
done < /kcfg/shares
hostname ktest
ip link set lo up
# The VM has no NIC, only loopback. glibc's getaddrinfo(AI_ADDRCONFIG) then
# finds no configured address family and fails even for "127.0.0.1" (ser2net,
# which ttyhub-bench compares against, does exactly that). A dummy interface
# with documentation-range addresses (RFC 5737 / RFC 3849), which route nowhere
# and carry no traffic, makes the guest look like a normal networked host.
# (Loading the dummy module already creates dummy0: numdummies defaults to 1.)
ip link show dummy0 >/dev/null 2>&1 || ip link add dummy0 type dummy 2>/dev/null
if ip link show dummy0 >/dev/null 2>&1; then
  ip addr add 192.0.2.1/32 dev dummy0
  ip -6 addr add 2001:db8::1/128 dev dummy0 nodad 2>/dev/null ||
    ip -6 addr add 2001:db8::1/128 dev dummy0
  ip link set dummy0 up
fi
# Debian's systemd gives services and logins NOFILE soft 1024 / hard 524288;
# the kernel's defaults for init are 1024/4096.
ulimit -H -n 524288
ulimit -S -n 1024

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/kbin
export HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 TMPDIR=/tmp TERM=dumb

{
  echo "uname -a: $(uname -a)"
  echo "cpus: $(nproc)  mem: $(grep MemTotal /proc/meminfo)"
  echo "io_uring_disabled sysctl: $(cat /proc/sys/kernel/io_uring_disabled 2>&1)"
  echo "nofile: soft $(ulimit -S -n) hard $(ulimit -H -n)  memlock: $(ulimit -l)"
  echo "mounts:"; cat /proc/mounts
} > "$OUT/sysinfo.txt" 2>&1
sed 's/^/KTEST INFO /' "$OUT/sysinfo.txt" | head -5

TIMEOUT=/usr/bin/timeout
[ -x $TIMEOUT ] || TIMEOUT=/kbin/timeout
run_test() {
  name=$1; tmo=$2; wd=$3; shift 3
  echo "KTEST START $name (timeout ${tmo}s)"
  start=$(date +%s)
  ( cd "$wd" && GTEST_OUTPUT="xml:$OUT/xml/$name.xml" GTEST_COLOR=no \
      $TIMEOUT -k 30 "$tmo" "$@" ) > "$OUT/logs/$name.log" 2>&1 < /dev/null
  rc=$?
  secs=$(( $(date +%s) - start ))
  case $rc in
    0) st=PASS ;;
    124|137) st=TIMEOUT ;;
    *) st=FAIL ;;
  esac
  skipped=$(grep -c '^\[  SKIPPED \]' "$OUT/logs/$name.log" 2>/dev/null)
  line="$name $st rc=$rc ${secs}s skipped=${skipped:-0}"
  echo "$line" >> "$OUT/results.txt"
  echo "KTEST RESULT $line"
  grep -E '^\[  FAILED  \]|Failure$' "$OUT/logs/$name.log" | head -20 | sed 's/^/KTEST   /'
  sync
}

T0=$(date +%s)
. /kcfg/plan.sh
echo "KTEST TESTS DONE in $(( $(date +%s) - T0 ))s"

# `ttyhub --demo`: its startup log says which io_uring setup the kernel took.
if [ -n "$TTYHUB_BIN" ] && [ "$DEMO_SECONDS" -gt 0 ]; then
  ( cd /tmp && $TIMEOUT -s INT -k 10 "$DEMO_SECONDS" "$TTYHUB_BIN" --demo ) \
      > "$OUT/demo.log" 2>&1 < /dev/null
  echo "KTEST DEMO rc=$? (124: stopped by SIGINT after ${DEMO_SECONDS}s, as intended)"
  grep -E 'io_uring' "$OUT/demo.log" | sed 's/^/KTEST DEMO /'
fi
echo "KTEST ALL DONE"
sync
poweroff -f
INIT
chmod +x "$R/init"

(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initrd.gz"

# ---------------------------------------------------------------------------
# 5. Boot.
case $ACCEL in
  kvm) ACCEL_ARGS=(-accel kvm -cpu host) ;;
  tcg) ACCEL_ARGS=(-accel tcg,thread="$TCG_THREAD" -cpu max) ;;
  *) die "ACCEL must be tcg or kvm" ;;
esac
VM_TIMEOUT=${VM_TIMEOUT:-$(( PLAN_TIMEOUT + DEMO_SECONDS + 900 > 7200 ? 7200 : PLAN_TIMEOUT + DEMO_SECONDS + 900 ))}
log "booting ($ACCEL, $VM_CPUS vCPUs, $VM_MEM); console: $OUT_DIR/console.log; VM timeout ${VM_TIMEOUT}s"
T_START=$(date +%s)
set +e
timeout "$VM_TIMEOUT" qemu-system-x86_64 \
  "${ACCEL_ARGS[@]}" -smp "$VM_CPUS" -m "$VM_MEM" \
  -kernel "$VMLINUZ" -initrd "$WORK/initrd.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4" \
  "${QEMU_FS[@]}" \
  -nic none -display none -monitor none -serial file:"$OUT_DIR/console.log" -no-reboot
QRC=$?
set -e
T_END=$(date +%s)
echo "qemu exit $QRC after $((T_END - T_START))s" > "$OUT_DIR/timing.txt"
log "qemu exited $QRC after $((T_END - T_START))s"

# ---------------------------------------------------------------------------
# 6. Summary.
"$PY" - "$OUT_DIR" "$KNAME" <<'EOF'
import glob, os, re, sys
import xml.etree.ElementTree as ET
out, kname = sys.argv[1], sys.argv[2]
console = open(os.path.join(out, "console.log"), errors="replace").read()
m = re.search(r"KTEST BOOT (\S+)", console)
print(f"kernel package: {kname}; uname -r in VM: {m.group(1) if m else '(no boot line)'}")
for l in console.splitlines():
    if l.startswith("KTEST DEMO") or l.startswith("KTEST TESTS DONE"):
        print(l)
res = os.path.join(out, "results.txt")
rows = open(res).read().split("\n") if os.path.exists(res) else []
rows = [r for r in rows if r.strip()]
def cases(name):
    """gtest case counts from the JUnit XML: (run, failed, skipped) or None."""
    try:
        root = ET.parse(os.path.join(out, "xml", name + ".xml")).getroot()
    except (OSError, ET.ParseError):
        return None
    run = failed = skipped = 0
    for tc in root.iter("testcase"):
        if tc.get("result") == "skipped" or tc.find("skipped") is not None:
            skipped += 1
        elif tc.get("status", "run") == "run":
            run += 1
            failed += tc.find("failure") is not None
    return run, failed, skipped
print(f"\n{'test':32} {'result':8} {'rc':5} {'time':>6}  gtest cases (run/failed/skipped)")
for r in rows:
    name, st, rc, secs, sk = r.split()
    c = cases(name)
    cs = f"{c[0]}/{c[1]}/{c[2]}" if c else "-"
    print(f"{name:32} {st:8} {rc[3:]:5} {secs:>6}  {cs}")
planned = sum(1 for l in open(os.path.join(out, "plan.sh")) if l.startswith("run_test "))
if len(rows) < planned:
    print(f"!! only {len(rows)} of {planned} planned tests reported (VM died or timed out?)")
npass = sum(1 for r in rows if r.split()[1] == "PASS")
print(f"\n{npass} passed, {len(rows) - npass} failed")
for x in sorted(glob.glob(os.path.join(out, "xml", "*.xml"))):
    try:
        root = ET.parse(x).getroot()
    except ET.ParseError:
        continue
    for tc in root.iter("testcase"):
        for f in tc.findall("failure"):
            print(f"\nFAILED {os.path.basename(x)[:-4]}: {tc.get('classname')}.{tc.get('name')}")
            print("  " + (f.get("message") or "").replace("\n", "\n  ")[:2000])
sys.exit(0 if rows and npass == len(rows) and len(rows) >= planned else 1)
EOF

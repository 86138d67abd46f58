#!/usr/bin/env python3
"""No tools/dev.sh command undoes another's build (registered by tests/tools/CMakeLists.txt).

CMake caches options per build directory, so two commands that configure one
directory with different options each recompile everything the other built
(issue 9, item 18: `dev.sh demo` after `dev.sh test` rebuilt the whole tree).
This test runs every build command of tools/dev.sh with DEV_SH_DRY_RUN=1,
which prints the cmake/ctest/apt commands instead of running them, and checks:
  - every build directory is configured with exactly one set of options and
    one build type, whichever command configures it;
  - `demo` and `test` use different directories;
  - each command runs a program from the directory it has just built;
  - README's `cmake --install DIR` names the directory `dev.sh build` builds.
cmake, ctest, apt-get and sudo are shadowed on PATH by stubs that fail, so a
dev.sh that ignored the dry run fails here at once instead of building.
Takes well under a second. Exits 0 on success, 1 with a reason on failure.
"""
import argparse
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile

COMMANDS = ["demo", "test", "build", "bench"]
STUBBED = ["cmake", "ctest", "apt-get", "sudo"]


def fail(why):
    print(f"FAIL: {why}", file=sys.stderr)
    sys.exit(1)


def dry_run(dev_sh, command, build_root, stub_dir):
    """Returns the commands dev.sh would run for `command`, each as an argv list."""
    env = dict(os.environ, DEV_SH_DRY_RUN="1", BUILD_ROOT=build_root, JOBS="2",
               PATH=stub_dir + os.pathsep + os.environ.get("PATH", ""))
    try:
        run = subprocess.run([dev_sh, command], env=env, capture_output=True, text=True,
                             timeout=30, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        fail(f"`dev.sh {command}` in dry-run mode did not finish within 30 s")
    if run.returncode != 0 or "STUB CALLED" in run.stderr:
        fail(f"`dev.sh {command}` with DEV_SH_DRY_RUN=1 exited {run.returncode} or ran a "
             f"real command:\n{run.stderr}")
    argvs = []
    for line in run.stderr.splitlines():
        if line.startswith("\x1b") or not line.strip() or line.startswith(" "):
            continue  # log lines and the demo's instructions
        argvs.append(shlex.split(line))
    return argvs


def configure_of(argv):
    """(build dir, build type, sorted other -D options) if argv configures a tree."""
    while argv and (argv[0] == "env" or "=" in argv[0]):
        argv = argv[1:]
    if not argv or argv[0] != "cmake" or "-B" not in argv:
        return None
    build_dir = argv[argv.index("-B") + 1]
    build_type = None
    options = []
    for arg in argv:
        if arg.startswith("-DCMAKE_BUILD_TYPE="):
            build_type = arg.split("=", 1)[1]
        elif arg.startswith("-D"):
            options.append(arg)
    return build_dir, build_type, tuple(sorted(options))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    args = parser.parse_args()
    dev_sh = os.path.join(args.source_dir, "tools", "dev.sh")

    with tempfile.TemporaryDirectory() as tmp:
        stub_dir = os.path.join(tmp, "stubs")
        os.mkdir(stub_dir)
        for name in STUBBED:
            path = os.path.join(stub_dir, name)
            with open(path, "w") as f:
                f.write(f"#!/bin/sh\necho 'STUB CALLED: {name}' \"$@\" >&2\nexit 1\n")
            os.chmod(path, stat.S_IRWXU)
        build_root = os.path.join(tmp, "build")

        configured = {}  # build dir -> {(type, options): [commands]}
        built_by = {}  # command -> build dirs it configured
        for command in COMMANDS:
            argvs = dry_run(dev_sh, command, build_root, stub_dir)
            dirs = []
            for argv in argvs:
                conf = configure_of(argv)
                if conf:
                    build_dir, build_type, options = conf
                    configured.setdefault(build_dir, {}).setdefault(
                        (build_type, options), []).append(command)
                    dirs.append(build_dir)
            if not dirs:
                fail(f"`dev.sh {command}` configures no build directory")
            built_by[command] = dirs
            # The program a command runs comes from a tree it has just configured.
            programs = [a[0] for a in argvs if a and a[0].startswith(build_root + "/")]
            for program in programs:
                if not any(program.startswith(d + "/") for d in dirs):
                    fail(f"`dev.sh {command}` runs {program}, outside the trees it built: {dirs}")
            if command in ("demo", "bench") and not programs:
                fail(f"`dev.sh {command}` runs no program from its build tree")

        for build_dir, variants in configured.items():
            if len(variants) != 1:
                described = "; ".join(f"{cmds}: {t} {' '.join(o)}"
                                      for (t, o), cmds in variants.items())
                fail(f"{build_dir} is configured with {len(variants)} different option sets, "
                     f"so these commands undo each other: {described}")
        if set(built_by["demo"]) & set(built_by["test"]):
            fail(f"demo and test share a build directory: {built_by['demo']} {built_by['test']}")

        # README's quick start installs from the tree `dev.sh build` builds.
        with open(os.path.join(args.source_dir, "README.md")) as f:
            readme = f.read()
        installs = re.findall(r"cmake --install (\S+)", readme)
        if not installs:
            fail("README.md has no `cmake --install DIR`")
        build_dirs = {"build/" + os.path.relpath(d, build_root) for d in built_by["build"]}
        for install_dir in installs:
            if install_dir not in build_dirs:
                fail(f"README installs from {install_dir}, but `dev.sh build` builds "
                     f"{sorted(build_dirs)}")

        for build_dir, variants in sorted(configured.items()):
            ((build_type, options), cmds), = variants.items()
            print(f"{os.path.relpath(build_dir, tmp)}: {', '.join(sorted(set(cmds)))}: "
                  f"{build_type} {' '.join(options)}")
    print("PASS: every build directory has one set of options")


if __name__ == "__main__":
    main()

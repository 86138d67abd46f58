#!/usr/bin/python3
"""Opens a read-only ttyhub RFC 2217 listener with pyserial, as a viewer would.

Usage: pyserial_rfc2217_viewer.py PORT BAUD EXPECT

pyserial's open() sends the port's settings and purges both buffers; a
read-only listener must answer so that open() succeeds. The script then
reads until EXPECT (device output the test writes) arrives, tries to change
the baud rate (which a viewer may not: the server answers with the current
rate and pyserial reports the refusal), and exits 0. One line per step.
"""
import sys
import time

import serial  # Debian python3-serial


def main():
    port, baud, expect = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
    s = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=baud, timeout=1)
    print("opened", flush=True)
    got = b""
    deadline = time.monotonic() + 20
    while expect not in got and time.monotonic() < deadline:
        got += s.read(4096)
    if expect not in got:
        print(f"read {len(got)} bytes without {expect!r}", flush=True)
        return 1
    print("read device data", flush=True)
    try:
        s.baudrate = baud * 2
        # pyserial only notices the answer while it waits for it.
        print("change accepted?!", flush=True)
        return 1
    except (ValueError, serial.SerialException) as e:
        print(f"change refused: {e}", flush=True)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

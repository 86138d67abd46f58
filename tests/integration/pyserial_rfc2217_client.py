#!/usr/bin/python3
"""Drives ttyhub's RFC 2217 server with pyserial's rfc2217:// client.

Usage: pyserial_rfc2217_client.py PORT

The device side (the test) echoes whatever reaches it. This script walks
through the settings pyserial can change, each one acknowledged by the
server before pyserial returns, then sends every byte value (0xFF and
CR NUL included) and expects it back unchanged. Exits 0 on success; prints
one line per step so a failure says where.
"""
import sys
import time

import serial  # Debian python3-serial


def step(msg):
    print(msg, flush=True)


def main():
    port = int(sys.argv[1])
    s = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=9600, timeout=5)
    step("opened")
    for baud in (9600, 57600, 250000):
        s.baudrate = baud
        step(f"baud {baud}")
    for size in (serial.SEVENBITS, serial.EIGHTBITS):
        s.bytesize = size
        step(f"bytesize {size}")
    for parity in (serial.PARITY_NONE, serial.PARITY_EVEN, serial.PARITY_ODD,
                   serial.PARITY_MARK, serial.PARITY_SPACE, serial.PARITY_MARK,
                   serial.PARITY_EVEN):
        s.parity = parity
        step(f"parity {parity}")
    for stop in (serial.STOPBITS_TWO, serial.STOPBITS_ONE, serial.STOPBITS_TWO):
        s.stopbits = stop
        step(f"stopbits {stop}")
    s.rtscts = True
    step("rtscts on")
    s.rtscts = False
    s.xonxoff = True
    step("xonxoff on")
    s.xonxoff = False
    step("flow none")
    s.send_break(0.3)
    step("break sent")
    s.dtr = False
    s.rts = False
    step("dtr rts off")
    s.dtr = True
    s.rts = True
    step("dtr rts on")
    payload = bytes(range(256)) * 4 + b"\r\x00\r\n\xff\xff\r"
    s.write(payload)
    got = b""
    deadline = time.monotonic() + 20
    while len(got) < len(payload) and time.monotonic() < deadline:
        got += s.read(len(payload) - len(got))
    if got != payload:
        step(f"FAIL echo: sent {len(payload)} bytes, got {len(got)}: {got[:64]!r}")
        return 1
    step("echo exact")
    step(f"final {s.baudrate} {s.bytesize}{s.parity}{s.stopbits}")
    s.close()
    step("closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

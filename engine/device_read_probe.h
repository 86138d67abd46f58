// DeviceReadProbe: can this kernel read a tty through io_uring without a
// kernel worker thread? Decides how ports read their devices (issue 14).
//
// A port waits for its device either with a POLL_ADD and then a read(2)
// (the historic way), or with an io_uring READ into the ring. The READ
// saves a system call per wake-up; in paired runs on this project's test
// machine it was never slower and often 10-15 us faster per echo, though not
// consistently (docs/benchmarks.md, "The ideas of the issue, measured").
// It is only worth it if the kernel waits for the tty with an
// internal poll and then reads inline in the ring's task work; a kernel that
// instead hands the read to an io-wq thread (iou-wrk) would cost a thread
// hop per read, which is the reason the poll was chosen originally.
//
// So the engine asks the kernel once at start: a READ on an empty,
// O_NONBLOCK pty must stay pending (not fail with EAGAIN), complete with the
// byte once one is written, and no iou-wrk thread may appear. Any other
// outcome keeps the poll-then-read path. Runs on the calling thread, with a
// ring of its own that it tears down before returning; no I/O on anything
// but a pty pair it makes and closes.
#ifndef TTYHUB_ENGINE_DEVICE_READ_PROBE_H_
#define TTYHUB_ENGINE_DEVICE_READ_PROBE_H_

#include <string>

namespace ttyhub {

struct DeviceReadProbe {
  bool uring_reads = false;  // true: ports read their devices with io_uring READ
  std::string why;           // one line for the startup log
};

DeviceReadProbe ProbeDeviceReads();

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_DEVICE_READ_PROBE_H_

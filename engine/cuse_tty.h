// CuseTty: the character device of a `cuse:` listener (issue 13,
// section 3), /dev/NAME, made with CUSE (character devices in user space,
// libfuse3) so that applications get a tty whose every setting, parity and
// data bits included, reaches the port: something a pty cannot carry (Linux
// forces CS8 and clears PARENB on ptys).
//
// Threads. Everything runs on the port's worker, in its io_uring loop: a
// one-shot POLL_ADD on the /dev/cuse session fd (non-blocking), then
// libfuse's fuse_session_receive_buf/process_buf for each request waiting,
// whose callbacks answer at once or keep the request to answer later. No
// thread of libfuse's own runs (no fuse_session_loop), and nothing blocks:
// the session fd is non-blocking and the kernel takes replies at once.
//
// The data path. The device is served as one RFC 2217 client of the port,
// over a socketpair: Connect() makes the pair and returns the port's end,
// which the Listener hands to the port as if accepted. CuseTerminal speaks
// the protocol; this type does the I/O on the other end (one-shot polls,
// non-blocking recv/send). So the device's bytes pass through the port's
// ordinary client path (input queue, write roles, ro rule, fan-out), and
// every setting through the same path as an RFC 2217 client's. What the
// port sends is always read, whether or not an application reads the
// device: into the terminal's bounded queue while the device is open,
// discarded while it is not, as a UART's input is when nobody has it open.
//
// Requests. read: answered from the queue, else kept until bytes come
// (O_NONBLOCK: EAGAIN). write: taken into the terminal's send budget, else
// kept until room comes (O_NONBLOCK: what fit, or EAGAIN); ro listeners
// refuse writes (EPERM). ioctl: CuseIoctl (unrestricted ioctls: the kernel
// is told which bytes of the argument to copy). poll: readiness now, and a
// fuse_lowlevel_notify_poll when it changes. A request kept waiting is
// answered EINTR if the application is interrupted; an ioctl waiting for
// the port fails with EIO after 10 s or if the connection to the port is
// lost.
//
// Owned by its Listener, on the port's worker thread.
#ifndef TTYHUB_ENGINE_CUSE_TTY_H_
#define TTYHUB_ENGINE_CUSE_TTY_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/serial_settings.h"
#include "engine/cuse_ioctl.h"
#include "engine/cuse_terminal.h"
#include "engine/io_request.h"
#include "engine/worker_context.h"

struct fuse_session;
struct fuse_req;
struct fuse_pollhandle;
struct fuse_file_info;

namespace ttyhub {

struct CuseTtyOps;  // the libfuse callbacks (cuse_tty.cc)

class CuseTty final : public IoHandler {
 public:
  // Whether this build has CUSE support (libfuse3 found at build time).
  static bool Supported();
  // Creates /dev/`name`: opens /dev/cuse and completes CUSE's handshake
  // (non-blocking: the kernel queues it at open). Unavailable when the
  // kernel has no CUSE; other errors say what failed. `port_name` is for
  // log lines.
  static absl::StatusOr<std::unique_ptr<CuseTty>> Create(const std::string& name, bool may_change,
                                                         const std::string& port_name,
                                                         WorkerContext& ctx);
  ~CuseTty();
  CuseTty(const CuseTty&) = delete;
  CuseTty& operator=(const CuseTty&) = delete;

  // Starts serving requests.
  void Start();
  // Whether a new connection to the port can be made (the last one is gone
  // and its polls have completed).
  bool CanConnect() const;
  // A new connection to the port: returns the port's end of a fresh
  // socketpair (non-blocking, close-on-exec; the caller hands it over), or
  // an error.
  absl::StatusOr<int> Connect();
  // Stops: cancels every poll, fails the requests kept waiting, ends the
  // connection to the port, and, once idle, the device.
  void Stop();
  bool Idle() const;
  void OnTick(TimePoint now);

  const std::string& path() const { return path_; }
  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;

 private:
  friend struct CuseTtyOps;
  enum Kind : uint8_t { kSession, kPortIn, kPortOut };
  struct PendingRead {
    fuse_req* req;
    size_t size;
  };
  struct PendingWrite {
    fuse_req* req;
    std::string rest;  // bytes not yet taken
    size_t total;      // the write's size
  };
  struct PendingIoctl {
    fuse_req* req;
    unsigned cmd;
    uint64_t arg;
    std::string in;
    uint64_t wait;
    bool again;
    TimePoint since;
  };

  CuseTty(const std::string& name, bool may_change, const std::string& port_name,
          WorkerContext& ctx);

  // libfuse requests.
  void OnOpen(fuse_req* req, fuse_file_info* fi);
  void OnRelease(fuse_req* req);
  void OnRead(fuse_req* req, size_t size, const fuse_file_info* fi);
  void OnWrite(fuse_req* req, const char* buf, size_t size, const fuse_file_info* fi);
  void OnIoctl(fuse_req* req, unsigned cmd, void* arg, const void* in, size_t in_size,
               size_t out_size);
  void OnPoll(fuse_req* req, fuse_pollhandle* ph);
  void OnInterrupt(fuse_req* req) { interrupted_.push_back(req); }

  // Reads and processes the requests waiting on the session fd. Returns
  // false once the session has ended (the kernel dropped it).
  bool ProcessRequests(int max);
  void AnswerInterrupted();
  void ArmSession();
  void ArmPortIn();
  void ReadFromPort();
  // Sends what the terminal has for the port; waits for POLLOUT if full.
  void FlushToPort();
  // After anything changed: answers what can be answered now.
  void Progress();
  void ServeReads();
  void ServeWrites();
  void ServeIoctls();
  void NotifyPoll();
  void ReplyIoctl(fuse_req* req, const CuseIoctlReply& reply);
  // The connection to the port ended: fail what waited on it, close.
  void OnPortGone();
  void FailPending(int error);
  void ClosePortIfIdle();
  // Once stopped and idle: ends the session (the device goes) and closes
  // the connection to the port.
  void EndIfIdle();

  const std::string name_;
  const std::string path_;  // "/dev/" + name
  const bool may_change_;
  const std::string port_name_;  // a copy: for log lines
  WorkerContext& ctx_;
  CuseTerminal terminal_;

  fuse_session* session_ = nullptr;
  int session_fd_ = -1;
  void* receive_buffer_ = nullptr;  // libfuse's, malloc'd by it on first use
  bool session_ended_ = false;
  bool stopped_ = false;
  int opens_ = 0;  // open file descriptions of the device

  int port_fd_ = -1;  // our end of the socketpair to the port
  bool port_gone_ = false;
  IoRequest session_poll_{this, kSession};
  IoRequest port_in_{this, kPortIn};
  IoRequest port_out_{this, kPortOut};

  std::deque<PendingRead> reads_;
  std::deque<PendingWrite> writes_;
  std::vector<PendingIoctl> ioctls_;
  std::vector<fuse_req*> interrupted_;
  fuse_pollhandle* poll_handle_ = nullptr;
  std::vector<char> scratch_ = std::vector<char>(16 * 1024);
  uint64_t rx_dropped_logged_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CUSE_TTY_H_

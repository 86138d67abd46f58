// A CUSE listener's device on the port's worker. See cuse_tty.h.
//
// Built only with libfuse3 (TTYHUB_HAVE_CUSE); cuse_tty_unavailable.cc
// stands in for it otherwise.
#define FUSE_USE_VERSION 35
#include "engine/cuse_tty.h"

#include <cuse_lowlevel.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/cuse_ioctl.h"
#include "engine/event_loop.h"
#include "engine/logger.h"

namespace ttyhub {
namespace {

// An ioctl kept waiting for the port's answer fails after this long.
constexpr auto kIoctlWaitLimit = std::chrono::seconds(10);
// Requests processed per session poll before the loop gets a turn.
constexpr int kRequestsPerBatch = 64;

}  // namespace

// The libfuse callbacks: C entry points that find their CuseTty.
struct CuseTtyOps {
  static CuseTty& Of(fuse_req_t req) { return *static_cast<CuseTty*>(fuse_req_userdata(req)); }
  static void Open(fuse_req_t req, fuse_file_info* fi) { Of(req).OnOpen(req, fi); }
  static void Release(fuse_req_t req, fuse_file_info*) { Of(req).OnRelease(req); }
  static void Read(fuse_req_t req, size_t size, off_t, fuse_file_info* fi) {
    Of(req).OnRead(req, size, fi);
  }
  static void Write(fuse_req_t req, const char* buf, size_t size, off_t, fuse_file_info* fi) {
    Of(req).OnWrite(req, buf, size, fi);
  }
  static void Flush(fuse_req_t req, fuse_file_info*) { fuse_reply_err(req, 0); }
  static void Fsync(fuse_req_t req, int, fuse_file_info*) { fuse_reply_err(req, 0); }
  static void Ioctl(fuse_req_t req, int cmd, void* arg, fuse_file_info*, unsigned, const void* in,
                    size_t in_size, size_t out_size) {
    Of(req).OnIoctl(req, static_cast<unsigned>(cmd), arg, in, in_size, out_size);
  }
  static void Poll(fuse_req_t req, fuse_file_info*, fuse_pollhandle* ph) {
    Of(req).OnPoll(req, ph);
  }
  // Called by libfuse with the request's lock held, possibly from inside
  // fuse_req_interrupt_func: the request must not be answered here (that
  // would free it under its own lock), so it is only noted, and answered
  // once libfuse has returned (AnswerInterrupted).
  static void Interrupt(fuse_req_t req, void* data) {
    static_cast<CuseTty*>(data)->OnInterrupt(req);
  }

  static constexpr cuse_lowlevel_ops kOps = {
      .init = nullptr,
      .init_done = nullptr,
      .destroy = nullptr,
      .open = Open,
      .read = Read,
      .write = Write,
      .flush = Flush,
      .release = Release,
      .fsync = Fsync,
      .ioctl = Ioctl,
      .poll = Poll,
  };
};

bool CuseTty::Supported() { return true; }

CuseTty::CuseTty(const std::string& name, bool may_change, const std::string& port_name,
                 WorkerContext& ctx)
    : name_(name),
      path_("/dev/" + name),
      may_change_(may_change),
      port_name_(port_name),
      ctx_(ctx),
      terminal_(may_change, SerialSettings{}) {}

absl::StatusOr<std::unique_ptr<CuseTty>> CuseTty::Create(const std::string& name, bool may_change,
                                                         const std::string& port_name,
                                                         WorkerContext& ctx) {
  std::unique_ptr<CuseTty> tty(new CuseTty(name, may_change, port_name, ctx));
  const int fd = open("/dev/cuse", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENODEV || err == ENXIO) {
      return absl::UnavailableError(
          absl::StrCat("CUSE not available in this kernel (/dev/cuse: ", std::strerror(err),
                       "; CONFIG_CUSE is off or its module is not loaded: modprobe cuse)"));
    }
    return absl::ErrnoToStatus(
        err, absl::StrCat("cannot open /dev/cuse (CUSE needs root, or write access to it)"));
  }
  const std::string devname = absl::StrCat("DEVNAME=", name);
  const char* dev_info[] = {devname.c_str()};
  cuse_info ci{};
  ci.dev_info_argc = 1;
  ci.dev_info_argv = dev_info;
  ci.flags = CUSE_UNRESTRICTED_IOCTL;  // tty ioctls do not encode their argument's size
  char program[] = "ttyhub";
  char* argv[] = {program, nullptr};
  fuse_args args = FUSE_ARGS_INIT(1, argv);
  tty->session_ = cuse_lowlevel_new(&args, &ci, &CuseTtyOps::kOps, tty.get());
  if (tty->session_ == nullptr) {
    close(fd);
    return absl::InternalError("libfuse could not create a CUSE session");
  }
  // "/dev/fd/N": libfuse takes the fd as it is (no mount); the session
  // closes it when destroyed.
  if (fuse_session_mount(tty->session_, absl::StrCat("/dev/fd/", fd).c_str()) != 0) {
    close(fd);
    return absl::InternalError("libfuse did not take the /dev/cuse descriptor");
  }
  tty->session_fd_ = fd;
  // The kernel queued CUSE_INIT at open: answering it creates the device.
  // A device of the same name makes the kernel drop the session, which
  // the next read reports.
  if (!tty->ProcessRequests(kRequestsPerBatch)) {
    return absl::AlreadyExistsError(absl::StrCat("the kernel refused to create ", tty->path_,
                                                 " (is there a device of that name?)"));
  }
  struct stat st {};
  if (stat(tty->path_.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) {
    ctx.log->Warn(absl::StrCat("port ", port_name, ": CUSE device ", name, " created, but ",
                               tty->path_,
                               " did not appear (is devtmpfs mounted on /dev? see "
                               "/sys/class/cuse/",
                               name, "/dev for its numbers)"));
  }
  return tty;
}

CuseTty::~CuseTty() {
  FailPending(EIO);
  if (poll_handle_ != nullptr) fuse_pollhandle_destroy(poll_handle_);
  if (session_ != nullptr) fuse_session_destroy(session_);  // closes session_fd_
  free(receive_buffer_);
  if (port_fd_ >= 0) close(port_fd_);
}

void CuseTty::Start() {
  stopped_ = false;
  ArmSession();
}

bool CuseTty::ProcessRequests(int max) {
  for (int i = 0; i < max && !session_ended_; ++i) {
    fuse_buf buf{};
    buf.mem = receive_buffer_;
    const int res = fuse_session_receive_buf(session_, &buf);
    receive_buffer_ = buf.mem;
    if (res == -EAGAIN) break;
    if (res == -EINTR) continue;
    if (res <= 0 || fuse_session_exited(session_)) {
      session_ended_ = true;  // ENODEV: the kernel ended the session
      break;
    }
    fuse_session_process_buf(session_, &buf);
    AnswerInterrupted();
  }
  return !session_ended_;
}

void CuseTty::AnswerInterrupted() {
  for (fuse_req* req : interrupted_) {
    if (auto r = std::find_if(reads_.begin(), reads_.end(),
                              [req](const PendingRead& p) { return p.req == req; });
        r != reads_.end()) {
      reads_.erase(r);
      fuse_reply_err(req, EINTR);
    } else if (auto w = std::find_if(writes_.begin(), writes_.end(),
                                     [req](const PendingWrite& p) { return p.req == req; });
               w != writes_.end()) {
      // Bytes already taken are on their way: the write says so.
      const size_t taken = w->total - w->rest.size();
      writes_.erase(w);
      if (taken > 0) {
        fuse_reply_write(req, taken);
      } else {
        fuse_reply_err(req, EINTR);
      }
    } else if (auto io = std::find_if(ioctls_.begin(), ioctls_.end(),
                                      [req](const PendingIoctl& p) { return p.req == req; });
               io != ioctls_.end()) {
      ioctls_.erase(io);
      fuse_reply_err(req, EINTR);
    }
  }
  interrupted_.clear();
}

void CuseTty::ArmSession() {
  if (stopped_ || session_ended_ || session_poll_.in_flight) return;
  io_uring_prep_poll_add(ctx_.loop->Prepare(session_poll_), session_fd_, POLLIN);
}

void CuseTty::ArmPortIn() {
  if (stopped_ || port_fd_ < 0 || port_gone_ || port_in_.in_flight) return;
  io_uring_prep_poll_add(ctx_.loop->Prepare(port_in_), port_fd_, POLLIN);
}

bool CuseTty::CanConnect() const {
  return !stopped_ && !session_ended_ && port_fd_ < 0 && !port_in_.in_flight &&
         !port_out_.in_flight;
}

absl::StatusOr<int> CuseTty::Connect() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair");
  }
  port_fd_ = fds[0];
  port_gone_ = false;
  terminal_.Connect();
  FlushToPort();
  ArmPortIn();
  return fds[1];
}

void CuseTty::Stop() {
  stopped_ = true;
  ctx_.loop->Cancel(session_poll_);
  ctx_.loop->Cancel(port_in_);
  ctx_.loop->Cancel(port_out_);
  FailPending(EIO);
  // The port's client for the device sees the connection end at once
  // rather than wait out shutdown_timeout trying to send to it.
  if (port_fd_ >= 0) shutdown(port_fd_, SHUT_RDWR);
  EndIfIdle();
}

void CuseTty::EndIfIdle() {
  if (!stopped_ || !Idle()) return;
  // No poll holds the session fd any more: closing it removes the device,
  // so a listener made again under the same name (a reload) can have it.
  if (poll_handle_ != nullptr) fuse_pollhandle_destroy(poll_handle_);
  poll_handle_ = nullptr;
  if (session_ != nullptr) fuse_session_destroy(session_);  // closes session_fd_
  session_ = nullptr;
  session_fd_ = -1;
  if (port_fd_ >= 0) close(port_fd_);
  port_fd_ = -1;
}

bool CuseTty::Idle() const {
  return !session_poll_.in_flight && !port_in_.in_flight && !port_out_.in_flight;
}

void CuseTty::OnTick(TimePoint now) {
  for (auto it = ioctls_.begin(); it != ioctls_.end();) {
    if (now - it->since < kIoctlWaitLimit) {
      ++it;
      continue;
    }
    fuse_reply_err(it->req, EIO);
    it = ioctls_.erase(it);
  }
  if (terminal_.rx_dropped() != rx_dropped_logged_) {
    ctx_.log->Warn(absl::StrCat("port ", port_name_, ": ", path_, ": ",
                                terminal_.rx_dropped() - rx_dropped_logged_,
                                " bytes dropped: the application did not read them in time"));
    rx_dropped_logged_ = terminal_.rx_dropped();
  }
}

void CuseTty::OnIoComplete(IoRequest& req, int32_t res, uint32_t) {
  if (stopped_) {
    EndIfIdle();
    return;
  }
  switch (req.kind) {
    case kSession:
      if (res == -ECANCELED) return;
      if (!ProcessRequests(kRequestsPerBatch)) {
        ctx_.log->Error(absl::StrCat("port ", port_name_, ": ", path_,
                                     ": the kernel ended the CUSE session; the device is gone"));
        FailPending(EIO);
        return;
      }
      Progress();
      ArmSession();
      return;
    case kPortIn:
      if (port_gone_) {
        ClosePortIfIdle();
        return;
      }
      ReadFromPort();
      return;
    case kPortOut:
      if (port_gone_) {
        ClosePortIfIdle();
        return;
      }
      FlushToPort();
      Progress();
      return;
  }
}

void CuseTty::ReadFromPort() {
  for (int i = 0; i < 16; ++i) {
    const ssize_t n = recv(port_fd_, scratch_.data(), scratch_.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    if (n <= 0) {
      OnPortGone();
      return;
    }
    terminal_.FromPort(reinterpret_cast<uint8_t*>(scratch_.data()), static_cast<size_t>(n));
    if (opens_ == 0) terminal_.DiscardReceived();  // nobody has the device open
  }
  FlushToPort();  // negotiation answers
  Progress();
  ArmPortIn();
}

void CuseTty::FlushToPort() {
  std::string& out = terminal_.to_port();
  if (port_fd_ < 0 || port_gone_) return;
  while (!out.empty()) {
    const ssize_t n = send(port_fd_, out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      out.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!port_out_.in_flight) {
        io_uring_prep_poll_add(ctx_.loop->Prepare(port_out_), port_fd_, POLLOUT);
      }
      return;
    }
    OnPortGone();
    return;
  }
}

void CuseTty::OnPortGone() {
  if (port_gone_) return;
  port_gone_ = true;
  terminal_.Disconnect();
  // What waited on this connection's answers cannot have them.
  for (const PendingIoctl& p : ioctls_) fuse_reply_err(p.req, EIO);
  ioctls_.clear();
  ctx_.loop->Cancel(port_in_);
  ctx_.loop->Cancel(port_out_);
  ClosePortIfIdle();
}

void CuseTty::ClosePortIfIdle() {
  if (port_in_.in_flight || port_out_.in_flight || port_fd_ < 0) return;
  close(port_fd_);
  port_fd_ = -1;
}

void CuseTty::Progress() {
  ServeWrites();
  FlushToPort();
  ServeReads();
  ServeIoctls();
  FlushToPort();
  NotifyPoll();
}

void CuseTty::ServeReads() {
  while (!reads_.empty() && terminal_.rx_size() > 0) {
    const PendingRead r = reads_.front();
    reads_.pop_front();
    const size_t n = terminal_.Read(scratch_.data(), std::min(r.size, scratch_.size()));
    fuse_reply_buf(r.req, scratch_.data(), n);
  }
}

void CuseTty::ServeWrites() {
  while (!writes_.empty()) {
    PendingWrite& w = writes_.front();
    const size_t n = terminal_.Write(w.rest);
    w.rest.erase(0, n);
    if (!w.rest.empty()) return;
    fuse_reply_write(w.req, w.total);
    writes_.pop_front();
  }
}

void CuseTty::ServeIoctls() {
  for (size_t i = 0; i < ioctls_.size();) {
    PendingIoctl& p = ioctls_[i];
    if (!terminal_.Reached(p.wait)) {
      ++i;
      continue;
    }
    const PendingIoctl done = std::move(p);
    ioctls_.erase(ioctls_.begin() + static_cast<ptrdiff_t>(i));
    ReplyIoctl(done.req, done.again ? HandleCuseIoctl(terminal_, done.cmd, done.arg, done.in)
                                    : CuseIoctlReply{});
  }
}

void CuseTty::NotifyPoll() {
  if (poll_handle_ == nullptr) return;
  const bool readable = terminal_.rx_size() > 0;
  const bool writable = writes_.empty() && terminal_.write_room() > 0;
  if (!readable && !writable) return;
  fuse_lowlevel_notify_poll(poll_handle_);
  fuse_pollhandle_destroy(poll_handle_);
  poll_handle_ = nullptr;
}

void CuseTty::FailPending(int error) {
  for (const PendingRead& r : reads_) fuse_reply_err(r.req, error);
  reads_.clear();
  for (const PendingWrite& w : writes_) fuse_reply_err(w.req, error);
  writes_.clear();
  for (const PendingIoctl& p : ioctls_) fuse_reply_err(p.req, error);
  ioctls_.clear();
  interrupted_.clear();
}

void CuseTty::OnOpen(fuse_req* req, fuse_file_info* fi) {
  if (opens_++ == 0) terminal_.DiscardReceived();
  terminal_.Refresh();  // settings changed meanwhile (ttyhubctl set) show from here
  FlushToPort();
  fi->nonseekable = 1;
  fi->direct_io = 1;
  fuse_reply_open(req, fi);
}

void CuseTty::OnRelease(fuse_req* req) {
  if (opens_ > 0) --opens_;
  fuse_reply_err(req, 0);
}

void CuseTty::OnRead(fuse_req* req, size_t size, const fuse_file_info* fi) {
  if (terminal_.rx_size() > 0 || size == 0) {
    const size_t n = terminal_.Read(scratch_.data(), std::min(size, scratch_.size()));
    fuse_reply_buf(req, scratch_.data(), n);
    return;
  }
  if (fi->flags & O_NONBLOCK) {
    fuse_reply_err(req, EAGAIN);
    return;
  }
  reads_.push_back({req, size});
  fuse_req_interrupt_func(req, &CuseTtyOps::Interrupt, this);
}

void CuseTty::OnWrite(fuse_req* req, const char* buf, size_t size, const fuse_file_info* fi) {
  if (!may_change_) {
    fuse_reply_err(req, EPERM);  // read-only: the port would discard it
    return;
  }
  const bool nonblocking = (fi->flags & O_NONBLOCK) != 0;
  size_t taken = 0;
  if (writes_.empty()) taken = terminal_.Write(absl::string_view(buf, size));
  FlushToPort();
  if (taken == size) {
    fuse_reply_write(req, size);
  } else if (nonblocking) {
    if (taken > 0) {
      fuse_reply_write(req, taken);
    } else {
      fuse_reply_err(req, EAGAIN);
    }
  } else {
    writes_.push_back({req, std::string(buf + taken, size - taken), size});
    fuse_req_interrupt_func(req, &CuseTtyOps::Interrupt, this);
  }
}

void CuseTty::OnIoctl(fuse_req* req, unsigned cmd, void* arg, const void* in, size_t in_size,
                      size_t out_size) {
  const std::optional<CuseIoctlBuffers> buffers = CuseIoctlBuffersFor(cmd);
  if (!buffers) {
    fuse_reply_err(req, ENOTTY);
    return;
  }
  if (buffers->in > in_size || buffers->out > out_size) {
    // First call: tell the kernel which bytes of the argument to copy.
    iovec in_iov{arg, buffers->in};
    iovec out_iov{arg, buffers->out};
    fuse_reply_ioctl_retry(req, buffers->in > 0 ? &in_iov : nullptr, buffers->in > 0 ? 1 : 0,
                           buffers->out > 0 ? &out_iov : nullptr, buffers->out > 0 ? 1 : 0);
    return;
  }
  const absl::string_view in_bytes(static_cast<const char*>(in), in_size);
  const uint64_t arg_value = reinterpret_cast<uintptr_t>(arg);
  const CuseIoctlReply reply = HandleCuseIoctl(terminal_, cmd, arg_value, in_bytes);
  FlushToPort();
  if (reply.error == 0 && reply.wait != 0 && !terminal_.Reached(reply.wait)) {
    ioctls_.push_back(
        {req, cmd, arg_value, std::string(in_bytes), reply.wait, reply.again, ctx_.now});
    fuse_req_interrupt_func(req, &CuseTtyOps::Interrupt, this);
    return;
  }
  ReplyIoctl(req, reply.again ? HandleCuseIoctl(terminal_, cmd, arg_value, in_bytes) : reply);
  Progress();  // a flush may have made the device writable, or readable no more
}

void CuseTty::ReplyIoctl(fuse_req* req, const CuseIoctlReply& reply) {
  if (reply.error != 0) {
    fuse_reply_err(req, reply.error);
    return;
  }
  fuse_reply_ioctl(req, 0, reply.out.empty() ? nullptr : reply.out.data(), reply.out.size());
}

void CuseTty::OnPoll(fuse_req* req, fuse_pollhandle* ph) {
  if (ph != nullptr) {
    if (poll_handle_ != nullptr) fuse_pollhandle_destroy(poll_handle_);
    poll_handle_ = ph;
  }
  unsigned revents = 0;
  if (terminal_.rx_size() > 0) revents |= POLLIN | POLLRDNORM;
  if (writes_.empty() && terminal_.write_room() > 0) revents |= POLLOUT | POLLWRNORM;
  fuse_reply_poll(req, revents);
}

}  // namespace ttyhub

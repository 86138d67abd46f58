// Listener: one listening socket of a port (TCP, or a Unix socket whose file
// it creates with the configured mode and group and removes when closed),
// accepting on the port's worker. Or a pty listener (issue 13): a pty pair
// published at the configured link (PublishedPty), whose master it hands to
// the port once, as if accepted; the port serves it as its one client. When
// that client has gone (an error, a kick), the next tick makes a fresh pty
// and hands it over again.
// Or a cuse listener (issue 13): a character device /dev/NAME (CuseTty),
// served as one RFC 2217 client of the port over a socketpair whose port
// end it hands over as if accepted, and again, fresh, when that client has
// gone. Where CUSE is unavailable it logs why once, lets the port serve
// without it, and tries again every 10 s.
//
// Accepts with io_uring multishot accept (one SQE serves every connection;
// falls back to single-shot where unsupported), hands each new socket to its
// host (the Port, through ListenerHost), and keeps going. Running out of
// descriptors (EMFILE/ENFILE) pauses accepting until the next tick instead of
// spinning, with a rate-limited log. Owned by one Port on its worker thread.
#ifndef TTYHUB_ENGINE_LISTENER_H_
#define TTYHUB_ENGINE_LISTENER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "config/config.h"
#include "engine/cuse_tty.h"
#include "engine/io_request.h"
#include "engine/listener_host.h"
#include "engine/logger.h"
#include "engine/published_pty.h"
#include "engine/worker_context.h"

namespace ttyhub {

class Listener final : public IoHandler {
 public:
  // `config` is shared, never copied: usually an entry of its port's
  // configuration, kept alive by an aliasing shared_ptr (see config_).
  Listener(ListenerHost& host, std::shared_ptr<const ListenerConfig> config, WorkerContext& ctx);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Creates, binds and listens. Errors name the listener's config location.
  absl::Status Bind();
  void StartAccepting();
  // Stops accepting: cancels the accept; the socket is closed once idle.
  void Stop();
  bool Idle() const { return !accept_.in_flight && (!cuse_ || cuse_->Idle()); }
  void OnTick(TimePoint now);

  const ListenerConfig& config() const { return *config_; }
  // "[::]:7001", "127.0.0.1:7001", "unix:/run/x.sock" or, for a pty
  // listener, "pty:/dev/ttyV0 -> /dev/pts/5" (the pty now behind the link).
  const std::string& address() const { return address_; }
  uint32_t active_clients = 0;  // maintained by the Port
  uint64_t refused_acl = 0;     // connections its allow:/deny: refused (the Port counts)
  // Switched off (config `enabled: false`, or the admin API): clients are
  // refused with a message. Maintained by the Port.
  bool enabled = true;

  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;

 private:
  void Arm();
  void CloseSocket();
  absl::Status BindUnix();
  // Pty listeners: a fresh pty behind the link, and the hand-over of its master.
  absl::Status MakePty();
  void HandOverPty();

  ListenerHost& host_;
  // Never null. Shares ownership of the port configuration it is an entry
  // of (issue 14: one copy per port, not one per holder), so a reload may
  // give the port a new configuration while this listener, retired or not,
  // and its clients still refer to this one.
  const std::shared_ptr<const ListenerConfig> config_;
  WorkerContext& ctx_;
  int fd_ = -1;
  uint64_t unix_inode_ = 0;  // our socket file's inode (unix listeners), to remove it on close
  std::string address_;
  bool multishot_ = true;
  bool stopped_ = false;
  bool paused_ = false;  // after EMFILE/ENFILE, until the next tick
  LogRateLimiter error_log_{std::chrono::seconds(10), 3};
  IoRequest accept_{this, 0};
  // Pty listeners: the pty behind the link; whether its master was handed over.
  std::unique_ptr<PublishedPty> pty_;
  bool pty_handed_over_ = false;
  // Cuse listeners: the device (null while CUSE is unavailable; retried on
  // the tick from cuse_retry_at_), and its connection to the port.
  absl::Status MakeCuse();
  void HandOverCuse();
  void CuseTick(TimePoint now);
  std::unique_ptr<CuseTty> cuse_;
  TimePoint cuse_retry_at_{};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_LISTENER_H_

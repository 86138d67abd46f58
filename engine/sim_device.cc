// Simulated devices. See sim_device.h.
#include "engine/sim_device.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/event_loop.h"

namespace ttyhub {
namespace {

constexpr const char* kBootLines[] = {
    "Linux version 6.1.0-sim-amd64 (ttyhub@sim) (gcc 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian",
    "Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro console=ttyS0,115200n8",
    "BIOS-provided physical RAM map:",
    "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
    "BIOS-e820: [mem 0x0000000000100000-0x00000000bffdafff] usable",
    "NX (Execute Disable) protection: active",
    "SMBIOS 3.0.0 present.",
    "DMI: ttyhub Simulated Console Server/SIM-1, BIOS 1.16.2 04/01/2026",
    "tsc: Detected 2399.998 MHz processor",
    "x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'",
    "Memory: 3964128K/4193768K available (14343K kernel code, 2337K rwdata)",
    "rcu: Hierarchical RCU implementation.",
    "Console: colour dummy device 80x25",
    "printk: console [ttyS0] enabled",
    "Calibrating delay loop (skipped), value calculated using timer frequency.. 4799.99 BogoMIPS",
    "smp: Bringing up secondary CPUs ...",
    "smp: Brought up 1 node, 4 CPUs",
    "devtmpfs: initialized",
    "NET: Registered PF_NETLINK/PF_ROUTE protocol family",
    "PCI: Using configuration type 1 for base access",
    "Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled",
    "00:04: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A",
    "ata1: SATA max UDMA/133 abar m4096@0xfebd5000 port 0xfebd5100 irq 29",
    "scsi 0:0:0:0: Direct-Access     ATA      SIM DISK         2.5+ PQ: 0 ANSI: 5",
    "sd 0:0:0:0: [sda] 67108864 512-byte logical blocks: (34.4 GB/32.0 GiB)",
    " sda: sda1 sda2 < sda5 >",
    "sd 0:0:0:0: [sda] Attached SCSI disk",
    "EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.",
    "Run /sbin/init as init process",
    "systemd[1]: systemd 252.38-1~deb12u1 running in system mode",
    "systemd[1]: Detected architecture x86-64.",
    "systemd[1]: Hostname set to <sim-console>.",
    "systemd[1]: Started systemd-journald.service - Journal Service.",
    "e1000e 0000:00:19.0 eth0: (PCI Express:2.5GT/s:Width x1) 52:54:00:12:34:56",
    "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    "systemd[1]: Reached target multi-user.target - Multi-User System.",
    "systemd[1]: Started serial-getty@ttyS0.service - Serial Getty on ttyS0.",
};
constexpr size_t kBootLineCount = sizeof(kBootLines) / sizeof(kBootLines[0]);

constexpr const char* kRuntimeMessages[] = {
    "usb 1-1: new high-speed USB device number 3 using xhci_hcd",
    "e1000e 0000:00:19.0 eth0: NIC Link is Down",
    "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    "EXT4-fs (sda1): re-mounted. Quota mode: none.",
    "systemd[1]: Starting apt-daily.service - Daily apt download activities...",
    "audit: type=1400 audit(0.0:42): apparmor=\"STATUS\" operation=\"profile_load\"",
};
constexpr size_t kRuntimeMessageCount = sizeof(kRuntimeMessages) / sizeof(kRuntimeMessages[0]);

constexpr auto kBootLineInterval = std::chrono::milliseconds(60);
constexpr auto kKernelMessageInterval = std::chrono::seconds(20);
constexpr size_t kMaxLine = 1024;
constexpr uint64_t kMaxSeq = 1'000'000;

}  // namespace

SimConsoleScript::SimConsoleScript(std::string hostname) : hostname_(std::move(hostname)) {}

std::string SimConsoleScript::Stamp(TimePoint now) const {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - boot_time_).count();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "[%5lld.%06lld] ", static_cast<long long>(us / 1'000'000),
                static_cast<long long>(us % 1'000'000));
  return buf;
}

void SimConsoleScript::Boot(TimePoint now) {
  state_ = State::kBooting;
  boot_line_ = 0;
  boot_time_ = now;
  next_line_at_ = now;
  next_kmsg_at_ = now + kKernelMessageInterval;
  line_.clear();
  user_.clear();
}

void SimConsoleScript::Prompt(std::string* out) {
  switch (state_) {
    case State::kBooting:
      break;
    case State::kLogin:
      absl::StrAppend(out, hostname_, " login: ");
      break;
    case State::kPassword:
      out->append("Password: ");
      break;
    case State::kShell:
      absl::StrAppend(out, user_, "@", hostname_, user_ == "root" ? ":~# " : ":~$ ");
      break;
  }
}

void SimConsoleScript::Advance(TimePoint now, std::string* out) {
  if (state_ == State::kBooting) {
    while (boot_line_ < kBootLineCount && now >= next_line_at_) {
      absl::StrAppend(out, Stamp(next_line_at_), kBootLines[boot_line_++], "\r\n");
      next_line_at_ += kBootLineInterval;
    }
    if (boot_line_ == kBootLineCount) {
      absl::StrAppend(out, "\r\nDebian GNU/Linux 12 ", hostname_, " ttyS0\r\n\r\n");
      state_ = State::kLogin;
      Prompt(out);
    }
    return;
  }
  if (now >= next_kmsg_at_) {
    // Like printk on a console: the message interrupts the prompt line.
    absl::StrAppend(out, "\r\n", Stamp(now), kRuntimeMessages[kmsg_count_++ % kRuntimeMessageCount],
                    "\r\n");
    Prompt(out);
    out->append(state_ == State::kPassword ? "" : line_);
    next_kmsg_at_ = now + kKernelMessageInterval;
  }
}

void SimConsoleScript::Input(absl::string_view bytes, TimePoint now, std::string* out) {
  for (const char c : bytes) {
    const bool was_cr = last_was_cr_;
    last_was_cr_ = (c == '\r');
    if (state_ == State::kBooting) continue;  // typing during boot is lost, as on a real console
    if (c == '\n' && was_cr) continue;        // CR LF counts once
    if (c == '\r' || c == '\n') {
      out->append("\r\n");
      std::string line;
      line.swap(line_);
      RunLine(line, now, out);
      if (state_ != State::kBooting) Prompt(out);
    } else if (c == 0x7f || c == 0x08) {
      if (!line_.empty()) {
        line_.pop_back();
        if (state_ != State::kPassword) out->append("\b \b");
      }
    } else if (c == 0x03) {  // ^C
      out->append("^C\r\n");
      line_.clear();
      if (state_ == State::kPassword) state_ = State::kLogin;
      Prompt(out);
    } else if (c == 0x04 && line_.empty() && state_ == State::kShell) {  // ^D
      out->append("logout\r\n\r\n");
      state_ = State::kLogin;
      Prompt(out);
    } else if (static_cast<unsigned char>(c) >= 0x20 && line_.size() < kMaxLine) {
      line_.push_back(c);
      if (state_ != State::kPassword) out->push_back(c);
    }
  }
}

void SimConsoleScript::RunLine(const std::string& raw, TimePoint now, std::string* out) {
  const std::string line(absl::StripAsciiWhitespace(raw));
  switch (state_) {
    case State::kBooting:
      return;
    case State::kLogin:
      if (!line.empty()) {
        user_ = line;
        state_ = State::kPassword;
      }
      return;
    case State::kPassword:
      state_ = State::kShell;
      absl::StrAppend(out, "Linux ", hostname_,
                      " 6.1.0-sim-amd64 #1 SMP PREEMPT_DYNAMIC x86_64\r\n\r\n"
                      "This is a simulated console served by ttyhub. Type 'help'.\r\n");
      return;
    case State::kShell:
      break;
  }
  std::vector<std::string> args = absl::StrSplit(line, ' ', absl::SkipEmpty());
  if (args.empty()) return;
  const std::string& cmd = args[0];
  if (cmd == "help") {
    out->append(
        "commands: help, uname [-a], hostname, whoami, date, uptime, echo TEXT,\r\n"
        "          seq N (print 1..N), dmesg, reboot, exit\r\n");
  } else if (cmd == "uname") {
    out->append(args.size() > 1 && args[1] == "-a"
                    ? absl::StrCat("Linux ", hostname_,
                                   " 6.1.0-sim-amd64 #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\r\n")
                    : "Linux\r\n");
  } else if (cmd == "hostname") {
    absl::StrAppend(out, hostname_, "\r\n");
  } else if (cmd == "whoami") {
    absl::StrAppend(out, user_, "\r\n");
  } else if (cmd == "date") {
    const std::time_t t = std::time(nullptr);
    char buf[64];
    std::strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S UTC %Y", std::gmtime(&t));
    absl::StrAppend(out, buf, "\r\n");
  } else if (cmd == "uptime") {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - boot_time_).count();
    absl::StrAppend(out, " up ", s / 60, " min, ", s % 60, " s,  1 user,  load average: 0.00\r\n");
  } else if (cmd == "echo") {
    absl::StrAppend(out, absl::string_view(line).substr(std::min(line.size(), size_t{5})), "\r\n");
  } else if (cmd == "seq") {
    uint64_t n = 0;
    if (args.size() < 2 || !absl::SimpleAtoi(args[1], &n) || n > kMaxSeq) {
      absl::StrAppend(out, "seq: usage: seq N (N up to ", kMaxSeq, ")\r\n");
    } else {
      for (uint64_t i = 1; i <= n; ++i) absl::StrAppend(out, i, "\r\n");
    }
  } else if (cmd == "dmesg") {
    for (size_t i = 0; i < kBootLineCount; ++i) {
      absl::StrAppend(out, Stamp(boot_time_ + i * kBootLineInterval), kBootLines[i], "\r\n");
    }
  } else if (cmd == "reboot") {
    out->append("reboot: Restarting system\r\n");
    Boot(now);
  } else if (cmd == "exit" || cmd == "logout") {
    out->append("logout\r\n\r\n");
    state_ = State::kLogin;
  } else {
    absl::StrAppend(out, "-sh: ", cmd, ": command not found\r\n");
  }
}

SimDevice::~SimDevice() {
  // The port destroys its device only once Idle(): nothing references us.
  Close();
  CloseSimEnd();
}

absl::Status SimDevice::Open(const SerialSettings&, bool) {
  Close();
  CloseSimEnd();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair for simulated device");
  }
  port_fd_ = sv[0];
  sim_fd_ = sv[1];
  shutting_down_ = false;
  out_.clear();
  out_offset_ = 0;
  if (kind_ == Kind::kConsole) {
    console_.Boot(ctx_.now);
    console_.Advance(ctx_.now, &out_);
  }
  Pump();
  return absl::OkStatus();
}

void SimDevice::Close() {
  if (port_fd_ >= 0) close(port_fd_);
  port_fd_ = -1;
}

void SimDevice::CloseSimEnd() {
  if (sim_fd_ >= 0) close(sim_fd_);
  sim_fd_ = -1;
}

void SimDevice::Shutdown() {
  shutting_down_ = true;
  ctx_.loop->Cancel(poll_in_);
  ctx_.loop->Cancel(poll_out_);
  if (Idle()) CloseSimEnd();
}

void SimDevice::OnTick(TimePoint now) {
  if (kind_ != Kind::kConsole || sim_fd_ < 0 || shutting_down_) return;
  const size_t before = out_.size();
  console_.Advance(now, &out_);
  if (out_.size() != before) Pump();
}

void SimDevice::Flush() {
  while (out_offset_ < out_.size()) {
    const ssize_t n = write(sim_fd_, out_.data() + out_offset_, out_.size() - out_offset_);
    if (n > 0) {
      out_offset_ += static_cast<size_t>(n);
      continue;
    }
    break;  // EAGAIN: wait for POLLOUT; other errors: the port side is gone
  }
  if (out_offset_ == out_.size()) {
    out_.clear();
    out_offset_ = 0;
  } else if (out_offset_ > out_.size() / 2) {
    out_.erase(0, out_offset_);
    out_offset_ = 0;
  }
}

void SimDevice::Pump() {
  if (sim_fd_ < 0 || shutting_down_) return;
  // Read input while our output backlog allows.
  while (out_.size() - out_offset_ < kMaxBacklog) {
    char buf[16 * 1024];
    const ssize_t n = read(sim_fd_, buf, sizeof(buf));
    if (n == 0) {  // the port closed its end: stop, and close ours once idle
      shutting_down_ = true;
      if (Idle()) CloseSimEnd();
      return;
    }
    if (n < 0) break;
    if (kind_ == Kind::kEcho) {
      out_.append(buf, static_cast<size_t>(n));
    } else {
      console_.Input(absl::string_view(buf, static_cast<size_t>(n)), ctx_.now, &out_);
    }
    Flush();
  }
  Flush();
  const bool backlog = out_offset_ < out_.size();
  if (backlog && !poll_out_.in_flight) {
    io_uring_prep_poll_add(ctx_.loop->Prepare(poll_out_), sim_fd_, POLLOUT);
  }
  if (out_.size() - out_offset_ < kMaxBacklog && !poll_in_.in_flight) {
    io_uring_prep_poll_add(ctx_.loop->Prepare(poll_in_), sim_fd_, POLLIN);
  }
}

void SimDevice::OnIoComplete(IoRequest&, int32_t res, uint32_t) {
  if (shutting_down_) {
    if (Idle()) CloseSimEnd();
    return;
  }
  if (res < 0 && res != -ECANCELED) return;  // the socketpair cannot fail in practice
  Pump();
}

}  // namespace ttyhub

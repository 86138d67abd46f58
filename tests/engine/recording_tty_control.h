// A TtyControl for tests: forwards to the kernel (so a real pty still gets
// configured) and records what a real UART would have been told.
#ifndef TTYHUB_TESTS_ENGINE_RECORDING_TTY_CONTROL_H_
#define TTYHUB_TESTS_ENGINE_RECORDING_TTY_CONTROL_H_

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "engine/tty_control.h"

namespace ttyhub {

class RecordingTtyControl final : public TtyControl {
 public:
  struct ModemChange {
    int bits;
    bool on;
  };

  absl::Status GetAttr(int fd, SerialTermios* out) override { return kernel_.GetAttr(fd, out); }
  absl::Status SetAttr(int fd, const SerialTermios& t) override {
    std::lock_guard<std::mutex> lock(mu_);
    applied_.push_back(t);
    return kernel_.SetAttr(fd, t);
  }
  absl::Status SetModemLines(int, int bits, bool on) override {
    std::lock_guard<std::mutex> lock(mu_);
    modem_.push_back({bits, on});
    modem_outputs_ = on ? (modem_outputs_ | bits) : (modem_outputs_ & ~bits);
    return absl::OkStatus();  // as a UART would
  }

  // Pretends to be a UART with these counters (ptys have none).
  absl::StatusOr<UartCounters> GetCounters(int) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!counters_) return absl::UnimplementedError("no counters");
    return *counters_;
  }
  absl::StatusOr<int> GetModemLines(int) override {
    std::lock_guard<std::mutex> lock(mu_);
    return modem_inputs_ | modem_outputs_;
  }
  absl::Status SetBreak(int, bool on) override {
    std::lock_guard<std::mutex> lock(mu_);
    breaks_.push_back(on);
    return absl::OkStatus();
  }
  absl::Status Flush(int, bool input, bool output) override {
    std::lock_guard<std::mutex> lock(mu_);
    flushes_.push_back({input, output});
    return absl::OkStatus();
  }
  // What the modem input lines (CTS, DSR, DCD, RI) read as.
  void SetModemInputs(int bits) {
    std::lock_guard<std::mutex> lock(mu_);
    modem_inputs_ = bits;
  }
  std::vector<bool> breaks() {
    std::lock_guard<std::mutex> lock(mu_);
    return breaks_;
  }
  std::vector<std::pair<bool, bool>> flushes() {
    std::lock_guard<std::mutex> lock(mu_);
    return flushes_;
  }

  void SetCounters(const UartCounters& c) {
    std::lock_guard<std::mutex> lock(mu_);
    counters_ = c;
  }

  std::vector<SerialTermios> applied() {
    std::lock_guard<std::mutex> lock(mu_);
    return applied_;
  }
  std::vector<ModemChange> modem_changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return modem_;
  }

 private:
  KernelTtyControl kernel_;
  std::mutex mu_;
  std::vector<SerialTermios> applied_;
  std::vector<ModemChange> modem_;
  std::optional<UartCounters> counters_;
  int modem_inputs_ = 0;
  int modem_outputs_ = 0;
  std::vector<bool> breaks_;
  std::vector<std::pair<bool, bool>> flushes_;
};

}  // namespace ttyhub

#endif  // TTYHUB_TESTS_ENGINE_RECORDING_TTY_CONTROL_H_

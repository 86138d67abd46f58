// Errors and notices found while reading a ser2net configuration.
//
// Errors stop the file from loading; notices are one-line remarks about an
// option that is accepted but means nothing in ttyhub, or that ttyhub does a
// little differently. Both name the file and line:
//   ser2net.conf:12: 'kickolduser' is not supported yet: ...
//   ser2net.conf:12: notice: 'chardelay-scale=25' is ignored: ...
// Reported in line order; a message given twice for the same line (a DEFAULT
// that several ports inherit) is kept once. Main thread, while loading.
#ifndef TTYHUB_CONFIG_SER2NET_DIAGNOSTICS_H_
#define TTYHUB_CONFIG_SER2NET_DIAGNOSTICS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

class Ser2netDiagnostics {
 public:
  struct Entry {
    int line = 0;  // 1-based; 0: the file as a whole
    std::string text;
    int port = -1;  // for notices: the converted port it belongs to; -1: none
  };

  explicit Ser2netDiagnostics(std::string source) : source_(std::move(source)) {}

  const std::string& source() const { return source_; }

  void Error(int line, std::string text);
  void Notice(int line, std::string text, int port = -1);
  bool has_errors() const { return !errors_.empty(); }

  // All errors, one per line, in line order: "FILE:LINE: text".
  absl::Status ErrorStatus() const;
  // Notices in line order, each "FILE:LINE: notice: text".
  std::vector<std::string> NoticeLines() const;
  const std::vector<Entry>& notices() const { return notices_; }
  // Sets the port of the notices on lines first..last that have none yet.
  void AssignNotices(int first_line, int last_line, int port);

  // "FILE:LINE" or "FILE" for line 0.
  std::string Where(int line) const;

 private:
  std::string source_;
  std::vector<Entry> errors_;
  std::vector<Entry> notices_;
};

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_DIAGNOSTICS_H_

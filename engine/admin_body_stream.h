// AdminBodyStream: an admin API answer's body produced piece by piece while
// it is sent, instead of built whole in memory first (console logs, grep).
//
// The admin server asks for the next piece whenever the connection can take
// more, on the libmicrohttpd thread that serves the connection; a slow
// reader therefore holds no more than one piece in memory. Each call must
// do a bounded amount of work, since other connections share that thread.
// One stream per answer; not thread-safe.
#ifndef TTYHUB_ENGINE_ADMIN_BODY_STREAM_H_
#define TTYHUB_ENGINE_ADMIN_BODY_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <optional>

namespace ttyhub {

class AdminBodyStream {
 public:
  static constexpr int64_t kEnd = -1;     // the body is complete
  static constexpr int64_t kFailed = -2;  // it cannot be completed: the connection is closed

  virtual ~AdminBodyStream() = default;

  // The body's size in bytes if it is known before sending (then Read
  // produces exactly that many, or fails); nullopt sends it chunked.
  virtual std::optional<uint64_t> size() const = 0;

  // Writes up to `max` (> 0) bytes of the body to `out` and returns how
  // many; 0 when this call did its share of work without producing any yet
  // (it is called again soon); kEnd or kFailed.
  virtual int64_t Read(char* out, size_t max) = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ADMIN_BODY_STREAM_H_

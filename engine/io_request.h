// IoRequest: one slot for an outstanding io_uring operation, embedded in the
// object that owns the operation; IoHandler: that owner.
//
// The SQE's user_data is the address of the IoRequest, so a completion finds
// its owner without a lookup table. Rules (the liburing proxy.c discipline):
//  - at most one operation per IoRequest is in flight (`in_flight`);
//  - an owner is destroyed only when none of its IoRequests is in flight:
//    to close, cancel first (EventLoop::Cancel), then close the fd and free
//    the object after the last completion arrives.
// Used only on the thread that owns the EventLoop.
#ifndef TTYHUB_ENGINE_IO_REQUEST_H_
#define TTYHUB_ENGINE_IO_REQUEST_H_

#include <cstdint>

namespace ttyhub {

class IoHandler;

struct IoRequest {
  IoRequest(IoHandler* h, uint8_t k) : handler(h), kind(k) {}
  IoRequest(const IoRequest&) = delete;
  IoRequest& operator=(const IoRequest&) = delete;

  IoHandler* const handler;
  const uint8_t kind;      // owner-defined tag: which of its operations this is
  bool in_flight = false;  // set by EventLoop::Prepare, cleared on the final CQE
};

class IoHandler {
 public:
  // `res` is the CQE result (>= 0 or -errno); `flags` the CQE flags. When
  // called, req.in_flight is already false unless IORING_CQE_F_MORE is set.
  virtual void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) = 0;

 protected:
  ~IoHandler() = default;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_IO_REQUEST_H_

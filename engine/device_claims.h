// DeviceClaims: which port holds a device that several `open: on_connect`
// ports share (ser2net's way, as in Debian's default ser2net.yaml: one
// /dev/ttyS0 at 9600 on TCP 2000 and at 19200 on TCP 3000). The device goes
// to whichever port a client connects to first; the others refuse clients
// until it is released.
//
// One per Engine, shared by its workers: a mutex, taken only on the control
// path (a device being opened or closed on connect and disconnect), never
// on the data path.
#ifndef TTYHUB_ENGINE_DEVICE_CLAIMS_H_
#define TTYHUB_ENGINE_DEVICE_CLAIMS_H_

#include <map>
#include <mutex>
#include <string>

namespace ttyhub {

class DeviceClaims {
 public:
  // True if `port` holds `device` now (it may already have). Else false,
  // and *holder names the port that does.
  bool Claim(const std::string& device, const std::string& port, std::string* holder);
  // Gives `device` back if `port` holds it.
  void Release(const std::string& device, const std::string& port);

 private:
  std::mutex mu_;
  std::map<std::string, std::string> holders_;  // device path -> port name; guarded by mu_
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_DEVICE_CLAIMS_H_

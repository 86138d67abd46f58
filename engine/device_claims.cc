// Shared-device claims. See device_claims.h.
#include "engine/device_claims.h"

namespace ttyhub {

bool DeviceClaims::Claim(const std::string& device, const std::string& port, std::string* holder) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = holders_.emplace(device, port);
  if (inserted || it->second == port) return true;
  if (holder != nullptr) *holder = it->second;
  return false;
}

void DeviceClaims::Release(const std::string& device, const std::string& port) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = holders_.find(device);
  if (it != holders_.end() && it->second == port) holders_.erase(it);
}

}  // namespace ttyhub

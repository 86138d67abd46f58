// CuseTty in a build without libfuse3: `cuse:` listeners are refused when
// the configuration is loaded (config_loader.cc), so this only says why if
// one gets here anyway. See cuse_tty.h.
#include "engine/cuse_tty.h"

namespace ttyhub {

bool CuseTty::Supported() { return false; }

absl::StatusOr<std::unique_ptr<CuseTty>> CuseTty::Create(const std::string&, bool,
                                                         const std::string&, WorkerContext&) {
  return absl::UnimplementedError(
      "this ttyhub was built without libfuse3 (Debian: libfuse3-dev), so it has no CUSE");
}

CuseTty::~CuseTty() = default;
void CuseTty::Start() {}
bool CuseTty::CanConnect() const { return false; }
absl::StatusOr<int> CuseTty::Connect() { return absl::UnimplementedError("no CUSE"); }
void CuseTty::Stop() {}
bool CuseTty::Idle() const { return true; }
void CuseTty::OnTick(TimePoint) {}
void CuseTty::OnIoComplete(IoRequest&, int32_t, uint32_t) {}

}  // namespace ttyhub

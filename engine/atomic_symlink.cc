// Atomic symlink publishing. See atomic_symlink.h.
#include "engine/atomic_symlink.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace ttyhub {

absl::Status PublishSymlink(const std::string& target, const std::string& link) {
  struct stat st {};
  if (lstat(link.c_str(), &st) == 0 && !S_ISLNK(st.st_mode)) {
    return absl::AlreadyExistsError(
        absl::StrCat(link, " exists and is not a symlink; ttyhub will not replace it"));
  }
  const std::string tmp = absl::StrCat(link, ".ttyhub-tmp");
  unlink(tmp.c_str());
  if (symlink(target.c_str(), tmp.c_str()) != 0 || rename(tmp.c_str(), link.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return absl::ErrnoToStatus(err, absl::StrCat("cannot publish ", link, " -> ", target));
  }
  return absl::OkStatus();
}

}  // namespace ttyhub

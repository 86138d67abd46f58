// Double mapping of one memfd. See mirrored_buffer.h.
#include "engine/mirrored_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {

absl::StatusOr<MirroredBuffer> MirroredBuffer::Create(size_t capacity) {
  const long page = sysconf(_SC_PAGESIZE);
  if (capacity == 0 || (capacity & (capacity - 1)) != 0 ||
      capacity % static_cast<size_t>(page) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ring capacity ", capacity, " is not a power of two multiple of the page size"));
  }
  const int fd = memfd_create("ttyhub-ring", MFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "memfd_create");
  if (ftruncate(fd, static_cast<off_t>(capacity)) != 0) {
    const int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, "ftruncate ring memfd");
  }
  // Reserve 2x the address space, then map the file over both halves.
  void* reserve =
      mmap(nullptr, 2 * capacity, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserve == MAP_FAILED) {
    const int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, "mmap ring reservation");
  }
  uint8_t* base = static_cast<uint8_t*>(reserve);
  void* first = mmap(base, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  void* second = first == MAP_FAILED ? MAP_FAILED
                                     : mmap(base + capacity, capacity, PROT_READ | PROT_WRITE,
                                            MAP_SHARED | MAP_FIXED, fd, 0);
  const int err = errno;
  close(fd);  // the mappings keep the memory alive
  if (second == MAP_FAILED) {
    munmap(base, 2 * capacity);
    return absl::ErrnoToStatus(err, "mmap ring mirror");
  }
  return MirroredBuffer(base, capacity);
}

MirroredBuffer::MirroredBuffer(MirroredBuffer&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}

MirroredBuffer& MirroredBuffer::operator=(MirroredBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    base_ = std::exchange(other.base_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

MirroredBuffer::~MirroredBuffer() { Release(); }

bool MirroredBuffer::ReleasePages() {
  if (base_ == nullptr) return true;
  // One range of the file: the mirror maps the same pages.
  return madvise(base_, capacity_, MADV_REMOVE) == 0;
}

size_t MirroredBuffer::ResidentPages() const {
  if (base_ == nullptr) return 0;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core(capacity_ / page);
  if (mincore(base_, capacity_, in_core.data()) != 0) return 0;
  size_t resident = 0;
  for (unsigned char c : in_core) resident += c & 1;
  return resident;
}

void MirroredBuffer::Release() {
  if (base_ != nullptr) munmap(base_, 2 * capacity_);
  base_ = nullptr;
  capacity_ = 0;
}

}  // namespace ttyhub

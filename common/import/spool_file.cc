#include "common/import/spool_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace crm::importer {

absl::StatusOr<SpoolFile> SpoolFile::Create(const std::string& dir) {
  std::string base = dir;
  if (base.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  }
  std::string path = absl::StrCat(base, "/crm-import-XXXXXX");
  std::vector<char> buf(path.begin(), path.end());
  buf.push_back('\0');
  const int fd = mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("spool: cannot create a file in ",
                                            base, ": ", strerror(errno)));
  }
  unlink(buf.data());
  return SpoolFile(fd);
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(std::exchange(other.size_, 0)) {}

SpoolFile& SpoolFile::operator=(SpoolFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SpoolFile::~SpoolFile() {
  if (fd_ >= 0) close(fd_);
}

absl::Status SpoolFile::Append(std::string_view data) {
  if (fd_ < 0) return absl::FailedPreconditionError("spool: file is closed");
  while (!data.empty()) {
    const ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
        return absl::ResourceExhaustedError(
            absl::StrCat("spool: no space for the upload: ", strerror(err)));
      }
      return absl::InternalError(
          absl::StrCat("spool: write failed: ", strerror(err)));
    }
    data.remove_prefix(static_cast<size_t>(n));
    size_ += n;
  }
  return absl::OkStatus();
}

}  // namespace crm::importer

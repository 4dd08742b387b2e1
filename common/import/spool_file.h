// An anonymous temporary file to hold an upload that cannot be read as a
// stream (an .xlsx is a zip: its directory is at the end). The file is
// unlinked as soon as it is created, so it never outlives the process even on
// a crash; closing the descriptor (the destructor) frees the disk space.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace crm::importer {

class SpoolFile {
 public:
  // Creates the file in `dir` ("" = $TMPDIR, else /tmp).
  static absl::StatusOr<SpoolFile> Create(const std::string& dir = "");

  SpoolFile(SpoolFile&& other) noexcept;
  SpoolFile& operator=(SpoolFile&& other) noexcept;
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile();

  // Appends at the end; RESOURCE_EXHAUSTED when the disk is full.
  absl::Status Append(std::string_view data);

  int fd() const { return fd_; }
  int64_t size() const { return size_; }

 private:
  explicit SpoolFile(int fd) : fd_(fd) {}
  int fd_ = -1;
  int64_t size_ = 0;
};

}  // namespace crm::importer

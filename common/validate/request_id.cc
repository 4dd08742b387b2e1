#include "common/validate/request_id.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "common/status/status.h"

namespace crm::validate {

absl::Status ValidateRequestId(std::string_view id, std::string_view field) {
  if (id.size() > kMaxRequestIdLength ||
      !absl::c_all_of(id, [](char c) { return absl::ascii_isgraph(c); })) {
    return InvalidField(field, "at most 64 printable ASCII characters");
  }
  return absl::OkStatus();
}

}  // namespace crm::validate

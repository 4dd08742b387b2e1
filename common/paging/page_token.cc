#include "common/paging/page_token.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::paging {

std::string EncodePageToken(const std::string& list, int64_t last_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(list, ":", last_id));
}

absl::StatusOr<int64_t> DecodePageToken(const std::string& list,
                                        const std::string& token) {
  if (token.empty()) return 0;
  std::string raw;
  int64_t id = 0;
  const std::string prefix = list + ":";
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.rfind(prefix, 0) != 0 ||
      !absl::SimpleAtoi(raw.substr(prefix.size()), &id) || id < 0) {
    return InvalidField("page_token",
                        absl::StrCat("is not a token returned by ", list));
  }
  return id;
}

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  return requested == 0 ? default_size : std::min(requested, max_size);
}

}  // namespace crm::paging

// Opaque page tokens for keyset paging ("WHERE id > last ORDER BY id").
// A token names the list it belongs to, so a token from ListUsers handed to
// ListAccounts is rejected instead of silently skipping rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::paging {

std::string EncodePageToken(const std::string& list, int64_t last_id);
// 0 for an empty token; INVALID_ARGUMENT "page_token: ..." for a token that
// is not one of `list`'s.
absl::StatusOr<int64_t> DecodePageToken(const std::string& list,
                                        const std::string& token);

// page_size 0 -> `default_size`; negative -> INVALID_ARGUMENT; capped at max.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

// The token of the page after `page` (rows with an `id`, in id order), or ""
// when `page` holds fewer than `limit` rows: it was the last one.
template <typename Row>
std::string NextPageToken(const std::string& list, const std::vector<Row>& page,
                          int limit) {
  if (page.empty() || static_cast<int>(page.size()) != limit) return "";
  return EncodePageToken(list, page.back().id);
}

}  // namespace crm::paging

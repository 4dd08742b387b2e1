// Chinese region names as they appear in company names and addresses:
// "北京", "浙江省", "深圳市", "广西壮族自治区", and the English forms used in
// parentheses ("(China)", "(Shanghai)"). The list holds every province-level
// division and the cities that commonly head company names (capitals,
// sub-provincial and large prefecture-level cities); it is a heuristic for
// duplicate detection, not a gazetteer.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace crm::validate {

struct RegionMatch {
  size_t base_len;   // bytes of the bare name, e.g. "杭州"
  size_t total_len;  // bytes including a suffix such as 市/省/自治区
};

// The longest region name at the start of `text` (already half-width and
// lowercase), followed by an optional administrative suffix.
std::optional<RegionMatch> MatchRegionPrefix(std::string_view text);

// True if all of `text` is one region name (with or without suffix), an
// English region name without spaces ("hongkong"), or 中国/中华人民共和国.
bool IsRegionName(std::string_view text);

}  // namespace crm::validate

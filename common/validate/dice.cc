#include "common/validate/dice.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/validate/utf8.h"

namespace crm::validate {
namespace {

// Boundary markers outside the Unicode range, so they never collide with
// text.
constexpr char32_t kBegin = 0x110000;
constexpr char32_t kEnd = 0x110001;

std::vector<uint64_t> SortedBigrams(std::u32string_view s) {
  std::vector<uint64_t> out;
  out.reserve(s.size() + 1);
  char32_t prev = kBegin;
  for (char32_t c : s) {
    out.push_back((uint64_t{prev} << 32) | c);
    prev = c;
  }
  out.push_back((uint64_t{prev} << 32) | kEnd);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

double BigramDice(std::u32string_view a, std::u32string_view b) {
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  std::vector<uint64_t> x = SortedBigrams(a);
  std::vector<uint64_t> y = SortedBigrams(b);
  // Multiset intersection of two sorted lists.
  size_t common = 0;
  for (size_t i = 0, j = 0; i < x.size() && j < y.size();) {
    if (x[i] < y[j]) {
      ++i;
    } else if (y[j] < x[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  return 2.0 * static_cast<double>(common) /
         static_cast<double>(x.size() + y.size());
}

double BigramDice(std::string_view a_utf8, std::string_view b_utf8) {
  std::optional<std::u32string> a = DecodeUtf8(a_utf8);
  std::optional<std::u32string> b = DecodeUtf8(b_utf8);
  if (!a || !b) return 0.0;
  return BigramDice(*a, *b);
}

}  // namespace crm::validate

#include "common/validate/address.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/validate/dice.h"
#include "common/validate/region_names.h"
#include "common/validate/text.h"
#include "common/validate/utf8.h"

namespace crm::validate {
namespace {

// Traditional forms seen in addresses typed in Hong Kong / Taiwan style or
// pasted from old documents.
char32_t Simplify(char32_t c) {
  switch (c) {
    case U'號':
      return U'号';
    case U'區':
      return U'区';
    case U'縣':
      return U'县';
    case U'鎮':
      return U'镇';
    case U'樓':
      return U'楼';
    case U'層':
      return U'楼';  // 12層 = 12层 = 12楼
    case U'层':
      return U'楼';
    case U'門':
      return U'门';
    case U'東':
      return U'东';
    case U'廣':
      return U'广';
    case U'國':
      return U'国';
    case U'際':
      return U'际';
    case U'灣':
      return U'湾';
    case U'華':
      return U'华';
    case U'龍':
      return U'龙';
    case U'園':
      return U'园';
    case U'產':
      return U'产';
    case U'業':
      return U'业';
    case U'廈':
      return U'厦';
    case U'場':
      return U'场';
    case U'處':
      return U'处';
    case U'陽':
      return U'阳';
    case U'蘇':
      return U'苏';
    default:
      return c;
  }
}

// Punctuation and spaces removed, characters simplified, '#' as 号 and a
// floor's "f" after digits as 楼.
std::u32string Clean(std::u32string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (c == '#') {
      out.push_back(U'号');
    } else if (c == 'f' && !out.empty() && out.back() >= '0' &&
               out.back() <= '9' &&
               (i + 1 == s.size() || !(s[i + 1] >= 'a' && s[i + 1] <= 'z'))) {
      out.push_back(U'楼');
    } else if (!IsPunctuationOrSpace(c)) {
      out.push_back(Simplify(c));
    }
  }
  return out;
}

// 浙江省杭州市西湖区 -> 浙江杭州西湖区: drops 省/市/自治区 after a known name.
std::string DropRegionSuffixes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (std::optional<RegionMatch> m = MatchRegionPrefix(s.substr(i))) {
      out.append(s.substr(i, m->base_len));
      i += m->total_len;
      continue;
    }
    // Copy one whole UTF-8 character.
    size_t n = 1;
    while (i + n < s.size() &&
           (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) {
      ++n;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

// The runs of digits, sorted: house, building, floor and room numbers.
std::vector<std::string> Numbers(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(s[j])))
      ++j;
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Multiset inclusion of sorted `small` in sorted `big`.
bool Contains(const std::vector<std::string>& big,
              const std::vector<std::string>& small) {
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

}  // namespace

std::string NormalizeAddress(std::string_view address) {
  std::optional<std::u32string> cps =
      DecodeUtf8(absl::AsciiStrToLower(ToHalfWidth(address)));
  if (!cps) return "";
  std::string s = EncodeUtf8(Clean(*cps));
  for (std::string_view country : {"中华人民共和国", "中国"}) {
    if (s.starts_with(country)) {
      s.erase(0, country.size());
      break;
    }
  }
  return DropRegionSuffixes(s);
}

double AddressSimilarity(std::string_view a, std::string_view b) {
  const std::string na = NormalizeAddress(a);
  const std::string nb = NormalizeAddress(b);
  const double dice = BigramDice(na, nb);
  const std::vector<std::string> xa = Numbers(na);
  const std::vector<std::string> xb = Numbers(nb);
  // 中关村大街1号 and 中关村大街2号 share almost every bigram but are
  // different sites. One address may just be more detailed (1号 vs 1号12楼),
  // so only numbers that contradict, neither set containing the other, count.
  if (!xa.empty() && !xb.empty() && !Contains(xa, xb) && !Contains(xb, xa)) {
    return dice * 0.5;
  }
  return dice;
}

}  // namespace crm::validate

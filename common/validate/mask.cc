#include "common/validate/mask.h"

#include <vector>

namespace crm::validate {
namespace {

// Code point boundaries of a UTF-8 string (start offsets).
std::vector<size_t> CodePointStarts(std::string_view s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  return out;
}

std::string MaskNational(std::string_view s) {
  std::vector<size_t> cp = CodePointStarts(s);
  const size_t n = cp.size();
  if (n == 0) return "";
  if (n == 1) return "*";
  if (n < 8) return std::string(s.substr(0, cp[1])) + std::string(n - 1, '*');
  return std::string(s.substr(0, cp[3])) + std::string(n - 7, '*') +
         std::string(s.substr(cp[n - 4]));
}

}  // namespace

std::string MaskValue(std::string_view value) {
  if (value.size() > 3 && value.substr(0, 3) == "+86")
    return "+86" + MaskNational(value.substr(3));
  return MaskNational(value);
}

}  // namespace crm::validate

#include "common/import/utf8.h"

#include <cstdint>

namespace crm::importer {
namespace {

// Length of the well-formed sequence starting at s[0] (0 if ill-formed, or
// -1 if s ends before the sequence does while everything so far is fine).
int SequenceLength(const unsigned char* s, size_t n) {
  const unsigned char b0 = s[0];
  if (b0 < 0x80) return 1;
  int len;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<size_t>(i) >= n) return -1;
    const unsigned char b = s[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return len;
}

}  // namespace

Utf8Scan ScanUtf8(std::string_view bytes, size_t* complete_len) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  Utf8Scan result = Utf8Scan::kValid;
  while (i < n) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const int len = SequenceLength(s + i, n - i);
    if (len <= 0) {
      result = len == 0 ? Utf8Scan::kInvalid : Utf8Scan::kIncomplete;
      break;
    }
    i += static_cast<size_t>(len);
  }
  if (complete_len != nullptr) *complete_len = i;
  return result;
}

bool IsValidUtf8(std::string_view bytes) {
  return ScanUtf8(bytes) == Utf8Scan::kValid;
}

char32_t DecodeUtf8(std::string_view bytes, size_t* len) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const int n = SequenceLength(s, bytes.size());
  if (n <= 0) {
    *len = 1;
    return U'\uFFFD';
  }
  *len = static_cast<size_t>(n);
  if (n == 1) return s[0];
  char32_t cp = s[0] & (0xFF >> (n + 1));
  for (int i = 1; i < n; ++i) cp = (cp << 6) | (s[i] & 0x3F);
  return cp;
}

}  // namespace crm::importer

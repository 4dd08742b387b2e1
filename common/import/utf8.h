// UTF-8 helpers shared by the import readers: strict validation (what
// MySQL's utf8mb4 accepts) and incremental scanning for encoding detection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/validate/utf8.h"

namespace crm::importer {

enum class Utf8Scan {
  kValid,       // every byte belongs to a complete, well-formed sequence
  kIncomplete,  // well-formed so far, but the last sequence is cut short
  kInvalid,     // an ill-formed sequence (overlong, surrogate, > U+10FFFF...)
};

// Scans `bytes`; on return *complete_len is the length of the longest prefix
// made of complete well-formed sequences (for kValid: bytes.size()).
Utf8Scan ScanUtf8(std::string_view bytes, size_t* complete_len = nullptr);

// True if `bytes` is entirely well-formed UTF-8 (Unicode table 3-7).
bool IsValidUtf8(std::string_view bytes);

// Appends the UTF-8 encoding of `code_point` (must be a scalar value); the
// one encoder of the suite, common/validate's.
using validate::AppendUtf8;

// Decodes one code point at the start of `bytes` (which must be non-empty);
// sets *len to the bytes used. An ill-formed byte decodes as U+FFFD, len 1.
char32_t DecodeUtf8(std::string_view bytes, size_t* len);

}  // namespace crm::importer

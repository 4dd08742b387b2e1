// Incremental conversion of a CSV byte stream to UTF-8, with encoding
// detection that works on the first chunk(s) of an upload.
//
// Detection (Encoding::kAuto):
//  1. A byte-order mark decides: EF BB BF => UTF-8, FF FE => UTF-16LE,
//     FE FF => UTF-16BE, 84 31 95 33 => GB18030. The BOM is dropped.
//  2. Otherwise pure-ASCII bytes pass through undecided (ASCII reads the same
//     in UTF-8 and GB18030), so a long ASCII prefix (ids, phone numbers)
//     cannot mislead the decision.
//  3. From the first non-ASCII byte on, up to `detect_window` bytes (64 KiB
//     by default) are held back: the first ill-formed UTF-8 sequence in them
//     decides GB18030 at once; a full window of well-formed UTF-8 (or the end
//     of the file) decides UTF-8.
// A file decided as UTF-8 that turns out to be GB18030 after the window is
// reported by the CSV parser as invalid UTF-8 at that line; the caller can
// then pass the encoding explicitly. An explicit encoding skips detection
// (its BOM, if present, is still dropped).
//
// GB18030 and UTF-16 are converted with glibc iconv. A multibyte sequence
// split across chunks is carried over to the next Feed(); one still cut
// short at Finish() is an error.
#pragma once

#include <iconv.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/import/table_reader.h"

namespace crm::importer {

class TextDecoder {
 public:
  explicit TextDecoder(Encoding encoding = Encoding::kAuto,
                       size_t detect_window = 64 * 1024);
  ~TextDecoder();
  TextDecoder(const TextDecoder&) = delete;
  TextDecoder& operator=(const TextDecoder&) = delete;

  // Appends the UTF-8 for `chunk` to *out; bytes that cannot be converted
  // yet are kept for the next call. On an error *out still gets everything
  // converted before the bad bytes, and the decoder stays failed. Error
  // messages name the encoding and the byte offset, not a line.
  absl::Status Feed(std::string_view chunk, std::string* out);
  // End of input: flushes what was held back.
  absl::Status Finish(std::string* out);

  // The encoding in use; kAuto while detection is still undecided.
  Encoding encoding() const { return encoding_; }
  // True if the encoding was detected rather than given.
  bool detected() const { return requested_ == Encoding::kAuto; }

 private:
  absl::Status Process(bool final, std::string* out);
  absl::Status Decide(Encoding encoding);
  absl::Status Convert(std::string_view in, bool final, std::string* out);
  absl::Status Fail(absl::Status status);

  const Encoding requested_;
  Encoding encoding_ = Encoding::kAuto;
  const size_t window_;
  bool at_start_ = true;         // the BOM has not been looked at yet
  bool seen_non_ascii_ = false;  // detection: holding back from there
  size_t utf8_checked_ = 0;      // detection: pending_ prefix known well-formed
  std::string pending_;          // bytes held back before the decision
  std::string carry_;            // a sequence cut at the end of the last chunk
  iconv_t cd_ = reinterpret_cast<iconv_t>(-1);
  int64_t offset_ = 0;  // input bytes converted so far (for messages)
  absl::Status status_;
};

}  // namespace crm::importer

#include "common/import/text_decoder.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/import/utf8.h"

namespace crm::importer {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";
constexpr std::string_view kGb18030Bom = "\x84\x31\x95\x33";

std::string_view BomOf(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8:
      return kUtf8Bom;
    case Encoding::kGb18030:
      return kGb18030Bom;
    case Encoding::kUtf16Le:
      return kUtf16LeBom;
    case Encoding::kUtf16Be:
      return kUtf16BeBom;
    case Encoding::kAuto:
      break;
  }
  return {};
}

const char* IconvName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kGb18030:
      return "GB18030";
    case Encoding::kUtf16Le:
      return "UTF-16LE";
    case Encoding::kUtf16Be:
      return "UTF-16BE";
    default:
      return nullptr;
  }
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kAuto:
      return "auto";
    case Encoding::kUtf8:
      return "UTF-8";
    case Encoding::kGb18030:
      return "GB18030";
    case Encoding::kUtf16Le:
      return "UTF-16LE";
    case Encoding::kUtf16Be:
      return "UTF-16BE";
  }
  return "?";
}

TextDecoder::TextDecoder(Encoding encoding, size_t detect_window)
    : requested_(encoding), window_(detect_window == 0 ? 1 : detect_window) {}

TextDecoder::~TextDecoder() {
  if (cd_ != reinterpret_cast<iconv_t>(-1)) iconv_close(cd_);
}

absl::Status TextDecoder::Fail(absl::Status status) {
  status_ = status;
  return status;
}

absl::Status TextDecoder::Feed(std::string_view chunk, std::string* out) {
  if (!status_.ok()) return status_;
  if (!at_start_ && encoding_ != Encoding::kAuto) {
    return Convert(chunk, /*final=*/false, out);
  }
  pending_.append(chunk);
  return Process(/*final=*/false, out);
}

absl::Status TextDecoder::Finish(std::string* out) {
  if (!status_.ok()) return status_;
  return Process(/*final=*/true, out);
}

absl::Status TextDecoder::Decide(Encoding encoding) {
  encoding_ = encoding;
  if (const char* name = IconvName(encoding)) {
    cd_ = iconv_open("UTF-8", name);
    if (cd_ == reinterpret_cast<iconv_t>(-1)) {
      return Fail(absl::InternalError(
          absl::StrCat("iconv_open(UTF-8, ", name, "): ", strerror(errno))));
    }
  }
  return absl::OkStatus();
}

absl::Status TextDecoder::Process(bool final, std::string* out) {
  if (at_start_) {
    // Every BOM is at most 4 bytes: wait for 4 (or the end) to look.
    if (pending_.size() < 4 && !final) return absl::OkStatus();
    at_start_ = false;
    Encoding bom_encoding = Encoding::kAuto;
    for (Encoding e : {Encoding::kUtf8, Encoding::kUtf16Le, Encoding::kUtf16Be,
                       Encoding::kGb18030}) {
      if (StartsWith(pending_, BomOf(e))) bom_encoding = e;
    }
    if (requested_ != Encoding::kAuto) {
      if (bom_encoding == requested_)
        pending_.erase(0, BomOf(requested_).size());
      if (absl::Status s = Decide(requested_); !s.ok()) return s;
    } else if (bom_encoding != Encoding::kAuto) {
      pending_.erase(0, BomOf(bom_encoding).size());
      if (absl::Status s = Decide(bom_encoding); !s.ok()) return s;
    }
  }
  if (encoding_ == Encoding::kAuto) {
    if (!seen_non_ascii_) {
      size_t i = 0;
      while (i < pending_.size() &&
             static_cast<unsigned char>(pending_[i]) < 0x80) {
        ++i;
      }
      out->append(pending_, 0, i);
      offset_ += static_cast<int64_t>(i);
      pending_.erase(0, i);
      if (pending_.empty()) {
        // All ASCII so far; at the end of the file that is UTF-8.
        if (final) return Decide(Encoding::kUtf8);
        return absl::OkStatus();
      }
      seen_non_ascii_ = true;
      utf8_checked_ = 0;
    }
    // Only the window is looked at, so the decision does not depend on how
    // the input was cut into chunks.
    const std::string_view window =
        std::string_view(pending_).substr(0, window_);
    size_t complete = 0;
    const Utf8Scan scan = ScanUtf8(window.substr(utf8_checked_), &complete);
    utf8_checked_ += complete;
    const bool full = pending_.size() >= window_;
    if (scan == Utf8Scan::kInvalid ||
        (final && !full && scan == Utf8Scan::kIncomplete)) {
      if (absl::Status s = Decide(Encoding::kGb18030); !s.ok()) return s;
    } else if (final || full) {
      if (absl::Status s = Decide(Encoding::kUtf8); !s.ok()) return s;
    } else {
      return absl::OkStatus();  // keep looking
    }
  }
  std::string data = std::move(pending_);
  pending_.clear();
  pending_.shrink_to_fit();
  return Convert(data, final, out);
}

absl::Status TextDecoder::Convert(std::string_view in, bool final,
                                  std::string* out) {
  if (encoding_ == Encoding::kUtf8) {
    // Validated per cell by the parser, where the line number is known.
    out->append(in.data(), in.size());
    offset_ += static_cast<int64_t>(in.size());
    return absl::OkStatus();
  }
  std::string joined;
  std::string_view src = in;
  if (!carry_.empty()) {
    joined = carry_;
    joined.append(in.data(), in.size());
    carry_.clear();
    src = joined;
  }
  char* inp = const_cast<char*>(src.data());
  size_t inleft = src.size();
  while (inleft > 0) {
    const size_t old_size = out->size();
    // GB18030 and UTF-16 grow at most 1.5x as UTF-8.
    out->resize(old_size + inleft * 2 + 16);
    char* outp = out->data() + old_size;
    size_t outleft = out->size() - old_size;
    const size_t before = inleft;
    const size_t r = iconv(cd_, &inp, &inleft, &outp, &outleft);
    const int err = errno;
    out->resize(static_cast<size_t>(outp - out->data()));
    offset_ += static_cast<int64_t>(before - inleft);
    if (r != static_cast<size_t>(-1)) continue;
    if (err == E2BIG) continue;
    if (err == EINVAL) {  // a sequence cut short at the end of the input
      if (final) break;
      carry_.assign(inp, inleft);
      return absl::OkStatus();
    }
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("invalid ", std::string(EncodingName(encoding_)),
                     " byte sequence at byte offset ", offset_)));
  }
  if (final && inleft > 0) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "file ends inside a ", std::string(EncodingName(encoding_)),
        " character (byte offset ", offset_, ")")));
  }
  return absl::OkStatus();
}

}  // namespace crm::importer

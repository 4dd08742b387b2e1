#include "common/status/status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace crm {
namespace {

// The first `kMaxErrorMessageBytes` of `message` cut at a UTF-8 character
// boundary, marked when cut.
std::string Capped(absl::string_view message) {
  if (message.size() <= kMaxErrorMessageBytes) return std::string(message);
  size_t cut = kMaxErrorMessageBytes;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80)
    --cut;
  return absl::StrCat(message.substr(0, cut), "...");
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      return grpc::Status(code, "internal error");
    default:
      return grpc::Status(code, Capped(status.message()));
  }
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

absl::Status InvalidField(std::string_view field, std::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": ", std::string(rule)));
}

}  // namespace crm

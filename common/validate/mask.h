// Masking of sensitive values (phones, ID numbers) for readers without the
// right to see them, and for the audit log. One rule for the whole suite.
#pragma once

#include <string>
#include <string_view>

namespace crm::validate {

// "13812345678" -> "138****5678": keeps the first 3 and last 4 characters
// (code points) of values of 8 or more, stars in between; a leading "+86"
// (E.164 China) is kept and the national number masked the same way.
// Shorter values keep only their first character ("张**"); one character
// becomes "*". Empty stays empty.
std::string MaskValue(std::string_view value);

}  // namespace crm::validate

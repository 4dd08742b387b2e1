#include "common/validate/phone.h"

#include <optional>
#include <string>
#include <variant>

#include "common/status/status.h"
#include "common/validate/text.h"
#include "common/validate/utf8.h"

namespace crm::validate {
namespace {

constexpr std::string_view kOnlyDigits =
    "may contain only digits, spaces, '+', '-', '.', '(' and ')'";
constexpr std::string_view kExtension =
    "extensions are not supported; store the extension separately";

// The digits of a number and whether it was written with a leading '+'.
struct Dialed {
  bool plus = false;
  std::string digits;
};

// A parse either yields the E.164 string or the rule that was broken.
struct Rule {
  std::string_view text;
};
using Parsed = std::variant<std::string, Rule>;

bool IsSeparator(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == '-' || cp == '.' ||
         cp == '(' || cp == ')' || (cp >= 0x2010 && cp <= 0x2015) ||
         cp == 0x2212;
}

// Characters that start an extension in Chinese and Western notation:
// 转 (transfer), 分机 (extension), "ext", "x", '#', and the dialer pause
// characters ',' and ';'.
bool StartsExtension(const std::u32string& cps, size_t i) {
  switch (cps[i]) {
    case U'转':
    case 'x':
    case 'X':
    case '#':
    case ',':
    case ';':
      return true;
    case U'分':
      return i + 1 < cps.size() && cps[i + 1] == U'机';
    case 'e':
    case 'E':
      return cps.substr(i, 3) == U"ext" || cps.substr(i, 3) == U"EXT" ||
             cps.substr(i, 3) == U"Ext";
    default:
      return false;
  }
}

// Strictly ascending or descending by one, wrapping 9->0 / 0->9 as on a
// keypad row ("78901234" is as fake as "12345678").
bool IsRun(std::string_view d) {
  if (d.size() < 2) return false;
  bool up = true, down = true;
  for (size_t i = 1; i < d.size(); ++i) {
    const int step = (d[i] - d[i - 1] + 10) % 10;
    up = up && step == 1;
    down = down && step == 9;
  }
  return up || down;
}

bool AllSame(std::string_view d) {
  return d.find_first_not_of(d[0]) == std::string_view::npos;
}

Parsed Foreign(std::string_view digits) {
  if (digits.size() < 8 || digits.size() > 15) {
    return Rule{"international number must have 8 to 15 digits"};
  }
  if (digits[0] == '0') return Rule{"country code must not start with 0"};
  return "+" + std::string(digits);
}

Parsed Mobile(std::string_view nsn) {
  if (nsn[1] < '3') return Rule{"mobile number must start with 13 to 19"};
  if (nsn.size() != 11) return Rule{"mobile number must have 11 digits"};
  // The last 8 digits are the subscriber part behind the 3-digit network
  // prefix; reps type 138 0000 0000 or 139 1234 5678 to skip the field.
  std::string_view subscriber = nsn.substr(3);
  if (subscriber == "00000000") {
    return Rule{"looks like a placeholder (subscriber number is all zeros)"};
  }
  if (IsRun(subscriber)) {
    return Rule{"looks like a placeholder (sequential digits)"};
  }
  if (nsn == "13800138000") {
    return Rule{"is a well-known placeholder number"};
  }
  return "+86" + std::string(nsn);
}

Parsed Landline(std::string_view nsn) {
  // 10 (Beijing) and 2x are the short area codes, with 8-digit local
  // numbers; the rest (3xx..9xx, written 03xx..09xx) take 7 or 8 digits.
  // National() sends only 10 and 0/2..9 here; 0 cannot follow the trunk 0.
  if (nsn[0] == '0') return Rule{"unknown area code"};
  const size_t area_len = (nsn[0] == '1' || nsn[0] == '2') ? 2 : 3;
  if (nsn.size() <= area_len) return Rule{"landline number is too short"};
  std::string_view local = nsn.substr(area_len);
  if (area_len == 2 && local.size() != 8) {
    return Rule{
        "landline number must have 8 digits after area codes 010 and 02x"};
  }
  if (local.size() < 7 || local.size() > 8) {
    return Rule{"landline number must have 7 or 8 digits after the area code"};
  }
  if (local[0] == '0' || local[0] == '1') {
    return Rule{"landline number must not start with 0 or 1"};
  }
  if (IsRun(local)) return Rule{"looks like a placeholder (sequential digits)"};
  return "+86" + std::string(nsn);
}

// `national` is what follows the country code (or everything, when none was
// given); `international` says whether +86/0086/86 preceded it.
Parsed National(std::string_view national, bool international) {
  if (national.empty()) return Rule{"is missing the number after +86"};
  const bool trunk = national[0] == '0';
  std::string_view nsn = trunk ? national.substr(1) : national;
  if (nsn.empty()) return Rule{"unknown area code"};
  // Checked on the whole number before any prefix rule so that
  // 11111111111 and 12345678901 are called what they are.
  if (nsn.size() >= 7 && (AllSame(nsn) || IsRun(nsn))) {
    return Rule{"looks like a placeholder (repeated or sequential digits)"};
  }
  if (nsn.size() == 10 &&
      (nsn.substr(0, 3) == "400" || nsn.substr(0, 3) == "800")) {
    return Rule{
        "400/800 service numbers are not accepted; use a direct number"};
  }
  if (nsn[0] == '1' && nsn.size() >= 2) {
    // "10" is Beijing once we know the number is national (trunk 0 or
    // +86); without either, a leading 1 can only mean a mobile. A trunk 0
    // before a mobile is an old long-distance dialing habit: accepted.
    if (nsn[1] == '0' && (trunk || international)) return Landline(nsn);
    // 011, 012: after a trunk 0 this was meant as an area code.
    if (trunk && nsn[1] < '3') return Rule{"unknown area code"};
    return Mobile(nsn);
  }
  if (nsn.size() < 2) return Rule{"is too short"};
  if (!trunk && !international) {
    return Rule{"landline number needs an area code starting with 0"};
  }
  return Landline(nsn);
}

Parsed Parse(const Dialed& d) {
  std::string_view digits = d.digits;
  if (d.plus) {
    if (digits.substr(0, 2) == "86") return National(digits.substr(2), true);
    return Foreign(digits);
  }
  if (digits.substr(0, 2) == "00") {
    if (digits.substr(0, 4) == "0086") return National(digits.substr(4), true);
    return Foreign(digits.substr(2));
  }
  // A bare 86 only counts when a valid-looking mobile follows; otherwise
  // 86xxxxxxxx could as well be a local number missing its area code.
  if (digits.size() == 13 && digits.substr(0, 2) == "86" && digits[2] == '1' &&
      digits[3] >= '3') {
    return National(digits.substr(2), true);
  }
  return National(digits, false);
}

// Reads `cps` into digits and a leading '+'; nullopt with *rule set when a
// character does not belong in a phone number.
std::optional<Dialed> Scan(const std::u32string& cps, std::string_view* rule) {
  Dialed d;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t cp = cps[i];
    if (cp >= '0' && cp <= '9') {
      d.digits.push_back(static_cast<char>(cp));
    } else if (cp == '+') {
      if (d.plus || !d.digits.empty()) {
        *rule = "'+' may only appear at the start";
        return std::nullopt;
      }
      d.plus = true;
    } else if (!IsSeparator(cp)) {
      *rule = (!d.digits.empty() && StartsExtension(cps, i)) ? kExtension
                                                             : kOnlyDigits;
      return std::nullopt;
    }
  }
  return d;
}

}  // namespace

absl::StatusOr<std::string> NormalizePhone(std::string_view raw,
                                           std::string_view field) {
  std::string text = CollapseSpaces(ToHalfWidth(raw));
  if (text.empty()) return InvalidField(field, "must not be empty");
  std::optional<std::u32string> cps = DecodeUtf8(text);
  if (!cps) return InvalidField(field, kOnlyDigits);
  std::string_view rule;
  std::optional<Dialed> dialed = Scan(*cps, &rule);
  if (!dialed) return InvalidField(field, rule);
  if (dialed->digits.empty()) return InvalidField(field, "must contain digits");

  Parsed parsed = Parse(*dialed);
  if (auto* e164 = std::get_if<std::string>(&parsed)) return std::move(*e164);

  // "0571-88886666-801": a short last group after a dash that makes an
  // otherwise valid number too long is an extension. Say so rather than
  // reporting a confusing length error.
  const size_t dash =
      cps->find_last_of(U"-\u2010\u2011\u2012\u2013\u2014\u2015\u2212");
  if (dash != std::u32string::npos) {
    std::u32string tail = cps->substr(dash + 1);
    std::string tail_digits;
    for (char32_t cp : tail) {
      if (cp >= '0' && cp <= '9') tail_digits.push_back(static_cast<char>(cp));
    }
    if (!tail_digits.empty() && tail_digits.size() <= 6) {
      Dialed head = *dialed;
      head.digits.resize(head.digits.size() - tail_digits.size());
      if (!head.digits.empty() &&
          std::holds_alternative<std::string>(Parse(head))) {
        return InvalidField(field, kExtension);
      }
    }
  }
  return InvalidField(field, std::get<Rule>(parsed).text);
}

bool IsMobileCN(std::string_view e164) {
  if (e164.size() != 14 || e164.substr(0, 4) != "+861") return false;
  if (e164[4] < '3' || e164[4] > '9') return false;
  return e164.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

}  // namespace crm::validate

#include "common/validate/company_name.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "common/validate/region_names.h"
#include "common/validate/text.h"
#include "common/validate/utf8.h"

namespace crm::validate {
namespace {

// Longest first: the first match is the legal form actually written.
constexpr std::u32string_view kChineseForms[] = {U"股份有限公司",
                                                 U"有限责任公司",
                                                 U"特殊普通合伙",
                                                 U"有限公司",
                                                 U"股份公司",
                                                 U"有限合伙",
                                                 U"普通合伙",
                                                 U"工作室",
                                                 U"公司",
                                                 U"工厂",
                                                 U"厂"};

constexpr std::u32string_view kEnglishForms[] = {
    U"co",   U"ltd",  U"limited",     U"inc",     U"incorporated",
    U"llc",  U"corp", U"corporation", U"company", U"plc",
    U"gmbh", U"pte",  U"pty",         U"llp"};

// A branch keeps its marker so that it never merges with its parent.
constexpr std::u32string_view kBranchMarkers[] = {U"分公司", U"分厂"};

bool IsOpenBracket(char32_t c) {
  return c == '(' || c == '[' || c == '{' || c == U'【' || c == U'〔' ||
         c == U'〖' || c == U'｟';
}

bool IsCloseBracket(char32_t c) {
  return c == ')' || c == ']' || c == '}' || c == U'】' || c == U'〕' ||
         c == U'〗' || c == U'｠';
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

bool EndsWith(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

// "(北京)" and friends go; any other bracketed text stays, unbracketed.
// Brackets do not nest in company names; an unclosed one is punctuation.
std::u32string DropRegionQualifiers(std::u32string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsOpenBracket(s[i])) {
      out.push_back(s[i]);
      continue;
    }
    size_t close = i + 1;
    while (close < s.size() && !IsCloseBracket(s[close])) ++close;
    if (close == s.size()) {
      out.push_back(' ');
      continue;
    }
    std::u32string_view inner = s.substr(i + 1, close - i - 1);
    std::u32string key;
    for (char32_t c : inner) {
      if (!IsPunctuationOrSpace(c)) key.push_back(c);
    }
    if (!IsRegionName(EncodeUtf8(key))) {
      out.push_back(' ');
      out.append(inner);
      out.push_back(' ');
    }
    i = close;
  }
  return out;
}

// Punctuation becomes a space, and a space survives only between two ASCII
// letters or digits, where it separates English words ("acme co ltd");
// between Chinese characters it carries no meaning.
std::u32string TidySpaces(std::u32string_view s) {
  std::u32string out;
  bool pending_space = false;
  for (char32_t c : s) {
    if (IsPunctuationOrSpace(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && IsAsciiAlnum(out.back()) &&
        IsAsciiAlnum(c)) {
      out.push_back(' ');
    }
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Removes one legal form from the end; false when there is none or it is
// all that is left.
bool StripOneForm(std::u32string* s) {
  for (std::u32string_view form : kChineseForms) {
    if (!EndsWith(*s, form)) continue;
    if (s->size() == form.size()) return false;
    // "分公司" is a branch marker, handled by the caller, not a legal form.
    if (form == U"公司" && (*s)[s->size() - 3] == U'分') return false;
    s->resize(s->size() - form.size());
    return true;
  }
  // English forms are whole words: "costco" keeps its "co".
  size_t start = s->size();
  while (start > 0 && IsAsciiAlnum((*s)[start - 1])) --start;
  if (start == 0 || start == s->size()) return false;
  std::u32string_view word = std::u32string_view(*s).substr(start);
  for (std::u32string_view form : kEnglishForms) {
    if (word == form) {
      s->resize((*s)[start - 1] == ' ' ? start - 1 : start);
      return true;
    }
  }
  return false;
}

std::u32string StripLegalForms(std::u32string s) {
  while (StripOneForm(&s)) {
  }
  return s;
}

// "平安保险股份有限公司北京分公司" -> parent "平安保险股份有限公司",
// place "北京", marker "分公司": the parent loses its legal form, the
// branch keeps its place and marker.
std::u32string StripKeepingBranch(std::u32string s) {
  for (std::u32string_view marker : kBranchMarkers) {
    if (!EndsWith(s, marker) || s.size() == marker.size()) continue;
    std::u32string_view head =
        std::u32string_view(s).substr(0, s.size() - marker.size());
    size_t parent_end = head.rfind(U"公司");
    if (parent_end == std::u32string_view::npos) return s;
    parent_end += 2;
    return StripLegalForms(std::u32string(head.substr(0, parent_end))) +
           std::u32string(head.substr(parent_end)) + std::u32string(marker);
  }
  return StripLegalForms(std::move(s));
}

}  // namespace

std::string NormalizeCompanyName(std::string_view name) {
  std::optional<std::u32string> cps =
      DecodeUtf8(absl::AsciiStrToLower(ToHalfWidth(name)));
  if (!cps) return "";
  std::u32string s = StripKeepingBranch(TidySpaces(DropRegionQualifiers(*cps)));
  std::erase(s, U' ');
  return EncodeUtf8(s);
}

}  // namespace crm::validate

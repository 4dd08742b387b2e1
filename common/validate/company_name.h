// Company names for duplicate detection. Chinese company names follow
// "region + trade name + industry + legal form" (北京 字节跳动 科技 有限公司),
// and the same company is written with the region in front, in
// parentheses (字节跳动科技(北京)有限公司) or left out, with full-width or
// ASCII brackets, with or without its legal form. Normalization removes
// what varies without changing the entity; similarity scores what is left.
#pragma once

#include <string>
#include <string_view>

namespace crm::validate {

// The comparison key of a company name:
//   * full-width folded, ASCII lowercased, punctuation and spaces removed;
//   * a bracketed region qualifier is removed anywhere: (北京), （上海）,
//     【深圳市】, (中国), (China); other bracketed text is kept, brackets
//     dropped;
//   * legal-form suffixes are stripped, repeatedly: 股份有限公司,
//     有限责任公司, 有限公司, 股份公司, 公司, 有限合伙, 普通合伙, 工作室,
//     工厂, 厂, and the English co, ltd, limited, inc, llc, corp,
//     corporation, company, plc, gmbh, pte, pty, llp as separate words.
// Decisions:
//   * 集团 stays: "海尔集团公司" -> "海尔集团". A group holding is its own
//     legal entity, distinct from "海尔" operating companies; the
//     similarity still rates them close.
//   * Branches stay distinct: "平安保险股份有限公司北京分公司" ->
//     "平安保险北京分公司". A branch (分公司/分厂) has its own licence,
//     address and buyers, so it must not collapse into its parent; the
//     parent's legal form inside the name is stripped so the two still
//     score as similar.
//   * A leading region (北京字节跳动...) is kept: stripping it would merge
//     sibling companies in different cities under one key. NameSimilarity
//     looks past it instead.
// Never strips a name to nothing ("有限公司" stays "有限公司"). Idempotent.
// Returns "" for input that is not valid UTF-8 (validate first).
std::string NormalizeCompanyName(std::string_view name);

// 0..1, 1.0 exactly when the normalized names are equal, 0.0 when either
// is empty. A blend of two character-bigram Dice scores (see dice.h):
// 0.6 x the trade names (leading regions and trailing industry words such
// as 科技, 计算机系统, 贸易 removed) and 0.4 x the whole normalized names.
// The trade name is what identifies a Chinese company; comparing only
// whole names rates "北京小米科技" close to "北京华为科技" because of the
// shared 北京 and 科技. Rough bands: >= 0.8 the same company written
// differently, 0.4..0.8 related (same trade name, different entity or
// business line), < 0.3 unrelated.
double NameSimilarity(std::string_view a, std::string_view b);

}  // namespace crm::validate

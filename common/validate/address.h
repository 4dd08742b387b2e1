// Postal addresses for duplicate detection ("is this the customer at the
// same site?"). Addresses are free text typed in many ways; we normalize
// the cheap, unambiguous variations and leave the rest to a fuzzy score.
#pragma once

#include <string>
#include <string_view>

namespace crm::validate {

// The comparison key of an address: full-width folded, ASCII lowercased;
// a leading 中国/中华人民共和国 dropped; the administrative suffix after a
// known province or city removed (浙江省杭州市 -> 浙江杭州, so writing or
// omitting 省/市 does not matter); "#" read as 号 (3#楼 = 3号楼); a floor
// written 12F/12层 read as 12楼; common traditional characters (號 區 縣
// 鎮 樓 層 ...) simplified; punctuation and spaces removed. Not handled:
// Chinese numerals vs digits (三号 vs 3号), abbreviations, reordering.
// Returns "" for input that is not valid UTF-8.
std::string NormalizeAddress(std::string_view address);

// Bigram Dice (dice.h) of the normalized addresses, halved when their
// numbers contradict: both contain digits and neither's numbers are all
// found in the other (文三路90号 vs 文三路92号; but 90号 vs 90号3楼 is only
// more detail). 1.0 when the normalized forms are equal, 0.0 when either
// is empty.
double AddressSimilarity(std::string_view a, std::string_view b);

}  // namespace crm::validate

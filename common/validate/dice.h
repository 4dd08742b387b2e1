// Character-bigram Dice similarity, the fuzzy measure behind company name
// and address matching. Chinese text has no word boundaries, so words
// cannot be compared; bigrams of code points capture word-sized units
// ("字节", "跳动") without a segmenter and tolerate insertions and
// reordered parts.
#pragma once

#include <string_view>

namespace crm::validate {

// 2 * |A ∩ B| / (|A| + |B|) over the multisets of code-point bigrams of
// "^" + a + "$" and "^" + b + "$". The boundary markers give the first and
// last character a bigram of their own, so one-character strings compare
// and shared beginnings (usually the trade name) count a little more.
// Identical strings give 1.0; if either is empty or not valid UTF-8 the
// result is 0.0 (nothing to compare is not evidence of a match).
double BigramDice(std::u32string_view a, std::u32string_view b);
double BigramDice(std::string_view a_utf8, std::string_view b_utf8);

}  // namespace crm::validate

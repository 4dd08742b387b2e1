// NameSimilarity, declared in company_name.h.
#include <algorithm>
#include <string>

#include "common/validate/company_name.h"
#include "common/validate/dice.h"
#include "common/validate/region_names.h"

namespace crm::validate {
namespace {

// Industry words that follow the trade name (北京字节跳动|科技|有限公司).
// They are shared by thousands of unrelated companies, so they say little
// about identity. Stripped repeatedly, longest match first.
constexpr std::string_view kIndustryWords[] = {
    "科技",       "技术",         "信息",       "网络",          "互联网",
    "计算机",     "系统",         "软件",       "电子",          "通信",
    "通讯",       "数据",         "智能",       "数字",          "贸易",
    "商贸",       "进出口",       "实业",       "投资",          "控股",
    "管理",       "咨询",         "服务",       "发展",          "创新",
    "文化",       "传媒",         "广告",       "物流",          "供应链",
    "医疗",       "器械",         "医药",       "生物",          "制药",
    "健康",       "建设",         "建筑",       "工程",          "装饰",
    "设计",       "机械",         "设备",       "制造",          "餐饮",
    "食品",       "教育",         "培训",       "房地产",        "地产",
    "开发",       "置业",         "物业",       "环保",          "能源",
    "新能源",     "汽车",         "化工",       "材料",          "新材料",
    "电器",       "电气",         "自动化",     "集团",          "国际",
    "保险",       "银行",         "证券",       "金融",          "租赁",
    "technology", "technologies", "trading",    "international", "group",
    "holdings",   "holding",      "software",   "electronics",   "industries",
    "industrial", "investment",   "management", "consulting",    "services",
    "logistics"};

// The trade name: a normalized name without leading regions and trailing
// industry words. Never empty for a non-empty name ("中国银行" stays
// "银行" rather than "").
std::string TradeName(std::string_view s) {
  while (auto m = MatchRegionPrefix(s)) {
    if (m->total_len >= s.size()) break;
    s.remove_prefix(m->total_len);
  }
  for (;;) {
    size_t longest = 0;
    for (std::string_view word : kIndustryWords) {
      if (word.size() > longest && s.size() > word.size() &&
          s.ends_with(word)) {
        longest = word.size();
      }
    }
    if (longest == 0) break;
    s.remove_suffix(longest);
  }
  return std::string(s);
}

}  // namespace

double NameSimilarity(std::string_view a, std::string_view b) {
  const std::string na = NormalizeCompanyName(a);
  const std::string nb = NormalizeCompanyName(b);
  if (na.empty() || nb.empty()) return 0.0;
  if (na == nb) return 1.0;
  const double whole = BigramDice(na, nb);
  const double trade = BigramDice(TradeName(na), TradeName(nb));
  // Below 1.0 whenever the names differ, since `whole` is then < 1.
  return 0.6 * trade + 0.4 * whole;
}

}  // namespace crm::validate

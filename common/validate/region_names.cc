#include "common/validate/region_names.h"

namespace crm::validate {
namespace {

// Bare names, without 省/市/自治区. Longest match wins, so overlapping
// entries are fine.
constexpr std::string_view kChineseNames[] = {
    // Country and province-level divisions.
    "中国", "中华人民共和国", "北京", "天津", "上海", "重庆", "河北", "山西",
    "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
    "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
    "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门", "广西壮族", "宁夏回族", "新疆维吾尔",
    // Provincial capitals.
    "石家庄", "太原", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州",
    "南昌", "济南", "郑州", "武汉", "长沙", "广州", "海口", "成都", "贵阳",
    "昆明", "西安", "兰州", "西宁", "呼和浩特", "南宁", "拉萨", "银川",
    "乌鲁木齐",
    // Sub-provincial and other large cities.
    "深圳", "大连", "青岛", "宁波", "厦门", "苏州", "无锡", "常州", "南通",
    "徐州", "扬州", "泰州", "盐城", "镇江", "连云港", "淮安", "宿迁", "温州",
    "绍兴", "嘉兴", "湖州", "金华", "台州", "义乌", "芜湖", "泉州", "漳州",
    "莆田", "赣州", "九江", "烟台", "潍坊", "临沂", "淄博", "济宁", "威海",
    "洛阳", "宜昌", "襄阳", "株洲", "岳阳", "衡阳", "珠海", "佛山", "东莞",
    "中山", "惠州", "汕头", "江门", "湛江", "肇庆", "三亚", "柳州", "桂林",
    "绵阳", "宜宾", "遵义", "大理", "包头", "鄂尔多斯", "唐山", "保定", "廊坊",
    "邯郸", "大同", "鞍山", "大庆", "齐齐哈尔", "昆山", "常熟", "张家港",
    "江阴", "慈溪", "余姚", "晋江"};

// Suffixes after a bare name, longest first.
constexpr std::string_view kSuffixes[] = {"特别行政区", "自治区", "地区",
                                          "自治州",     "省",     "市"};

constexpr std::string_view kEnglishNames[] = {
    "china",     "prc",      "beijing",  "shanghai",   "tianjin", "chongqing",
    "guangzhou", "shenzhen", "hangzhou", "suzhou",     "nanjing", "wuhan",
    "chengdu",   "xiamen",   "qingdao",  "dalian",     "ningbo",  "hongkong",
    "hk",        "macau",    "taiwan",   "asiapacific"};

}  // namespace

std::optional<RegionMatch> MatchRegionPrefix(std::string_view text) {
  size_t base = 0;
  for (std::string_view name : kChineseNames) {
    if (name.size() > base && text.substr(0, name.size()) == name) {
      base = name.size();
    }
  }
  if (base == 0) return std::nullopt;
  std::string_view rest = text.substr(base);
  for (std::string_view suffix : kSuffixes) {
    if (rest.substr(0, suffix.size()) == suffix) {
      return RegionMatch{base, base + suffix.size()};
    }
  }
  return RegionMatch{base, base};
}

bool IsRegionName(std::string_view text) {
  if (std::optional<RegionMatch> m = MatchRegionPrefix(text)) {
    return m->total_len == text.size();
  }
  for (std::string_view name : kEnglishNames) {
    if (text == name) return true;
  }
  return false;
}

}  // namespace crm::validate

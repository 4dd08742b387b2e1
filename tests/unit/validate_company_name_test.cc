#include <gtest/gtest.h>

#include <string>

#include "common/validate/company_name.h"
#include "common/validate/region_names.h"

namespace crm::validate {
namespace {

TEST(CompanyNameTest, StripsLegalForms) {
  EXPECT_EQ(NormalizeCompanyName("北京字节跳动科技有限公司"),
            "北京字节跳动科技");
  EXPECT_EQ(NormalizeCompanyName("北京小米科技有限责任公司"), "北京小米科技");
  EXPECT_EQ(NormalizeCompanyName("青岛海尔股份有限公司"), "青岛海尔");
  EXPECT_EQ(NormalizeCompanyName("某某股份公司"), "某某");
  EXPECT_EQ(NormalizeCompanyName("某某公司"), "某某");
  EXPECT_EQ(NormalizeCompanyName("北京第一机床厂"), "北京第一机床");
  EXPECT_EQ(NormalizeCompanyName("义乌小商品工厂"), "义乌小商品");
  EXPECT_EQ(NormalizeCompanyName("杭州一点设计工作室"), "杭州一点设计");
  EXPECT_EQ(NormalizeCompanyName("宁波某某投资管理中心（有限合伙）"),
            "宁波某某投资管理中心");
  EXPECT_EQ(NormalizeCompanyName("某某律师事务所(特殊普通合伙)"),
            "某某律师事务所");
}

TEST(CompanyNameTest, KeepsGroup) {
  EXPECT_EQ(NormalizeCompanyName("海尔集团公司"), "海尔集团");
  EXPECT_EQ(NormalizeCompanyName("京东方科技集团股份有限公司"),
            "京东方科技集团");
  EXPECT_EQ(NormalizeCompanyName("某某集团有限公司"), "某某集团");
}

TEST(CompanyNameTest, BranchesStayDistinctFromTheirParent) {
  EXPECT_EQ(NormalizeCompanyName("中国平安财产保险股份有限公司北京分公司"),
            "中国平安财产保险北京分公司");
  EXPECT_EQ(NormalizeCompanyName("中国平安财产保险股份有限公司"),
            "中国平安财产保险");
  EXPECT_EQ(NormalizeCompanyName("某某机械有限公司第二分厂"),
            "某某机械第二分厂");
  // No legal form before the branch: nothing to strip.
  EXPECT_EQ(NormalizeCompanyName("平安保险北京分公司"), "平安保险北京分公司");
}

TEST(CompanyNameTest, RemovesBracketedRegionQualifiersAnywhere) {
  EXPECT_EQ(NormalizeCompanyName("字节跳动科技(北京)有限公司"), "字节跳动科技");
  EXPECT_EQ(NormalizeCompanyName("字节跳动科技（北京）有限公司"),
            "字节跳动科技");
  EXPECT_EQ(NormalizeCompanyName("腾讯科技（深圳）有限公司"), "腾讯科技");
  EXPECT_EQ(NormalizeCompanyName("阿里巴巴（中国）网络技术有限公司"),
            "阿里巴巴网络技术");
  EXPECT_EQ(NormalizeCompanyName("可口可乐(上海市)饮料有限公司"),
            "可口可乐饮料");
  EXPECT_EQ(NormalizeCompanyName("【深圳市】大疆创新科技有限公司"),
            "大疆创新科技");
  EXPECT_EQ(NormalizeCompanyName("某某(广西壮族自治区)物流有限公司"),
            "某某物流");
  EXPECT_EQ(NormalizeCompanyName("(北京)某某科技有限公司"), "某某科技");
  EXPECT_EQ(NormalizeCompanyName("某某科技有限公司(中国)"), "某某科技");
  // Other bracketed text is part of the name; only the brackets go.
  EXPECT_EQ(NormalizeCompanyName("某某(集团)有限公司"), "某某集团");
  EXPECT_EQ(NormalizeCompanyName("某某(国际)贸易有限公司"), "某某国际贸易");
  // An unclosed bracket is punctuation.
  EXPECT_EQ(NormalizeCompanyName("某某(北京有限公司"), "某某北京");
}

TEST(CompanyNameTest, FoldsWidthCaseAndPunctuation) {
  EXPECT_EQ(NormalizeCompanyName("  ＡＢＣ　科技·有限公司 "), "abc科技");
  EXPECT_EQ(NormalizeCompanyName("《某某》、“文化”，传媒。有限公司"),
            "某某文化传媒");
  EXPECT_EQ(NormalizeCompanyName("某某－科技—有限公司"), "某某科技");
  EXPECT_EQ(NormalizeCompanyName("58同城信息技术有限公司"), "58同城信息技术");
}

TEST(CompanyNameTest, EnglishLegalFormsAreWholeWords) {
  EXPECT_EQ(NormalizeCompanyName("Acme Trading Co., Ltd."), "acmetrading");
  EXPECT_EQ(NormalizeCompanyName("ACME (China) Trading Company Limited"),
            "acmetrading");
  EXPECT_EQ(NormalizeCompanyName("Acme Inc."), "acme");
  EXPECT_EQ(NormalizeCompanyName("Acme, LLC"), "acme");
  EXPECT_EQ(NormalizeCompanyName("Acme Corp"), "acme");
  EXPECT_EQ(NormalizeCompanyName("Acme Corporation (Shanghai)"), "acme");
  EXPECT_EQ(NormalizeCompanyName("Siemens GmbH"), "siemens");
  EXPECT_EQ(NormalizeCompanyName("Costco"), "costco");
  EXPECT_EQ(NormalizeCompanyName("Costco Wholesale Corp."), "costcowholesale");
  EXPECT_EQ(NormalizeCompanyName("Cisco Systems Inc"), "ciscosystems");
  EXPECT_EQ(NormalizeCompanyName("Mixed 混合 Co Ltd"), "mixed混合");
}

TEST(CompanyNameTest, NeverStripsToNothing) {
  EXPECT_EQ(NormalizeCompanyName("有限公司"), "有限公司");
  EXPECT_EQ(NormalizeCompanyName("公司"), "公司");
  EXPECT_EQ(NormalizeCompanyName("厂"), "厂");
  EXPECT_EQ(NormalizeCompanyName("Co., Ltd."), "co");
  EXPECT_EQ(NormalizeCompanyName(""), "");
  EXPECT_EQ(NormalizeCompanyName(" ，。 "), "");
  EXPECT_EQ(NormalizeCompanyName("(北京)"), "");
}

TEST(CompanyNameTest, InvalidUtf8GivesEmpty) {
  EXPECT_EQ(NormalizeCompanyName("某某\xFF公司"), "");
}

TEST(CompanyNameTest, Idempotent) {
  for (std::string_view name :
       {"北京字节跳动科技有限公司", "字节跳动科技(北京)有限公司",
        "中国平安财产保险股份有限公司北京分公司", "Acme Trading Co., Ltd.",
        "海尔集团公司", "有限公司", "某某(集团)有限公司",
        "Mixed 混合 Co Ltd"}) {
    const std::string once = NormalizeCompanyName(name);
    EXPECT_EQ(NormalizeCompanyName(once), once) << name;
  }
}

TEST(RegionNamesTest, MatchesNamesWithAndWithoutSuffix) {
  EXPECT_TRUE(IsRegionName("北京"));
  EXPECT_TRUE(IsRegionName("北京市"));
  EXPECT_TRUE(IsRegionName("浙江省"));
  EXPECT_TRUE(IsRegionName("广西壮族自治区"));
  EXPECT_TRUE(IsRegionName("香港特别行政区"));
  EXPECT_TRUE(IsRegionName("中国"));
  EXPECT_TRUE(IsRegionName("china"));
  EXPECT_TRUE(IsRegionName("hongkong"));
  EXPECT_FALSE(IsRegionName("北京科技"));
  EXPECT_FALSE(IsRegionName("集团"));
  EXPECT_FALSE(IsRegionName(""));
  EXPECT_FALSE(IsRegionName("China"));  // callers lowercase first

  std::optional<RegionMatch> m = MatchRegionPrefix("黑龙江省哈尔滨市");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->base_len, std::string("黑龙江").size());
  EXPECT_EQ(m->total_len, std::string("黑龙江省").size());
  EXPECT_FALSE(MatchRegionPrefix("字节跳动").has_value());
}

// Bands from company_name.h: >= 0.8 same company, 0.4..0.8 related,
// < 0.3 unrelated.
TEST(NameSimilarityTest, SameCompanyWrittenDifferently) {
  EXPECT_GE(
      NameSimilarity("北京字节跳动科技有限公司", "字节跳动科技(北京)有限公司"),
      0.8);
  EXPECT_LT(
      NameSimilarity("北京字节跳动科技有限公司", "字节跳动科技(北京)有限公司"),
      1.0);
  EXPECT_DOUBLE_EQ(NameSimilarity("字节跳动科技(北京)有限公司",
                                  "字节跳动科技（北京）有限责任公司"),
                   1.0);
  EXPECT_DOUBLE_EQ(NameSimilarity("Acme Trading Co., Ltd.",
                                  "ACME (China) Trading Company Limited"),
                   1.0);
}

TEST(NameSimilarityTest, RelatedCompaniesAreMedium) {
  // Same trade name, different legal entity and business line.
  const double tencent = NameSimilarity("腾讯科技（深圳）有限公司",
                                        "深圳市腾讯计算机系统有限公司");
  EXPECT_GE(tencent, 0.4);
  EXPECT_LT(tencent, 0.8);
  const double branch = NameSimilarity("中国平安财产保险股份有限公司北京分公司",
                                       "中国平安财产保险股份有限公司");
  EXPECT_GE(branch, 0.4);
  EXPECT_LT(branch, 0.8);
  const double haier = NameSimilarity("海尔集团公司", "青岛海尔股份有限公司");
  EXPECT_GE(haier, 0.4);
  EXPECT_LT(haier, 0.8);
}

TEST(NameSimilarityTest, UnrelatedCompaniesAreLow) {
  EXPECT_LT(NameSimilarity("北京字节跳动科技有限公司",
                           "阿里巴巴（中国）网络技术有限公司"),
            0.1);
  // Sharing a city and an industry word is not being related.
  EXPECT_LT(NameSimilarity("北京小米科技有限责任公司", "北京华为科技有限公司"),
            0.3);
  EXPECT_LT(NameSimilarity("深圳市腾讯计算机系统有限公司",
                           "深圳市大疆创新科技有限公司"),
            0.3);
}

TEST(NameSimilarityTest, EdgeCases) {
  EXPECT_DOUBLE_EQ(NameSimilarity("", "北京字节跳动科技有限公司"), 0.0);
  EXPECT_DOUBLE_EQ(NameSimilarity("", ""), 0.0);
  EXPECT_DOUBLE_EQ(NameSimilarity("，", "。"), 0.0);
  EXPECT_DOUBLE_EQ(NameSimilarity("某", "某"), 1.0);
  const double ab =
      NameSimilarity("招商银行股份有限公司", "招商证券股份有限公司");
  EXPECT_DOUBLE_EQ(
      ab, NameSimilarity("招商证券股份有限公司", "招商银行股份有限公司"));
  EXPECT_GT(ab, 0.0);
  EXPECT_LT(ab, 1.0);
}

}  // namespace
}  // namespace crm::validate

#include <gtest/gtest.h>

#include "common/validate/address.h"
#include "common/validate/dice.h"

namespace crm::validate {
namespace {

TEST(NormalizeAddressTest, DropsRegionSuffixesAndCountry) {
  EXPECT_EQ(NormalizeAddress("浙江省杭州市西湖区文三路90号"),
            "浙江杭州西湖区文三路90号");
  EXPECT_EQ(NormalizeAddress("中国北京市海淀区中关村大街1号"),
            "北京海淀区中关村大街1号");
  EXPECT_EQ(NormalizeAddress("中华人民共和国上海市浦东新区"), "上海浦东新区");
  EXPECT_EQ(NormalizeAddress("广西壮族自治区南宁市青秀区"),
            "广西壮族南宁青秀区");
  // Street names that start like a city keep their characters.
  EXPECT_EQ(NormalizeAddress("中山市中山路8号"), "中山中山路8号");
}

TEST(NormalizeAddressTest, FoldsNotationVariants) {
  EXPECT_EQ(NormalizeAddress("杭州市西湖区文三路90號"), "杭州西湖区文三路90号");
  EXPECT_EQ(NormalizeAddress("3#楼 12F"), "3号楼12楼");
  EXPECT_EQ(NormalizeAddress("A座12层"), "a座12楼");
  EXPECT_EQ(NormalizeAddress("A座12層"), "a座12楼");
  EXPECT_EQ(NormalizeAddress("Ａ座　１２Ｆ"), "a座12楼");
  EXPECT_EQ(NormalizeAddress("香港九龍灣宏照道38號"), "香港九龙湾宏照道38号");
  EXPECT_EQ(NormalizeAddress("科技中一路（腾讯大厦），南山区。"),
            "科技中一路腾讯大厦南山区");
  // "f" is a floor only after digits and not inside a word.
  EXPECT_EQ(NormalizeAddress("Fortune Plaza 5"), "fortuneplaza5");
  EXPECT_EQ(NormalizeAddress("5ft road"), "5ftroad");
  EXPECT_EQ(NormalizeAddress(""), "");
  EXPECT_EQ(NormalizeAddress("\xFF"), "");
}

TEST(AddressSimilarityTest, SameSite) {
  EXPECT_DOUBLE_EQ(AddressSimilarity("中国北京市海淀区中关村大街1号 A座12F",
                                     "北京海淀区中关村大街1号A座12层"),
                   1.0);
  EXPECT_GE(AddressSimilarity("浙江省杭州市西湖区文三路90号",
                              "杭州市西湖区文三路90號"),
            0.8);
  EXPECT_GE(AddressSimilarity("深圳市南山区科技园科技中一路腾讯大厦",
                              "广东省深圳市南山区科技中一路腾讯大厦"),
            0.75);
  // More detail on one side is not a contradiction.
  EXPECT_GE(
      AddressSimilarity("杭州市西湖区文三路90号", "杭州市西湖区文三路90号3楼"),
      0.8);
}

TEST(AddressSimilarityTest, DifferentHouseNumbersAreNotTheSameSite) {
  const double a = AddressSimilarity("北京市海淀区中关村大街1号",
                                     "北京市海淀区中关村大街2号");
  EXPECT_LT(a, 0.5);
  EXPECT_DOUBLE_EQ(
      a, 0.5 * BigramDice(NormalizeAddress("北京市海淀区中关村大街1号"),
                          NormalizeAddress("北京市海淀区中关村大街2号")));
}

TEST(AddressSimilarityTest, DifferentPlaces) {
  EXPECT_LT(AddressSimilarity("浙江省杭州市西湖区文三路90号",
                              "上海市浦东新区世纪大道100号"),
            0.2);
  EXPECT_DOUBLE_EQ(AddressSimilarity("", "上海市浦东新区世纪大道100号"), 0.0);
}

}  // namespace
}  // namespace crm::validate

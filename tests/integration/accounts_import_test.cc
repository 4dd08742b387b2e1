// ImportAccounts against real MariaDB and Redis: CSV (UTF-8 with BOM,
// GB18030) and .xlsx uploads into a public pool, header errors, per-row
// outcomes, in-file duplicates, all_or_nothing, request_id retries and
// permissions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iconv.h>
#include <zip.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using testing::AccountsHarness;
using ::testing::HasSubstr;

std::string CreditCode(int n) { return testing::CreditCode(n, "91440000MA5"); }

std::string ToGb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

// A minimal one-sheet workbook with inline strings, written with libzip.
std::string Xlsx(const std::vector<std::vector<std::string>>& rows) {
  const std::string main_ns =
      "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  std::string sheet;
  for (size_t r = 0; r < rows.size(); ++r) {
    sheet += absl::StrCat("<row r=\"", r + 1, "\">");
    for (size_t c = 0; c < rows[r].size(); ++c) {
      if (rows[r][c].empty()) continue;
      sheet += absl::StrCat("<c r=\"", std::string(1, 'A' + c), r + 1,
                            "\" t=\"inlineStr\"><is><t>", rows[r][c],
                            "</t></is></c>");
    }
    sheet += "</row>";
  }
  std::vector<std::pair<std::string, std::string>> parts = {
      {"[Content_Types].xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
       "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "content-types\"><Default Extension=\"rels\" "
       "ContentType=\"application/"
       "vnd.openxmlformats-package.relationships+xml\"/><Default "
       "Extension=\"xml\" ContentType=\"application/xml\"/></Types>"},
      {"_rels/.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
       "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "relationships\"><Relationship Id=\"rId1\" "
       "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/officeDocument\" "
       "Target=\"xl/workbook.xml\"/></Relationships>"},
      {"xl/workbook.xml",
       absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "
                    "xmlns=\"",
                    main_ns,
                    "\" xmlns:r=\"http://schemas.openxmlformats.org/"
                    "officeDocument/2006/relationships\"><sheets><sheet "
                    "name=\"客户\" sheetId=\"1\" "
                    "r:id=\"rId1\"/></sheets></workbook>")},
      {"xl/_rels/workbook.xml.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
       "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "relationships\"><Relationship Id=\"rId1\" "
       "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/worksheet\" "
       "Target=\"worksheets/sheet1.xml\"/></Relationships>"},
      {"xl/worksheets/sheet1.xml",
       absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet "
                    "xmlns=\"",
                    main_ns, "\"><sheetData>", sheet,
                    "</sheetData></worksheet>")},
  };
  const std::string path = absl::StrCat(::testing::TempDir(),
                                        "/accounts_import_", getpid(), ".xlsx");
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(za, nullptr);
  for (const auto& [name, data] : parts) {
    zip_source_t* src = zip_source_buffer(za, data.data(), data.size(), 0);
    zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
  }
  EXPECT_EQ(zip_close(za), 0);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(path.c_str());
  return ss.str();
}

struct Options {
  int64_t pool_id = 0;
  bool all_or_nothing = false;
  std::string request_id;
  size_t chunk = 13;  // small, so rows and characters straddle chunks
};

class AccountsImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    manager_ = h_.User("import_mgr", "east", "sales_manager").token;
  }

  grpc::Status Import(const std::string& token, const std::string& file_name,
                      const std::string& data, pb::ImportAccountsResponse* out,
                      Options o = {}) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    std::unique_ptr<grpc::ClientWriter<pb::ImportAccountsRequest>> w =
        h_.stub().ImportAccounts(&ctx, out);
    pb::ImportAccountsRequest header;
    header.mutable_header()->set_file_name(file_name);
    header.mutable_header()->set_pool_id(o.pool_id);
    header.mutable_header()->set_all_or_nothing(o.all_or_nothing);
    header.mutable_header()->set_request_id(o.request_id);
    // The server may answer before reading everything (a stored result, a
    // refusal): a failed Write just ends the upload.
    bool open = w->Write(header);
    for (size_t i = 0; open && i < data.size(); i += o.chunk) {
      pb::ImportAccountsRequest chunk;
      chunk.set_chunk(data.substr(i, o.chunk));
      open = w->Write(chunk);
    }
    w->WritesDone();
    return w->Finish();
  }

  int64_t Count(const std::string& sql) { return h_.QueryInt(sql, "c"); }

  AccountsHarness h_;
  std::string manager_;
};

const char kHeader[] = "客户名称,统一社会信用代码,手机,行业,地址,类型,联系人\n";

TEST_F(AccountsImportTest, CsvWithBomCreatesAccountsInTheRegionDefaultPool) {
  const std::string csv = absl::StrCat(
      "\xEF\xBB\xBF", kHeader, "华南制造有限公司,", CreditCode(1),
      ",,制造,广州市天河区,KA,张三\n", "李四,,13912345670,,,SMB,\n",
      "\"深圳, 某某贸易有限公司\",", CreditCode(2), ",,贸易,,,\n");
  pb::ImportAccountsResponse resp;
  grpc::Status s = Import(manager_, "客户.csv", csv, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.created(), 3);
  EXPECT_EQ(resp.duplicates(), 0);
  EXPECT_EQ(resp.invalid(), 0);
  ASSERT_EQ(resp.rows_size(), 3);
  EXPECT_EQ(resp.rows(0).row(), 2);
  EXPECT_EQ(resp.rows(0).outcome(), pb::ImportRowResult::OUTCOME_CREATED);
  const pb::Account a = h_.GetAccountOk(resp.rows(0).account_id());
  EXPECT_EQ(a.name(), "华南制造有限公司");
  EXPECT_EQ(a.type(), pb::CUSTOMER_TYPE_KA);
  EXPECT_EQ(a.region_code(), "east");
  EXPECT_GT(a.pool_id(), 0);
  EXPECT_EQ(h_.GetAccountOk(resp.rows(1).account_id()).kind(),
            pb::ACCOUNT_KIND_PERSON);
  EXPECT_EQ(h_.GetAccountOk(resp.rows(2).account_id()).name(),
            "深圳, 某某贸易有限公司");
  // The region's default pool, an import history entry each, the contact,
  // and the name grams (similar-name search finds imported accounts).
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM pools WHERE id = ",
                               a.pool_id(), " AND is_region_default = 1")),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM pool_moves WHERE kind = 7 AND "
                  "to_pool_id IS NOT NULL"),
            3);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM contacts WHERE "
                               "is_primary = 1 AND name = '张三' AND "
                               "account_id = ",
                               a.id())),
            1);
  EXPECT_GT(
      Count(absl::StrCat("SELECT COUNT(*) AS c FROM account_name_grams WHERE "
                         "account_id = ",
                         a.id())),
      0);
}

TEST_F(AccountsImportTest, Gb18030CsvFromChineseExcel) {
  const std::string csv = ToGb18030(
      absl::StrCat("客户名称,统一社会信用代码,行业\r\n",
                   "北京某某软件有限公司,", CreditCode(3), ",软件\r\n"));
  pb::ImportAccountsResponse resp;
  grpc::Status s = Import(manager_, "kehu.csv", csv, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.created(), 1);
  const pb::Account a = h_.GetAccountOk(resp.rows(0).account_id());
  EXPECT_EQ(a.name(), "北京某某软件有限公司");
  EXPECT_EQ(a.industry(), "软件");
}

TEST_F(AccountsImportTest, XlsxFirstSheet) {
  const std::string xlsx =
      Xlsx({{"公司名称", "信用代码", "区域", "客户类型"},
            {"杭州某某网络有限公司", CreditCode(4), "east", "大客户"},
            {"坏代码公司", "123", "", ""}});
  pb::ImportAccountsResponse resp;
  grpc::Status s = Import(manager_, "客户.xlsx", xlsx, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.created(), 1);
  EXPECT_EQ(resp.invalid(), 1);
  ASSERT_EQ(resp.rows_size(), 2);
  EXPECT_EQ(h_.GetAccountOk(resp.rows(0).account_id()).type(),
            pb::CUSTOMER_TYPE_KA);
  EXPECT_EQ(resp.rows(1).row(), 3);
  EXPECT_EQ(resp.rows(1).outcome(), pb::ImportRowResult::OUTCOME_INVALID);
  EXPECT_THAT(resp.rows(1).error(), HasSubstr("credit_code: "));
}

TEST_F(AccountsImportTest, HeaderAndFileErrors) {
  pb::ImportAccountsResponse resp;
  grpc::Status s =
      Import(manager_, "a.csv", "电话,地址\n13912345670,x\n", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("header"));
  EXPECT_THAT(s.error_message(), HasSubstr("name"));

  s = Import(manager_, "a.csv", "", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("file"));

  s = Import(manager_, "a.pdf", "%PDF-1.4 ...", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  s = Import(manager_, "", "客户名称\nx\n", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("header.file_name"));

  // A broken CSV line fails the call naming the line.
  s = Import(manager_, "a.csv", "客户名称,手机\n\"张三\"x,13912345670\n",
             &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("line 2"));

  // A pool that does not exist.
  Options o;
  o.pool_id = 999999;
  s = Import(manager_, "a.csv", "客户名称\nx\n", &resp, o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM accounts"), 0);
}

TEST_F(AccountsImportTest, PerRowOutcomesAndDuplicates) {
  // An existing account holding CreditCode(10).
  pb::ImportAccountsResponse first;
  ASSERT_TRUE(
      Import(manager_, "a.csv",
             absl::StrCat(kHeader, "已有公司,", CreditCode(10), ",,,,,\n"),
             &first)
          .ok());
  ASSERT_EQ(first.created(), 1);
  const int64_t existing = first.rows(0).account_id();

  const std::string csv =
      absl::StrCat(kHeader,
                   /*2*/ "新公司甲,", CreditCode(11), ",,,,,\n",
                   /*3*/ "已有公司二号,", CreditCode(10), ",,,,,\n",
                   /*4*/ "新公司甲重复,", CreditCode(11), ",,,,,\n",
                   /*5*/ "坏码公司,91440000MA5000000X,,,,,\n",
                   /*6*/ "王五,,13912345675,,,,\n",
                   /*7*/ "王五二,,+86 139-1234-5675,,,,\n",
                   /*8*/ "无电话个人,,,,,,\n",
                   /*9*/ "类型错误公司,", CreditCode(12), ",,,,VIP,\n",
                   /*10*/ "已有公司三号,", CreditCode(10), ",,,,,\n");
  pb::ImportAccountsResponse resp;
  grpc::Status s = Import(manager_, "b.csv", csv, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.created(), 2);
  EXPECT_EQ(resp.duplicates(), 4);
  EXPECT_EQ(resp.invalid(), 3);
  ASSERT_EQ(resp.rows_size(), 9);
  std::map<int64_t, pb::ImportRowResult> by_row;
  for (const auto& r : resp.rows()) by_row[r.row()] = r;
  EXPECT_EQ(by_row[2].outcome(), pb::ImportRowResult::OUTCOME_CREATED);
  EXPECT_EQ(by_row[3].outcome(), pb::ImportRowResult::OUTCOME_DUPLICATE);
  EXPECT_EQ(by_row[3].account_id(), existing);
  EXPECT_EQ(by_row[3].error(),
            absl::StrCat("credit_code: already exists as account ", existing));
  EXPECT_EQ(by_row[4].outcome(), pb::ImportRowResult::OUTCOME_DUPLICATE);
  EXPECT_EQ(by_row[4].account_id(), by_row[2].account_id());
  EXPECT_EQ(by_row[4].error(), "credit_code: duplicate of row 2");
  EXPECT_EQ(by_row[5].outcome(), pb::ImportRowResult::OUTCOME_INVALID);
  EXPECT_THAT(by_row[5].error(), HasSubstr("credit_code: "));
  EXPECT_EQ(by_row[6].outcome(), pb::ImportRowResult::OUTCOME_CREATED);
  EXPECT_EQ(by_row[7].outcome(), pb::ImportRowResult::OUTCOME_DUPLICATE);
  EXPECT_EQ(by_row[7].error(), "phone: duplicate of row 6");
  EXPECT_EQ(by_row[7].account_id(), by_row[6].account_id());
  EXPECT_EQ(by_row[8].error(), "phone: required for a person");
  EXPECT_EQ(by_row[9].error(), "type: must be KA or SMB");
  // A later copy of a key already in the database: a duplicate of it.
  EXPECT_EQ(by_row[10].account_id(), existing);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM accounts"), 3);
}

TEST_F(AccountsImportTest, SimilarNamesDoNotBlockImports) {
  pb::ImportAccountsResponse resp;
  ASSERT_TRUE(
      Import(manager_, "a.csv",
             absl::StrCat(kHeader, "上海华东科技有限公司,", CreditCode(20),
                          ",,,,,\n", "上海华东科技有限责任公司,",
                          CreditCode(21), ",,,,,\n"),
             &resp)
          .ok());
  EXPECT_EQ(resp.created(), 2);
}

TEST_F(AccountsImportTest, ManyRowsAcrossBatches) {
  std::string csv = kHeader;
  for (int i = 0; i < 1300; ++i)
    absl::StrAppend(&csv, "批量公司", i, "号,", CreditCode(1000 + i),
                    ",,,,,\n");
  // A duplicate of a row from the first batch, in the third.
  absl::StrAppend(&csv, "批量公司重复,", CreditCode(1000), ",,,,,\n");
  Options o;
  o.chunk = 64 * 1024;
  pb::ImportAccountsResponse resp;
  grpc::Status s = Import(manager_, "big.csv", csv, &resp, o);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.created(), 1300);
  EXPECT_EQ(resp.duplicates(), 1);
  // Created rows are listed up to the cap of 1000; problems always first.
  EXPECT_EQ(resp.rows_size(), 1001);
  EXPECT_EQ(resp.rows(1000).error(), "credit_code: duplicate of row 2");
  EXPECT_EQ(resp.rows(1000).account_id(), resp.rows(0).account_id());
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM accounts"), 1300);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM pool_moves WHERE kind = 7"), 1300);
}

TEST_F(AccountsImportTest, AllOrNothing) {
  Options o;
  o.all_or_nothing = true;
  pb::ImportAccountsResponse resp;
  const std::string bad = absl::StrCat(
      kHeader, "甲公司,", CreditCode(30), ",,,,,\n", "乙公司,", CreditCode(31),
      ",,,,,\n", "丙公司,bad,,,,,\n", "甲公司重复,", CreditCode(30), ",,,,,\n");
  grpc::Status s = Import(manager_, "a.csv", bad, &resp, o);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.created(), 0);
  EXPECT_EQ(resp.invalid(), 1);
  EXPECT_EQ(resp.duplicates(), 1);
  ASSERT_EQ(resp.rows_size(), 2);
  EXPECT_EQ(resp.rows(0).row(), 4);
  EXPECT_EQ(resp.rows(1).row(), 5);
  EXPECT_EQ(resp.rows(1).error(), "credit_code: duplicate of row 2");
  EXPECT_EQ(resp.rows(1).account_id(), 0);  // row 2 was rolled back
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM accounts"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM pool_moves"), 0);

  // Without problems everything commits.
  const std::string good =
      absl::StrCat(kHeader, "甲公司,", CreditCode(30), ",,,,,\n", "乙公司,",
                   CreditCode(31), ",,,,,\n");
  resp.Clear();
  s = Import(manager_, "a.csv", good, &resp, o);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.created(), 2);
  EXPECT_EQ(resp.rows_size(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM accounts"), 2);
  EXPECT_EQ(h_.GetAccountOk(resp.rows(1).account_id()).name(), "乙公司");
}

TEST_F(AccountsImportTest, RetryWithTheSameRequestIdReturnsTheFirstResult) {
  Options o;
  o.request_id = "import-req-1";
  const std::string csv = absl::StrCat(kHeader, "甲公司,", CreditCode(40),
                                       ",,,,,\n", "坏公司,x,,,,,\n");
  pb::ImportAccountsResponse first, again;
  ASSERT_TRUE(Import(manager_, "a.csv", csv, &first, o).ok());
  EXPECT_EQ(first.created(), 1);
  EXPECT_EQ(first.invalid(), 1);
  ASSERT_TRUE(Import(manager_, "a.csv", csv, &again, o).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM accounts"), 1);
  // Another request id reads the file again: now a duplicate.
  o.request_id = "import-req-2";
  pb::ImportAccountsResponse other;
  ASSERT_TRUE(Import(manager_, "a.csv", csv, &other, o).ok());
  EXPECT_EQ(other.created(), 0);
  EXPECT_EQ(other.duplicates(), 1);
}

TEST_F(AccountsImportTest, OnlyManagersImportAndOnlyIntoTheirRegion) {
  const std::string rep = h_.User("import_rep", "e1", "sales_rep").token;
  pb::ImportAccountsResponse resp;
  grpc::Status s = Import(
      rep, "a.csv", absl::StrCat(kHeader, "甲公司,", CreditCode(50), ",,,,,\n"),
      &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // A manager of north may not fill east's pool.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  pb::CreatePoolRequest req;
  req.mutable_pool()->set_name("华东导入池");
  req.mutable_pool()->set_region_code("east");
  pb::Pool pool;
  ASSERT_TRUE(h_.stub().CreatePool(&ctx, req, &pool).ok());
  const std::string north =
      h_.User("north_mgr", "north", "sales_manager").token;
  Options o;
  o.pool_id = pool.id();
  s = Import(north, "a.csv",
             absl::StrCat(kHeader, "甲公司,", CreditCode(50), ",,,,,\n"), &resp,
             o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The east manager may, into that named pool.
  resp.Clear();
  s = Import(manager_, "a.csv",
             absl::StrCat(kHeader, "甲公司,", CreditCode(50), ",,,,,\n"), &resp,
             o);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(h_.GetAccountOk(resp.rows(0).account_id()).pool_id(), pool.id());
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM accounts"), 1);
}

}  // namespace
}  // namespace crm::accounts

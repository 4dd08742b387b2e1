// Contacts, follow-ups, visit check-ins and nearby accounts against real
// MariaDB and Redis, with identity in-process: validation of every field,
// data scope, idempotent retries, the primary contact, the timeline across
// a release and claim, the visit radius, work hours and suspicious
// check-ins, and the nearby search's order and region filter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "common/validate/geo.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using testing::AccountsHarness;
using testing::CreditCode;
using ::testing::HasSubstr;

constexpr auto kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
constexpr auto kNotFound = grpc::StatusCode::NOT_FOUND;
constexpr auto kPrecondition = grpc::StatusCode::FAILED_PRECONDITION;

// People's Square, Shanghai, and Hangzhou West Lake (~165 km apart).
constexpr double kShLat = 31.2304, kShLng = 121.4737;
constexpr double kHzLat = 30.2460, kHzLng = 120.1550;
// Degrees of latitude per meter (spherical Earth).
constexpr double kLatPerM = 1.0 / 111'195.0;

const absl::TimeZone kBeijing = absl::FixedTimeZone(8 * 3600);

// The first Monday in Beijing strictly after `now` (the harness clock starts
// at the real time and may only move forward: tokens are checked with it).
absl::CivilDay NextMonday(absl::Time now) {
  absl::CivilDay day = absl::ToCivilDay(now, kBeijing) + 1;
  while (absl::GetWeekday(day) != absl::Weekday::monday) ++day;
  return day;
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Time FromTs(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// The status is INVALID_ARGUMENT naming `field`.
void ExpectInvalid(const grpc::Status& s, const std::string& field) {
  EXPECT_EQ(s.error_code(), kInvalid) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr(field + ":"));
}

class ActivityTest : public ::testing::Test {
 protected:
  ActivityTest() : monday_(NextMonday(h_.clock().Now())) {
    // Work hours: the coming Monday, 10:00 in Beijing.
    h_.clock().Set(Beijing(0, 10, 0));
  }

  // `days` after that Monday, at hh:mm Beijing time.
  absl::Time Beijing(int days, int h, int mi) const {
    const absl::CivilDay d = monday_ + days;
    return absl::FromCivil(
        absl::CivilSecond(d.year(), d.month(), d.day(), h, mi, 0), kBeijing);
  }

  // A company account owned by `token`'s user (or placed in `pool_id`).
  int64_t Account(const std::string& token, const std::string& name,
                  std::optional<std::pair<double, double>> at = std::nullopt,
                  int64_t pool_id = 0, const std::string& region = "east") {
    pb::Account a =
        testing::CompanyDraft(name, CreditCode(++code_seq_), region);
    if (at.has_value()) {
      a.mutable_location()->set_lat(at->first);
      a.mutable_location()->set_lng(at->second);
    }
    return h_.CreateAccountOk(token, a, pool_id);
  }

  int64_t Pool(const std::string& region, int cooldown_days = 7) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::CreatePoolRequest req;
    req.mutable_pool()->set_name(absl::StrCat("公海 ", region, " ", ++seq_));
    req.mutable_pool()->set_region_code(region);
    req.mutable_pool()->mutable_claim_rules()->set_former_owner_cooldown_days(
        cooldown_days);
    pb::Pool pool;
    grpc::Status s = h_.stub().CreatePool(&ctx, req, &pool);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return pool.id();
  }

  static pb::Contact Contact(int64_t account_id, const std::string& name,
                             const std::string& phone,
                             const std::string& email = "",
                             bool primary = false) {
    pb::Contact c;
    c.set_account_id(account_id);
    c.set_name(name);
    c.set_phone(phone);
    c.set_email(email);
    c.set_primary(primary);
    return c;
  }

  grpc::Status AddContact(const std::string& token, const pb::Contact& c,
                          pb::Contact* out = nullptr,
                          const std::string& request_id = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::AddContactRequest req;
    *req.mutable_contact() = c;
    req.set_request_id(request_id);
    pb::Contact ignored;
    return h_.stub().AddContact(&ctx, req, out ? out : &ignored);
  }

  grpc::Status UpdateContact(const std::string& token, const pb::Contact& c,
                             std::vector<std::string> paths,
                             pb::Contact* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateContactRequest req;
    *req.mutable_contact() = c;
    for (auto& p : paths) req.mutable_update_mask()->add_paths(p);
    pb::Contact ignored;
    return h_.stub().UpdateContact(&ctx, req, out ? out : &ignored);
  }

  grpc::Status DeleteContact(const std::string& token, int64_t id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::DeleteContactRequest req;
    req.set_id(id);
    pb::DeleteContactResponse out;
    return h_.stub().DeleteContact(&ctx, req, &out);
  }

  grpc::Status ListContacts(const std::string& token, int64_t account_id,
                            pb::ListContactsResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListContactsRequest req;
    req.set_account_id(account_id);
    return h_.stub().ListContacts(&ctx, req, out);
  }

  static pb::FollowUp FollowUp(
      int64_t account_id, const std::string& content,
      pb::FollowUpKind kind = pb::FOLLOW_UP_KIND_CALL) {
    pb::FollowUp f;
    f.set_account_id(account_id);
    f.set_kind(kind);
    f.set_content(content);
    return f;
  }

  grpc::Status AddFollowUp(const std::string& token, const pb::FollowUp& f,
                           pb::FollowUp* out = nullptr,
                           const std::string& request_id = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::AddFollowUpRequest req;
    *req.mutable_follow_up() = f;
    req.set_request_id(request_id);
    pb::FollowUp ignored;
    return h_.stub().AddFollowUp(&ctx, req, out ? out : &ignored);
  }

  grpc::Status ListFollowUps(const std::string& token, int64_t account_id,
                             pb::ListFollowUpsResponse* out, int page_size = 0,
                             const std::string& page_token = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListFollowUpsRequest req;
    req.set_account_id(account_id);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    return h_.stub().ListFollowUps(&ctx, req, out);
  }

  grpc::Status CheckIn(const std::string& token, int64_t account_id, double lat,
                       double lng, pb::Visit* out = nullptr,
                       double accuracy = 10,
                       const std::string& device = "dev-1",
                       const std::string& request_id = "",
                       const std::string& note = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CheckInVisitRequest req;
    req.set_account_id(account_id);
    req.mutable_location()->set_lat(lat);
    req.mutable_location()->set_lng(lng);
    req.set_accuracy_m(accuracy);
    req.set_device_id(device);
    req.set_request_id(request_id);
    req.set_note(note);
    pb::Visit ignored;
    return h_.stub().CheckInVisit(&ctx, req, out ? out : &ignored);
  }

  grpc::Status Nearby(const std::string& token, double lat, double lng,
                      double radius, int limit,
                      pb::ListNearbyAccountsResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListNearbyAccountsRequest req;
    req.mutable_center()->set_lat(lat);
    req.mutable_center()->set_lng(lng);
    req.set_radius_m(radius);
    req.set_limit(limit);
    return h_.stub().ListNearbyAccounts(&ctx, req, out);
  }

  AccountsHarness h_;
  const absl::CivilDay monday_;
  int code_seq_ = 0;
  int seq_ = 0;
};

// ------------------------------------------------------------- contacts

TEST_F(ActivityTest, ContactFieldsAreValidatedAndNormalized) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");

  ExpectInvalid(AddContact(rep.token, Contact(0, "张三", "13917265843")),
                "contact.account_id");
  ExpectInvalid(AddContact(rep.token, Contact(acct, "", "13917265843")),
                "contact.name");
  ExpectInvalid(AddContact(rep.token, Contact(acct, "   ", "13917265843")),
                "contact.name");
  ExpectInvalid(
      AddContact(rep.token,
                 Contact(acct, std::string(101 * 3, 'x').substr(0, 101),
                         "13917265843")),
      "contact.name");
  ExpectInvalid(AddContact(rep.token, Contact(acct, "张三", "12345")),
                "contact.phone");
  ExpectInvalid(AddContact(rep.token, Contact(acct, "张三", "13800138000")),
                "contact.phone");
  ExpectInvalid(
      AddContact(rep.token, Contact(acct, "张三", "", "not-an-email")),
      "contact.email");
  // Neither phone nor email.
  ExpectInvalid(AddContact(rep.token, Contact(acct, "张三", "")),
                "contact.phone");
  pb::Contact bad_title = Contact(acct, "张三", "13917265843");
  bad_title.set_title(std::string(101, 'T'));
  ExpectInvalid(AddContact(rep.token, bad_title), "contact.title");
  pb::Contact long_request;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::AddContactRequest req;
    *req.mutable_contact() = Contact(acct, "张三", "13917265843");
    req.set_request_id(std::string(65, 'r'));
    ExpectInvalid(h_.stub().AddContact(&ctx, req, &long_request), "request_id");
  }

  pb::Contact c;
  ASSERT_TRUE(
      AddContact(
          rep.token,
          Contact(acct, " 张三 ", "139 1726 5843", "ZhangSan@Example.COM"), &c)
          .ok());
  EXPECT_EQ(c.name(), "张三");
  EXPECT_EQ(c.phone(), "+8613917265843");
  EXPECT_EQ(c.email(), "ZhangSan@example.com");
  EXPECT_TRUE(c.primary());
  EXPECT_GT(c.create_time().seconds(), 0);

  // Email only, landline only: both fine.
  pb::Contact email_only, landline;
  ASSERT_TRUE(AddContact(rep.token, Contact(acct, "李四", "", "li@corp.cn"),
                         &email_only)
                  .ok());
  EXPECT_FALSE(email_only.primary());
  ASSERT_TRUE(AddContact(rep.token, Contact(acct, "王五", "(0571) 8888 6666"),
                         &landline)
                  .ok());
  EXPECT_EQ(landline.phone(), "+8657188886666");

  // The same phone twice in one account is a duplicate contact.
  grpc::Status s =
      AddContact(rep.token, Contact(acct, "张三二号", "+86 139-1726-5843"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("contact ", c.id())));

  // Update: mask required, unknown paths refused, values validated.
  ExpectInvalid(UpdateContact(rep.token, c, {}), "update_mask");
  ExpectInvalid(UpdateContact(rep.token, c, {"account_id"}), "update_mask");
  pb::Contact change = c;
  change.set_phone("123");
  ExpectInvalid(UpdateContact(rep.token, change, {"phone"}), "contact.phone");
  change.set_phone("");
  change.set_email("");
  ExpectInvalid(UpdateContact(rep.token, change, {"phone", "email"}),
                "contact.phone");
  change = c;
  change.set_id(0);
  ExpectInvalid(UpdateContact(rep.token, change, {"name"}), "contact.id");
  change = c;
  change.set_title("采购经理");
  change.set_phone("139-0000-1234");
  change.set_name("ignored: not in the mask");
  pb::Contact updated;
  ASSERT_TRUE(
      UpdateContact(rep.token, change, {"title", "phone"}, &updated).ok());
  EXPECT_EQ(updated.title(), "采购经理");
  EXPECT_EQ(updated.phone(), "+8613900001234");
  EXPECT_EQ(updated.name(), "张三");
  // Moving onto a phone another contact of the account holds is refused.
  change = email_only;
  change.set_phone("+8657188886666");
  EXPECT_EQ(UpdateContact(rep.token, change, {"phone"}).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  ExpectInvalid(DeleteContact(rep.token, 0), "id");
  EXPECT_EQ(DeleteContact(rep.token, 999999).error_code(), kNotFound);
  pb::ListContactsResponse list;
  ExpectInvalid(ListContacts(rep.token, 0, &list), "account_id");
}

TEST_F(ActivityTest, PrimaryContactSwitchesAndIsPromotedOnDelete) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");
  pb::Contact a, b, c;
  ASSERT_TRUE(
      AddContact(rep.token, Contact(acct, "甲", "13811110001"), &a).ok());
  h_.clock().Advance(absl::Seconds(1));
  ASSERT_TRUE(
      AddContact(rep.token, Contact(acct, "乙", "13811110002"), &b).ok());
  h_.clock().Advance(absl::Seconds(1));
  EXPECT_TRUE(a.primary());
  EXPECT_FALSE(b.primary());
  // Adding with primary=true takes the flag away from the old primary.
  ASSERT_TRUE(
      AddContact(rep.token, Contact(acct, "丙", "13811110003", "", true), &c)
          .ok());
  EXPECT_TRUE(c.primary());
  pb::ListContactsResponse list;
  ASSERT_TRUE(ListContacts(rep.token, acct, &list).ok());
  ASSERT_EQ(list.contacts_size(), 3);
  EXPECT_EQ(list.contacts(0).id(), c.id());  // primary first
  EXPECT_EQ(list.contacts(1).id(), a.id());  // then oldest first
  EXPECT_EQ(list.contacts(2).id(), b.id());
  EXPECT_FALSE(list.contacts(1).primary());
  EXPECT_FALSE(list.contacts(2).primary());

  // Update makes b primary and c not.
  pb::Contact make = b;
  make.set_primary(true);
  pb::Contact out;
  ASSERT_TRUE(UpdateContact(rep.token, make, {"primary"}, &out).ok());
  EXPECT_TRUE(out.primary());
  list.Clear();
  ASSERT_TRUE(ListContacts(rep.token, acct, &list).ok());
  EXPECT_EQ(list.contacts(0).id(), b.id());
  int primaries = 0;
  for (const auto& x : list.contacts()) primaries += x.primary();
  EXPECT_EQ(primaries, 1);

  // The primary cannot simply be un-marked.
  make.set_primary(false);
  grpc::Status s = UpdateContact(rep.token, make, {"primary"});
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("another contact primary"));

  // Deleting the primary promotes the oldest remaining (a).
  ASSERT_TRUE(DeleteContact(rep.token, b.id()).ok());
  list.Clear();
  ASSERT_TRUE(ListContacts(rep.token, acct, &list).ok());
  ASSERT_EQ(list.contacts_size(), 2);
  EXPECT_EQ(list.contacts(0).id(), a.id());
  EXPECT_TRUE(list.contacts(0).primary());
  EXPECT_FALSE(list.contacts(1).primary());
  // A deleted contact is gone.
  EXPECT_EQ(DeleteContact(rep.token, b.id()).error_code(), kNotFound);
  // Deleting a non-primary leaves the primary alone; the last one may go.
  ASSERT_TRUE(DeleteContact(rep.token, c.id()).ok());
  ASSERT_TRUE(DeleteContact(rep.token, a.id()).ok());
  list.Clear();
  ASSERT_TRUE(ListContacts(rep.token, acct, &list).ok());
  EXPECT_EQ(list.contacts_size(), 0);
  // And the next contact is primary again.
  pb::Contact d;
  ASSERT_TRUE(
      AddContact(rep.token, Contact(acct, "丁", "13811110004"), &d).ok());
  EXPECT_TRUE(d.primary());
}

TEST_F(ActivityTest, AddContactIsIdempotentPerRequestId) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");
  const int64_t other = Account(rep.token, "杭州西湖茶叶有限公司");
  pb::Contact first, again;
  ASSERT_TRUE(AddContact(rep.token, Contact(acct, "甲", "13811110001"), &first,
                         "req-c-1")
                  .ok());
  ASSERT_TRUE(AddContact(rep.token, Contact(acct, "甲", "13811110001"), &again,
                         "req-c-1")
                  .ok());
  EXPECT_EQ(first.id(), again.id());
  pb::ListContactsResponse list;
  ASSERT_TRUE(ListContacts(rep.token, acct, &list).ok());
  EXPECT_EQ(list.contacts_size(), 1);
  // The same request id for another account is a client bug, not a retry.
  grpc::Status s = AddContact(rep.token, Contact(other, "乙", "13811110002"),
                              nullptr, "req-c-1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));
}

TEST_F(ActivityTest, ContactsFollowTheAccountsDataScope) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto peer = h_.User("rep.b", "e2", "sales_rep");
  auto lead = h_.User("lead.e1", "e1", "sales_manager");
  auto north = h_.User("lead.n", "north", "sales_manager");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");
  pb::Contact c;
  ASSERT_TRUE(
      AddContact(rep.token, Contact(acct, "甲", "13811110001"), &c).ok());

  // A peer rep and a manager of another region see nothing.
  for (const std::string& token : {peer.token, north.token}) {
    pb::ListContactsResponse list;
    EXPECT_EQ(ListContacts(token, acct, &list).error_code(), kNotFound);
    EXPECT_EQ(
        AddContact(token, Contact(acct, "乙", "13811110002")).error_code(),
        kNotFound);
    pb::Contact change = c;
    change.set_name("改名");
    EXPECT_EQ(UpdateContact(token, change, {"name"}).error_code(), kNotFound);
    EXPECT_EQ(DeleteContact(token, c.id()).error_code(), kNotFound);
  }
  // The rep's manager may read and change them.
  pb::ListContactsResponse list;
  ASSERT_TRUE(ListContacts(lead.token, acct, &list).ok());
  EXPECT_EQ(list.contacts_size(), 1);
  ASSERT_TRUE(AddContact(lead.token, Contact(acct, "乙", "13811110002")).ok());

  // In a public pool: reps of the region read, only managers change.
  const int64_t pool = Pool("east");
  const int64_t pooled =
      Account(h_.Admin(), "苏州工业园区某某有限公司", std::nullopt, pool);
  ASSERT_TRUE(
      AddContact(lead.token, Contact(pooled, "丙", "13811110003"), &c).ok());
  list.Clear();
  ASSERT_TRUE(ListContacts(peer.token, pooled, &list).ok());
  EXPECT_EQ(list.contacts_size(), 1);
  grpc::Status s = AddContact(peer.token, Contact(pooled, "丁", "13811110004"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("public pool"));
  pb::Contact change = c;
  change.set_name("改名");
  EXPECT_EQ(UpdateContact(peer.token, change, {"name"}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DeleteContact(peer.token, c.id()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A north manager cannot even see the east pool's account.
  EXPECT_EQ(ListContacts(north.token, pooled, &list).error_code(), kNotFound);
  ASSERT_TRUE(UpdateContact(lead.token, change, {"name"}).ok());
}

// ------------------------------------------------------------ follow-ups

TEST_F(ActivityTest, FollowUpFieldsAreValidated) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");
  const absl::Time now = h_.clock().Now();

  ExpectInvalid(AddFollowUp(rep.token, FollowUp(0, "电话沟通")),
                "follow_up.account_id");
  ExpectInvalid(
      AddFollowUp(rep.token,
                  FollowUp(acct, "电话沟通", pb::FOLLOW_UP_KIND_UNSPECIFIED)),
      "follow_up.kind");
  ExpectInvalid(
      AddFollowUp(rep.token,
                  FollowUp(acct, "x", static_cast<pb::FollowUpKind>(9))),
      "follow_up.kind");
  ExpectInvalid(AddFollowUp(rep.token, FollowUp(acct, "")),
                "follow_up.content");
  ExpectInvalid(AddFollowUp(rep.token, FollowUp(acct, " \n\t ")),
                "follow_up.content");
  std::string long_text;
  for (int i = 0; i < 2001; ++i) long_text += "话";
  ExpectInvalid(AddFollowUp(rep.token, FollowUp(acct, long_text)),
                "follow_up.content");
  // (Invalid UTF-8 never reaches the handler: proto3 strings refuse it.)
  pb::FollowUp f = FollowUp(acct, "电话沟通");
  *f.mutable_next_follow_up_time() = Ts(now - absl::Minutes(1));
  ExpectInvalid(AddFollowUp(rep.token, f), "follow_up.next_follow_up_time");
  *f.mutable_next_follow_up_time() = Ts(now + absl::Hours(24 * 400));
  ExpectInvalid(AddFollowUp(rep.token, f), "follow_up.next_follow_up_time");
  f = FollowUp(acct, "电话沟通");
  *f.mutable_time() = Ts(now + absl::Hours(1));
  ExpectInvalid(AddFollowUp(rep.token, f), "follow_up.time");
  *f.mutable_time() = Ts(now - absl::Hours(24 * 31));
  ExpectInvalid(AddFollowUp(rep.token, f), "follow_up.time");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::AddFollowUpRequest req;
    *req.mutable_follow_up() = FollowUp(acct, "电话沟通");
    req.set_request_id(std::string(65, 'r'));
    pb::FollowUp out;
    ExpectInvalid(h_.stub().AddFollowUp(&ctx, req, &out), "request_id");
  }
  // 2000 characters exactly is fine.
  long_text.resize(long_text.size() - 3);
  pb::FollowUp ok;
  ASSERT_TRUE(AddFollowUp(rep.token, FollowUp(acct, long_text), &ok).ok());
  EXPECT_EQ(ok.content(), long_text);

  pb::ListFollowUpsResponse list;
  ExpectInvalid(ListFollowUps(rep.token, acct, &list, -1), "page_size");
  ExpectInvalid(ListFollowUps(rep.token, acct, &list, 10, "garbage"),
                "page_token");
}

TEST_F(ActivityTest, FollowUpsMoveLastFollowUpForwardAndStatusToFollowing) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");
  pb::Account a;
  ASSERT_TRUE(h_.GetAccount(rep.token, acct, &a).ok());
  EXPECT_EQ(a.status(), pb::ACCOUNT_STATUS_NEW);
  EXPECT_FALSE(a.has_last_follow_up_time());

  const absl::Time t1 = h_.clock().Now();
  pb::FollowUp f = FollowUp(acct, "首次电话，客户有采购意向");
  *f.mutable_next_follow_up_time() = Ts(t1 + absl::Hours(48));
  pb::FollowUp out;
  ASSERT_TRUE(AddFollowUp(rep.token, f, &out).ok());
  EXPECT_EQ(out.author_id(), rep.user_id);
  EXPECT_EQ(out.kind(), pb::FOLLOW_UP_KIND_CALL);
  EXPECT_EQ(FromTs(out.time()), t1);
  EXPECT_EQ(FromTs(out.next_follow_up_time()), t1 + absl::Hours(48));
  ASSERT_TRUE(h_.GetAccount(rep.token, acct, &a).ok());
  EXPECT_EQ(a.status(), pb::ACCOUNT_STATUS_FOLLOWING);
  EXPECT_EQ(FromTs(a.last_follow_up_time()), t1);

  // A back-dated entry (yesterday's meeting, logged now) goes into the
  // timeline in its place but does not move the last follow-up back.
  h_.clock().Advance(absl::Hours(1));
  rep = h_.User("rep.a", "e1", "sales_rep");  // tokens live 15 minutes
  pb::FollowUp old =
      FollowUp(acct, "昨天的会议纪要", pb::FOLLOW_UP_KIND_MEETING);
  *old.mutable_time() = Ts(t1 - absl::Hours(24));
  ASSERT_TRUE(AddFollowUp(rep.token, old).ok());
  ASSERT_TRUE(h_.GetAccount(rep.token, acct, &a).ok());
  EXPECT_EQ(FromTs(a.last_follow_up_time()), t1);

  // A later one does.
  const absl::Time t2 = h_.clock().Now();
  ASSERT_TRUE(AddFollowUp(rep.token, FollowUp(acct, "发微信报价",
                                              pb::FOLLOW_UP_KIND_MESSAGE))
                  .ok());
  ASSERT_TRUE(h_.GetAccount(rep.token, acct, &a).ok());
  EXPECT_EQ(FromTs(a.last_follow_up_time()), t2);
}

TEST_F(ActivityTest, AddFollowUpIsIdempotentPerRequestId) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto peer = h_.User("rep.b", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");
  const int64_t peer_acct = Account(peer.token, "杭州西湖茶叶有限公司");
  pb::FollowUp first, again;
  ASSERT_TRUE(
      AddFollowUp(rep.token, FollowUp(acct, "电话"), &first, "fu-1").ok());
  h_.clock().Advance(absl::Minutes(3));
  ASSERT_TRUE(
      AddFollowUp(rep.token, FollowUp(acct, "电话"), &again, "fu-1").ok());
  EXPECT_EQ(first.id(), again.id());
  pb::ListFollowUpsResponse list;
  ASSERT_TRUE(ListFollowUps(rep.token, acct, &list).ok());
  EXPECT_EQ(list.follow_ups_size(), 1);
  // One AccountActivity event for opportunities' stale clocks, committed
  // with the follow-up; the retry adds none.
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c FROM outbox WHERE "
                                     "event_type = 'AccountActivity' AND "
                                     "aggregate_id = '",
                                     acct, "'"),
                        "c"),
            1);
  // Someone else reusing the id gets an error, not the rep's entry.
  grpc::Status s =
      AddFollowUp(peer.token, FollowUp(peer_acct, "电话"), nullptr, "fu-1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(ActivityTest, FollowUpsFollowTheAccountsDataScope) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto peer = h_.User("rep.b", "e1", "sales_rep");
  auto lead = h_.User("lead.e1", "e1", "sales_manager");
  auto other_lead = h_.User("lead.e2", "e2", "sales_manager");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");

  // A peer (same team, rep scope) cannot add or read: NOT_FOUND.
  EXPECT_EQ(AddFollowUp(peer.token, FollowUp(acct, "电话")).error_code(),
            kNotFound);
  pb::ListFollowUpsResponse list;
  EXPECT_EQ(ListFollowUps(peer.token, acct, &list).error_code(), kNotFound);
  // Neither can a manager of a sibling team.
  EXPECT_EQ(AddFollowUp(other_lead.token, FollowUp(acct, "电话")).error_code(),
            kNotFound);
  // The rep's own manager can, and the rep sees it.
  pb::FollowUp by_lead;
  ASSERT_TRUE(
      AddFollowUp(lead.token, FollowUp(acct, "经理陪访"), &by_lead).ok());
  ASSERT_TRUE(ListFollowUps(rep.token, acct, &list).ok());
  ASSERT_EQ(list.follow_ups_size(), 1);
  EXPECT_EQ(list.follow_ups(0).author_id(), lead.user_id);
  // A missing account is NOT_FOUND like a hidden one.
  EXPECT_EQ(AddFollowUp(rep.token, FollowUp(999999, "电话")).error_code(),
            kNotFound);

  // Public-pool accounts: reps read, but must claim before following up.
  const int64_t pool = Pool("east");
  const int64_t pooled =
      Account(h_.Admin(), "苏州工业园区某某有限公司", std::nullopt, pool);
  grpc::Status s = AddFollowUp(rep.token, FollowUp(pooled, "电话"));
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("claim"));
  ASSERT_TRUE(AddFollowUp(lead.token, FollowUp(pooled, "经理电话")).ok());
  list.Clear();
  ASSERT_TRUE(ListFollowUps(rep.token, pooled, &list).ok());
  EXPECT_EQ(list.follow_ups_size(), 1);
}

TEST_F(ActivityTest, TimelineIsNewestFirstPagedAndSurvivesReleaseAndClaim) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto next = h_.User("rep.b", "e2", "sales_rep");
  const int64_t pool = Pool("east");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司");
  const absl::Time t0 = h_.clock().Now();
  std::vector<int64_t> ids;  // in time order
  for (int i = 0; i < 5; ++i) {
    pb::FollowUp out;
    ASSERT_TRUE(AddFollowUp(rep.token,
                            FollowUp(acct, absl::StrCat("第", i, "次")), &out)
                    .ok());
    ids.push_back(out.id());
    h_.clock().Advance(absl::Minutes(10));
    rep = h_.User("rep.a", "e1", "sales_rep");  // tokens live 15 minutes
  }
  // Logged last, happened first: sorts last in the timeline.
  pb::FollowUp early = FollowUp(acct, "补记");
  *early.mutable_time() = Ts(t0 - absl::Hours(2));
  pb::FollowUp early_out;
  ASSERT_TRUE(AddFollowUp(rep.token, early, &early_out).ok());
  ids.insert(ids.begin(), early_out.id());

  auto read_all = [&](const std::string& token) {
    std::vector<int64_t> seen;
    std::string page_token;
    int pages = 0;
    do {
      pb::ListFollowUpsResponse page;
      grpc::Status s = ListFollowUps(token, acct, &page, 4, page_token);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& f : page.follow_ups()) seen.push_back(f.id());
      page_token = page.next_page_token();
      ++pages;
    } while (!page_token.empty() && pages < 10);
    return seen;
  };
  std::vector<int64_t> want(ids.rbegin(), ids.rend());
  EXPECT_EQ(read_all(rep.token), want);

  // Release to the pool, claim by another rep: the new owner sees it all.
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.User("rep.a", "e1", "sales_rep").token);
    pb::ReleaseAccountRequest req;
    req.set_account_id(acct);
    req.set_reason("客户转给同事");
    req.set_pool_id(pool);
    pb::Account out;
    ASSERT_TRUE(h_.stub().ReleaseAccount(&ctx, req, &out).ok());
  }
  const std::string next_token = h_.User("rep.b", "e2", "sales_rep").token;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, next_token);
    pb::ClaimAccountRequest req;
    req.set_account_id(acct);
    pb::Account out;
    grpc::Status s = h_.stub().ClaimAccount(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.owner_id(), next.user_id);
  }
  EXPECT_EQ(read_all(next_token), want);
  // The new owner continues the timeline.
  pb::FollowUp mine;
  ASSERT_TRUE(
      AddFollowUp(next_token, FollowUp(acct, "新负责人首次联系"), &mine).ok());
  pb::ListFollowUpsResponse first;
  ASSERT_TRUE(ListFollowUps(next_token, acct, &first, 1).ok());
  ASSERT_EQ(first.follow_ups_size(), 1);
  EXPECT_EQ(first.follow_ups(0).id(), mine.id());
  // The former owner (a rep, now outside the owner's scope) cannot.
  pb::ListFollowUpsResponse none;
  EXPECT_EQ(
      ListFollowUps(h_.User("rep.a", "e1", "sales_rep").token, acct, &none)
          .error_code(),
      kNotFound);
  // A token from another account's timeline is refused.
  const int64_t other = Account(next_token, "杭州西湖茶叶有限公司");
  ExpectInvalid(
      ListFollowUps(next_token, other, &none, 2, first.next_page_token()),
      "page_token");
}

// ---------------------------------------------------------------- visits

TEST_F(ActivityTest, CheckInValidatesItsInput) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司",
                               std::make_pair(kShLat, kShLng));
  ExpectInvalid(CheckIn(rep.token, 0, kShLat, kShLng), "account_id");
  ExpectInvalid(CheckIn(rep.token, acct, 91, kShLng), "location.lat");
  ExpectInvalid(CheckIn(rep.token, acct, kShLat, 181), "location.lng");
  ExpectInvalid(CheckIn(rep.token, acct, 0, 0), "location");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::CheckInVisitRequest req;
    req.set_account_id(acct);
    pb::Visit out;
    ExpectInvalid(h_.stub().CheckInVisit(&ctx, req, &out), "location");
  }
  ExpectInvalid(CheckIn(rep.token, acct, kShLat, kShLng, nullptr, -1),
                "accuracy_m");
  ExpectInvalid(CheckIn(rep.token, acct, kShLat, kShLng, nullptr, 1e9),
                "accuracy_m");
  ExpectInvalid(CheckIn(rep.token, acct, kShLat, kShLng, nullptr, 10,
                        std::string(129, 'd')),
                "device_id");
  ExpectInvalid(CheckIn(rep.token, acct, kShLat, kShLng, nullptr, 10, "dev 1"),
                "device_id");
  ExpectInvalid(CheckIn(rep.token, acct, kShLat, kShLng, nullptr, 10, "dev-1",
                        std::string(65, 'r')),
                "request_id");
  std::string long_note;
  for (int i = 0; i < 2001; ++i) long_note += "记";
  ExpectInvalid(CheckIn(rep.token, acct, kShLat, kShLng, nullptr, 10, "dev-1",
                        "", long_note),
                "note");
}

TEST_F(ActivityTest, CheckInWithinRadiusCountsAsAFollowUp) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司",
                               std::make_pair(kShLat, kShLng));
  const double lat = kShLat + 300 * kLatPerM;  // ~300 m north
  pb::Visit v;
  ASSERT_TRUE(
      CheckIn(rep.token, acct, lat, kShLng, &v, 15, "dev-1", "", "面谈合同条款")
          .ok());
  EXPECT_GT(v.id(), 0);
  EXPECT_EQ(v.user_id(), rep.user_id);
  EXPECT_NEAR(v.distance_m(), 300, 2);
  EXPECT_FALSE(v.suspicious());
  EXPECT_EQ(v.suspicious_reason(), "");
  EXPECT_EQ(v.device_id(), "dev-1");
  EXPECT_EQ(FromTs(v.time()), h_.clock().Now());

  pb::Account a;
  ASSERT_TRUE(h_.GetAccount(rep.token, acct, &a).ok());
  EXPECT_EQ(a.status(), pb::ACCOUNT_STATUS_FOLLOWING);
  EXPECT_EQ(FromTs(a.last_follow_up_time()), h_.clock().Now());
  pb::ListFollowUpsResponse list;
  ASSERT_TRUE(ListFollowUps(rep.token, acct, &list).ok());
  ASSERT_EQ(list.follow_ups_size(), 1);
  EXPECT_EQ(list.follow_ups(0).kind(), pb::FOLLOW_UP_KIND_VISIT);
  EXPECT_EQ(list.follow_ups(0).content(), "面谈合同条款");

  // Without a note the follow-up still says what happened.
  h_.clock().Advance(absl::Hours(1));
  ASSERT_TRUE(CheckIn(h_.User("rep.a", "e1", "sales_rep").token, acct,
                      kShLat + 100 * kLatPerM, kShLng)
                  .ok());
  list.Clear();
  ASSERT_TRUE(
      ListFollowUps(h_.User("rep.a", "e1", "sales_rep").token, acct, &list)
          .ok());
  ASSERT_EQ(list.follow_ups_size(), 2);
  EXPECT_EQ(list.follow_ups(0).content(), "拜访签到");
}

TEST_F(ActivityTest, CheckInOutsideRadiusOrWithoutLocationIsRefused) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司",
                               std::make_pair(kShLat, kShLng));
  const int64_t nowhere = Account(rep.token, "没有地址的公司");
  grpc::Status s = CheckIn(rep.token, nowhere, kShLat, kShLng);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("no location"));

  // 2 km away: refused, with the distance.
  s = CheckIn(rep.token, acct, kShLat + 2000 * kLatPerM, kShLng);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("2000 m"));
  // 550 m with a 10 m fix: refused; with a 60 m fix: accepted (leniency);
  // 650 m with a "2 km" fix: refused (leniency capped at 100 m).
  EXPECT_EQ(
      CheckIn(rep.token, acct, kShLat + 550 * kLatPerM, kShLng, nullptr, 10)
          .error_code(),
      kPrecondition);
  s = CheckIn(rep.token, acct, kShLat + 650 * kLatPerM, kShLng, nullptr, 2000);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("600 m"));
  ASSERT_TRUE(
      CheckIn(rep.token, acct, kShLat + 550 * kLatPerM, kShLng, nullptr, 60)
          .ok());
  // Refused attempts left no trace in the timeline.
  pb::ListFollowUpsResponse list;
  ASSERT_TRUE(ListFollowUps(rep.token, acct, &list).ok());
  EXPECT_EQ(list.follow_ups_size(), 1);
}

TEST_F(ActivityTest, CheckInOnlyDuringWorkHours) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司",
                               std::make_pair(kShLat, kShLng));
  // Monday 20:30 Beijing.
  h_.clock().Set(Beijing(0, 20, 30));
  std::string token = h_.User("rep.a", "e1", "sales_rep").token;
  grpc::Status s = CheckIn(token, acct, kShLat, kShLng);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("work hours"));
  // Tuesday 07:59.
  h_.clock().Set(Beijing(1, 7, 59));
  token = h_.User("rep.a", "e1", "sales_rep").token;
  EXPECT_EQ(CheckIn(token, acct, kShLat, kShLng).error_code(), kPrecondition);
  // Tuesday 08:00.
  h_.clock().Set(Beijing(1, 8, 0));
  token = h_.User("rep.a", "e1", "sales_rep").token;
  EXPECT_TRUE(CheckIn(token, acct, kShLat, kShLng).ok());
  // Sunday noon.
  h_.clock().Set(Beijing(6, 12, 0));
  token = h_.User("rep.a", "e1", "sales_rep").token;
  s = CheckIn(token, acct, kShLat + 10 * kLatPerM, kShLng);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("not a work day"));
  // Saturday would have been fine.
  h_.clock().Set(Beijing(12, 12, 0));
  token = h_.User("rep.a", "e1", "sales_rep").token;
  EXPECT_TRUE(CheckIn(token, acct, kShLat + 10 * kLatPerM, kShLng).ok());
}

TEST_F(ActivityTest, ImpossibleSpeedIsFlaggedButAccepted) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t sh = Account(rep.token, "上海星河贸易有限公司",
                             std::make_pair(kShLat, kShLng));
  const int64_t hz = Account(rep.token, "杭州西湖茶叶有限公司",
                             std::make_pair(kHzLat, kHzLng));
  ASSERT_TRUE(CheckIn(rep.token, sh, kShLat, kShLng + 0.0001).ok());
  // 165 km in 30 minutes.
  h_.clock().Advance(absl::Minutes(30));
  pb::Visit v;
  ASSERT_TRUE(CheckIn(h_.User("rep.a", "e1", "sales_rep").token, hz, kHzLat,
                      kHzLng + 0.0001, &v)
                  .ok());
  EXPECT_TRUE(v.suspicious());
  EXPECT_THAT(v.suspicious_reason(), HasSubstr("impossible speed"));
  EXPECT_THAT(v.suspicious_reason(), HasSubstr(absl::StrCat("account ", sh)));
  // It still counts as a visit.
  pb::Account a;
  ASSERT_TRUE(
      h_.GetAccount(h_.User("rep.a", "e1", "sales_rep").token, hz, &a).ok());
  EXPECT_EQ(FromTs(a.last_follow_up_time()), h_.clock().Now());
  // Driving back in 2.5 hours is plausible.
  h_.clock().Advance(absl::Minutes(150));
  ASSERT_TRUE(CheckIn(h_.User("rep.a", "e1", "sales_rep").token, sh, kShLat,
                      kShLng + 0.0002, &v)
                  .ok());
  EXPECT_FALSE(v.suspicious()) << v.suspicious_reason();
  // Another rep's history does not count against this one.
  auto other = h_.User("rep.c", "e1", "sales_rep");
  const int64_t hz2 =
      Account(other.token, "杭州另一家公司", std::make_pair(kHzLat, kHzLng));
  ASSERT_TRUE(CheckIn(other.token, hz2, kHzLat, kHzLng + 0.0003, &v).ok());
  EXPECT_FALSE(v.suspicious());
}

TEST_F(ActivityTest, ExactRepeatAndDeviceChangeAreFlagged) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  // Two customers in the same building.
  const int64_t a1 = Account(rep.token, "上海星河贸易有限公司",
                             std::make_pair(kShLat, kShLng));
  const int64_t a2 = Account(rep.token, "上海同楼科技有限公司",
                             std::make_pair(kShLat, kShLng));
  const double lat = 31.23051234567, lng = 121.47381234567;
  pb::Visit v;
  ASSERT_TRUE(CheckIn(rep.token, a1, lat, lng, &v).ok());
  EXPECT_FALSE(v.suspicious());
  h_.clock().Advance(absl::Hours(3));
  std::string token = h_.User("rep.a", "e1", "sales_rep").token;
  ASSERT_TRUE(CheckIn(token, a2, lat, lng, &v).ok());
  EXPECT_TRUE(v.suspicious());
  EXPECT_THAT(v.suspicious_reason(), HasSubstr("repeat exactly"));
  EXPECT_THAT(v.suspicious_reason(), HasSubstr(absl::StrCat("account ", a1)));
  // A slightly different fix is normal.
  h_.clock().Advance(absl::Hours(3));
  token = h_.User("rep.a", "e1", "sales_rep").token;
  ASSERT_TRUE(CheckIn(token, a2, lat + 0.00001, lng, &v).ok());
  EXPECT_FALSE(v.suspicious()) << v.suspicious_reason();
  // Another phone 20 minutes later.
  h_.clock().Advance(absl::Minutes(20));
  token = h_.User("rep.a", "e1", "sales_rep").token;
  ASSERT_TRUE(CheckIn(token, a1, lat + 0.00002, lng, &v, 10, "dev-2").ok());
  EXPECT_TRUE(v.suspicious());
  EXPECT_THAT(v.suspicious_reason(), HasSubstr("device changed"));
}

TEST_F(ActivityTest, CheckInIsIdempotentAndFollowsDataScope) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto peer = h_.User("rep.b", "e1", "sales_rep");
  auto lead = h_.User("lead.e1", "e1", "sales_manager");
  const int64_t acct = Account(rep.token, "上海星河贸易有限公司",
                               std::make_pair(kShLat, kShLng));
  pb::Visit first, again;
  ASSERT_TRUE(
      CheckIn(rep.token, acct, kShLat, kShLng, &first, 10, "dev-1", "visit-1")
          .ok());
  // The retry arrives after work hours: same visit, no second follow-up.
  h_.clock().Set(Beijing(0, 21, 0));
  std::string token = h_.User("rep.a", "e1", "sales_rep").token;
  ASSERT_TRUE(
      CheckIn(token, acct, kShLat, kShLng, &again, 10, "dev-1", "visit-1")
          .ok());
  EXPECT_EQ(first.id(), again.id());
  pb::ListFollowUpsResponse list;
  ASSERT_TRUE(ListFollowUps(token, acct, &list).ok());
  EXPECT_EQ(list.follow_ups_size(), 1);

  h_.clock().Set(Beijing(1, 10, 0));
  // A peer rep: NOT_FOUND; the manager may check in (accompanied visit).
  EXPECT_EQ(
      CheckIn(h_.User("rep.b", "e1", "sales_rep").token, acct, kShLat, kShLng)
          .error_code(),
      kNotFound);
  EXPECT_TRUE(CheckIn(h_.User("lead.e1", "e1", "sales_manager").token, acct,
                      kShLat, kShLng + 0.0001, nullptr, 10, "lead-phone")
                  .ok());
  (void)peer;
  (void)lead;
  // Pool accounts must be claimed first.
  const int64_t pool = Pool("east");
  const int64_t pooled = Account(h_.Admin(), "苏州工业园区某某有限公司",
                                 std::make_pair(kShLat, kShLng), pool);
  grpc::Status s = CheckIn(h_.User("rep.a", "e1", "sales_rep").token, pooled,
                           kShLat, kShLng + 0.0002);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_THAT(s.error_message(), HasSubstr("claim"));
}

// ---------------------------------------------------------------- nearby

TEST_F(ActivityTest, NearbyListsMineAndClaimableNearestFirst) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto peer = h_.User("rep.b", "e1", "sales_rep");
  const int64_t east_pool = Pool("east");
  const int64_t north_pool = Pool("north");
  auto north_of = [](double m) {
    return std::make_pair(kShLat + m * kLatPerM, kShLng);
  };
  const int64_t mine1 = Account(rep.token, "近的客户甲", north_of(1000));
  const int64_t mine3 = Account(rep.token, "近的客户丙", north_of(-3000));
  const int64_t mine20 = Account(rep.token, "远的客户", north_of(20000));
  const int64_t pooled2 =
      Account(h_.Admin(), "公海客户乙", north_of(2000), east_pool);
  // Not for this rep: another region's pool, a peer's account, no location.
  Account(h_.Admin(), "华北公海客户", north_of(1500), north_pool, "north");
  Account(peer.token, "同事的客户", north_of(500));
  Account(rep.token, "没有位置的客户");

  pb::ListNearbyAccountsResponse out;
  ASSERT_TRUE(Nearby(rep.token, kShLat, kShLng, 10'000, 0, &out).ok());
  ASSERT_EQ(out.accounts_size(), 3);
  EXPECT_EQ(out.accounts(0).account().id(), mine1);
  EXPECT_EQ(out.accounts(1).account().id(), pooled2);
  EXPECT_EQ(out.accounts(2).account().id(), mine3);
  EXPECT_NEAR(out.accounts(0).distance_m(), 1000, 5);
  EXPECT_NEAR(out.accounts(1).distance_m(), 2000, 5);
  EXPECT_NEAR(out.accounts(2).distance_m(), 3000, 5);
  EXPECT_FALSE(out.accounts(0).claimable());
  EXPECT_TRUE(out.accounts(1).claimable());
  EXPECT_FALSE(out.accounts(2).claimable());

  // The limit keeps the nearest; a wider radius reaches the far one.
  out.Clear();
  ASSERT_TRUE(Nearby(rep.token, kShLat, kShLng, 10'000, 2, &out).ok());
  ASSERT_EQ(out.accounts_size(), 2);
  EXPECT_EQ(out.accounts(1).account().id(), pooled2);
  out.Clear();
  ASSERT_TRUE(Nearby(rep.token, kShLat, kShLng, 25'000, 500, &out).ok());
  ASSERT_EQ(out.accounts_size(), 4);
  EXPECT_EQ(out.accounts(3).account().id(), mine20);
  // The box corner is not the circle: 1.9 km radius misses the 2 km one.
  out.Clear();
  ASSERT_TRUE(Nearby(rep.token, kShLat, kShLng, 1'900, 0, &out).ok());
  ASSERT_EQ(out.accounts_size(), 1);

  // A north rep sees the north pool account (and nothing of east).
  auto north_rep = h_.User("rep.n", "n1", "sales_rep");
  out.Clear();
  ASSERT_TRUE(Nearby(north_rep.token, kShLat, kShLng, 10'000, 0, &out).ok());
  ASSERT_EQ(out.accounts_size(), 1);
  EXPECT_EQ(out.accounts(0).account().name(), "华北公海客户");
  EXPECT_TRUE(out.accounts(0).claimable());

  // Bad input.
  ExpectInvalid(Nearby(rep.token, kShLat, kShLng, 0, 0, &out), "radius_m");
  ExpectInvalid(Nearby(rep.token, kShLat, kShLng, -5, 0, &out), "radius_m");
  ExpectInvalid(Nearby(rep.token, kShLat, kShLng, 50'001, 0, &out), "radius_m");
  ExpectInvalid(Nearby(rep.token, kShLat, kShLng, 1000, -1, &out), "limit");
  ExpectInvalid(Nearby(rep.token, 95, kShLng, 1000, 0, &out), "center.lat");
  ExpectInvalid(Nearby(rep.token, 0, 0, 1000, 0, &out), "center");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::ListNearbyAccountsRequest req;
    req.set_radius_m(1000);
    ExpectInvalid(h_.stub().ListNearbyAccounts(&ctx, req, &out), "center");
  }
}

}  // namespace
}  // namespace crm::accounts

namespace crm::accounts {
namespace {

class VisitReviewTest : public ActivityTest {
 protected:
  grpc::Status List(const std::string& token, bool include_reviewed,
                    pb::ListVisitsResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListSuspiciousVisitsRequest req;
    req.set_include_reviewed(include_reviewed);
    return h_.stub().ListSuspiciousVisits(&ctx, req, out);
  }
  grpc::Status Review(const std::string& token, int64_t id,
                      pb::VisitReview verdict, const std::string& note,
                      pb::Visit* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ReviewVisitRequest req;
    req.set_visit_id(id);
    req.set_verdict(verdict);
    req.set_note(note);
    pb::Visit ignored;
    return h_.stub().ReviewVisit(&ctx, req, out ? out : &ignored);
  }
};

TEST_F(VisitReviewTest, ManagersReviewSuspiciousVisitsOfTheirSubtreeOnce) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t sh = Account(rep.token, "上海星河贸易有限公司",
                             std::make_pair(kShLat, kShLng));
  const int64_t hz = Account(rep.token, "杭州西湖茶叶有限公司",
                             std::make_pair(kHzLat, kHzLng));
  pb::Visit plain, odd;
  ASSERT_TRUE(CheckIn(rep.token, sh, kShLat, kShLng + 0.0001, &plain).ok());
  h_.clock().Advance(absl::Minutes(30));  // 165 km later
  ASSERT_TRUE(CheckIn(h_.User("rep.a", "e1", "sales_rep").token, hz, kHzLat,
                      kHzLng + 0.0001, &odd)
                  .ok());
  ASSERT_TRUE(odd.suspicious());
  const std::string east = h_.User("mgr.e", "east", "sales_manager").token;
  const std::string north = h_.User("mgr.n", "north", "sales_manager").token;
  const std::string rep_token = h_.User("rep.a", "e1", "sales_rep").token;

  pb::ListVisitsResponse listed;
  EXPECT_EQ(List(rep_token, false, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(List(east, false, &listed).ok());
  ASSERT_EQ(listed.visits_size(), 1);
  EXPECT_EQ(listed.visits(0).id(), odd.id());
  EXPECT_EQ(listed.visits(0).review(), pb::VISIT_REVIEW_PENDING);
  listed.Clear();
  ASSERT_TRUE(List(north, false, &listed).ok());
  EXPECT_EQ(listed.visits_size(), 0);

  EXPECT_EQ(
      Review(north, odd.id(), pb::VISIT_REVIEW_FRAUD, "代签").error_code(),
      grpc::StatusCode::NOT_FOUND);
  ExpectInvalid(Review(east, odd.id(), pb::VISIT_REVIEW_FRAUD, "  "), "note");
  ExpectInvalid(Review(east, odd.id(), pb::VISIT_REVIEW_PENDING, "x"),
                "verdict");
  ExpectInvalid(Review(east, 0, pb::VISIT_REVIEW_GENUINE, ""), "visit_id");
  EXPECT_EQ(Review(east, plain.id(), pb::VISIT_REVIEW_GENUINE, "").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  pb::Visit reviewed;
  ASSERT_TRUE(Review(east, odd.id(), pb::VISIT_REVIEW_FRAUD, "两地签到，代签",
                     &reviewed)
                  .ok());
  EXPECT_EQ(reviewed.review(), pb::VISIT_REVIEW_FRAUD);
  EXPECT_EQ(reviewed.review_note(), "两地签到，代签");
  EXPECT_GT(reviewed.reviewed_by(), 0);
  EXPECT_TRUE(reviewed.has_review_time());
  // The same verdict again is a no-op; another verdict is refused.
  EXPECT_TRUE(
      Review(east, odd.id(), pb::VISIT_REVIEW_FRAUD, "两地签到，代签").ok());
  EXPECT_EQ(Review(east, odd.id(), pb::VISIT_REVIEW_GENUINE, "").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  listed.Clear();
  ASSERT_TRUE(List(east, false, &listed).ok());
  EXPECT_EQ(listed.visits_size(), 0);
  ASSERT_TRUE(List(east, true, &listed).ok());
  ASSERT_EQ(listed.visits_size(), 1);
  EXPECT_EQ(listed.visits(0).review(), pb::VISIT_REVIEW_FRAUD);
  listed.Clear();
  ASSERT_TRUE(List(h_.Admin(), true, &listed).ok());
  EXPECT_EQ(listed.visits_size(), 1);
}

}  // namespace
}  // namespace crm::accounts

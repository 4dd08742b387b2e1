// Custom fields and field-level permissions on tickets (entity type
// "ticket"): values validated on CreateTicket and the new UpdateTicket with
// the built-in INVALID_ARGUMENT shape and written in the ticket's
// transaction, returned by every RPC that returns a ticket, select filters
// in ListTickets, hidden / masked / read-only rules across sales rep,
// support agent, support manager and admin, and the audit entries value
// changes leave.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/customfields_fixture.h"
#include "tests/testing/tickets_harness.h"

namespace crm {
namespace {

namespace pb = crm::tickets::v1;
namespace cpb = crm::customfields::v1;
using testing::AsMap;
using ::testing::HasSubstr;
using testing::TicketsHarness;

class CustomFieldsTicketsTest : public ::testing::Test {
 protected:
  CustomFieldsTicketsTest()
      : cf_(h_.schema().Pool(),
            h_.orders().accounts().identity().shared_clock(),
            {{"ticket", pb::Ticket::descriptor()}}) {}

  void SetUp() override {
    pb::TicketType consult;
    consult.set_key("consult");
    consult.set_name("Consultation");
    pb::SlaTarget* sla = consult.add_sla();
    sla->set_priority(pb::PRIORITY_NORMAL);
    sla->set_first_response_minutes(60);
    sla->set_resolution_minutes(120);
    ASSERT_TRUE(h_.UpsertType(consult).ok());
    admin_ = h_.Admin();
    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    agent_ = h_.User("agent.1", "e1", "support_agent");
    manager_ = h_.User("sm.east", "east", "support_manager").token;
    group_ = h_.Group("east-support", "east");
    h_.AddAgent(group_, agent_.user_id);
    account_ = h_.orders().Account(rep_.token, "Acme Printing");
    testing::DefineStandardFields(cf_, admin_, "ticket");
  }

  pb::Ticket Draft(const std::map<std::string, std::string>& values) {
    pb::Ticket t = TicketsHarness::Draft("consult", account_, group_);
    for (const auto& [k, v] : values) (*t.mutable_custom_fields())[k] = v;
    return t;
  }
  int64_t CreateOk(const std::map<std::string, std::string>& values) {
    pb::Ticket out;
    grpc::Status s = h_.Create(rep_.token, Draft(values), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }
  grpc::Status Update(const std::string& token, int64_t id,
                      const std::map<std::string, std::string>& values,
                      const std::vector<std::string>& paths,
                      pb::Ticket* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateTicketRequest req;
    req.mutable_ticket()->set_id(id);
    for (const auto& [k, v] : values)
      (*req.mutable_ticket()->mutable_custom_fields())[k] = v;
    for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
    pb::Ticket ignored;
    return h_.stub().UpdateTicket(&ctx, req, out ? out : &ignored);
  }
  pb::ListTicketsResponse List(const std::string& token,
                               const std::map<std::string, std::string>& filter,
                               grpc::Status* status = nullptr) {
    pb::ListTicketsRequest req;
    for (const auto& [k, v] : filter)
      (*req.mutable_custom_field_filter())[k] = v;
    pb::ListTicketsResponse out;
    grpc::Status s = h_.List(token, req, &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  pb::Ticket Get(const std::string& token, int64_t id) {
    pb::Ticket out;
    grpc::Status s = h_.Get(token, id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  pb::Ticket Listed(const std::string& token) {
    pb::ListTicketsResponse r = List(token, {});
    EXPECT_EQ(r.tickets_size(), 1);
    return r.tickets_size() > 0 ? r.tickets(0) : pb::Ticket();
  }

  TicketsHarness h_;
  testing::CustomFieldHost cf_;
  std::string admin_, manager_;
  TicketsHarness::Login rep_, agent_;
  int64_t group_ = 0, account_ = 0;
};

TEST_F(CustomFieldsTicketsTest, EveryFieldTypeRejectsBadValuesByName) {
  for (const testing::BadValue& b : testing::BadValues()) {
    pb::Ticket out;
    grpc::Status s = h_.Create(rep_.token, Draft({{b.key, b.value}}), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.key;
    EXPECT_EQ(s.error_message(), testing::FieldError("ticket", b));
  }
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM tickets"), 0);
  const int64_t id = CreateOk({});
  for (const testing::BadValue& b : testing::BadValues()) {
    grpc::Status s =
        Update(rep_.token, id, {{b.key, b.value}}, {"custom_fields"});
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.key;
    EXPECT_EQ(s.error_message(), testing::FieldError("ticket", b));
  }
  EXPECT_TRUE(AsMap(Get(rep_.token, id).custom_fields()).empty());
  // UpdateTicket changes custom fields only.
  grpc::Status s = Update(rep_.token, id, {}, {"title"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("update_mask: \"title\" cannot be updated"));
  s = Update(rep_.token, id, {}, {});
  EXPECT_EQ(s.error_message(), "update_mask: required");
  s = Update(rep_.token, 999999, {{"grade", "金牌"}}, {"custom_fields"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  cpb::FieldDefinition model =
      testing::FieldDef("ticket", "model", cpb::FIELD_TYPE_TEXT);
  model.set_required(true);
  ASSERT_TRUE(cf_.Define(admin_, model).ok());
  pb::Ticket out;
  s = h_.Create(rep_.token, Draft({}), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "ticket.custom_fields.model: required");
}

TEST_F(CustomFieldsTicketsTest, ValuesRoundTripThroughEveryRpc) {
  pb::Ticket created;
  ASSERT_TRUE(
      h_.Create(rep_.token, Draft(testing::GoodValues()), &created, "t-1")
          .ok());
  EXPECT_EQ(AsMap(created.custom_fields()), testing::NormalizedValues());
  EXPECT_EQ(AsMap(Get(rep_.token, created.id()).custom_fields()),
            testing::NormalizedValues());
  EXPECT_EQ(AsMap(Listed(rep_.token).custom_fields()),
            testing::NormalizedValues());
  pb::Ticket again;
  ASSERT_TRUE(
      h_.Create(rep_.token, Draft({{"grade", "铜牌"}}), &again, "t-1").ok());
  EXPECT_EQ(again.id(), created.id());
  EXPECT_EQ(AsMap(again.custom_fields()), testing::NormalizedValues());
  pb::Ticket updated;
  ASSERT_TRUE(Update(rep_.token, created.id(), {{"grade", "银牌"}},
                     {"custom_fields.grade"}, &updated)
                  .ok());
  EXPECT_EQ(updated.custom_fields().at("grade"), "银牌");
  EXPECT_EQ(updated.custom_fields().at("score"), "12.5");
  ASSERT_TRUE(
      Update(rep_.token, created.id(), {}, {"custom_fields.score"}, &updated)
          .ok());
  EXPECT_EQ(updated.custom_fields().count("score"), 0u);
  EXPECT_EQ(updated.title(), "Printer jams");
  // The verbs return them.
  pb::Ticket grabbed;
  ASSERT_TRUE(h_.Grab(agent_.token, created.id(), &grabbed).ok());
  EXPECT_EQ(grabbed.custom_fields().at("grade"), "银牌");
  pb::Ticket moved;
  ASSERT_TRUE(
      h_.Move(agent_.token, created.id(), pb::TICKET_STATUS_IN_PROGRESS, &moved)
          .ok());
  EXPECT_EQ(moved.custom_fields().at("code"), "ABC12");
}

TEST_F(CustomFieldsTicketsTest, SelectFiltersUseTheOptionIndex) {
  const char* grades[] = {"金牌", "银牌", "铜牌"};
  std::vector<int64_t> gold;
  for (int i = 0; i < 6; ++i) {
    std::map<std::string, std::string> v = {{"grade", grades[i % 3]}};
    if (i % 2 == 0) v["tags"] = "外贸,制造";
    const int64_t id = CreateOk(v);
    if (i % 3 == 0) gold.push_back(id);
  }
  pb::ListTicketsResponse r = List(rep_.token, {{"grade", "金牌"}});
  ASSERT_EQ(r.tickets_size(), 2);
  EXPECT_EQ(r.tickets(0).id(), gold[0]);
  EXPECT_EQ(List(rep_.token, {{"tags", "外贸"}}).tickets_size(), 3);
  EXPECT_EQ(
      List(manager_, {{"tags", "制造"}, {"grade", "金牌"}}).tickets_size(), 1);
  // Scope holds: another rep sees none of them.
  std::string other = h_.User("rep.n", "n1", "sales_rep").token;
  EXPECT_EQ(List(other, {{"grade", "金牌"}}).tickets_size(), 0);
  ASSERT_TRUE(
      Update(rep_.token, gold[0], {{"grade", "铜牌"}}, {"custom_fields"}).ok());
  EXPECT_EQ(List(rep_.token, {{"grade", "金牌"}}).tickets_size(), 1);
  grpc::Status s;
  List(rep_.token, {{"grade", "钻石"}}, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("custom_field_filter.grade: must be one of"));
  List(rep_.token, {{"code", "ABC12"}}, &s);
  EXPECT_EQ(s.error_message(),
            "custom_field_filter.code: only select fields can be filtered");
}

TEST_F(CustomFieldsTicketsTest, PermissionsAcrossRepAgentManagerAndAdmin) {
  const int64_t id = CreateOk(testing::GoodValues());
  ASSERT_TRUE(cf_.Permit(admin_, "ticket", "custom_fields.budget",
                         "support_agent", cpb::FIELD_ACCESS_HIDDEN)
                  .ok());
  ASSERT_TRUE(cf_.Permit(admin_, "ticket", "custom_fields.score", "sales_rep",
                         cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  ASSERT_TRUE(cf_.Permit(admin_, "ticket", "description", "support_agent",
                         cpb::FIELD_ACCESS_MASKED)
                  .ok());
  // Rep: everything (the sensitive field too: sales has the right).
  for (const pb::Ticket& t : {Get(rep_.token, id), Listed(rep_.token)}) {
    EXPECT_EQ(t.custom_fields().at("secret"), "13812345678");
    EXPECT_EQ(t.custom_fields().at("budget"), "150000");
    EXPECT_EQ(t.description(), "Jams on every page");
  }
  // Agent (the ticket is in their group's pool): budget hidden, the
  // sensitive field and the description masked.
  for (const pb::Ticket& t : {Get(agent_.token, id), Listed(agent_.token)}) {
    EXPECT_EQ(t.custom_fields().count("budget"), 0u);
    EXPECT_EQ(t.custom_fields().at("secret"), "138****5678");
    EXPECT_EQ(t.description(), "Jam***********page");
    EXPECT_EQ(t.custom_fields().at("grade"), "金牌");
  }
  // Support manager: budget shown, sensitive masked by default.
  for (const pb::Ticket& t : {Get(manager_, id), Listed(manager_)}) {
    EXPECT_EQ(t.custom_fields().at("budget"), "150000");
    EXPECT_EQ(t.custom_fields().at("secret"), "138****5678");
    EXPECT_EQ(t.description(), "Jams on every page");
  }
  for (const pb::Ticket& t : {Get(admin_, id), Listed(admin_)})
    EXPECT_EQ(AsMap(t.custom_fields()), testing::NormalizedValues());
  // Grab returns the agent's view.
  pb::Ticket grabbed;
  ASSERT_TRUE(h_.Grab(agent_.token, id, &grabbed).ok());
  EXPECT_EQ(grabbed.custom_fields().count("budget"), 0u);

  grpc::Status s = Update(rep_.token, id, {{"score", "2"}}, {"custom_fields"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(),
            "ticket.custom_fields.score: read-only for your role, it cannot "
            "be changed");
  s = Update(agent_.token, id, {{"budget", "1"}}, {"custom_fields.budget"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("ticket.custom_fields.budget: hidden"));
  s = Update(manager_, id, {{"secret", "1"}}, {"custom_fields.secret"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("ticket.custom_fields.secret: masked"));
  // Creating with a read-only field set is refused the same way.
  pb::Ticket out;
  s = h_.Create(rep_.token, Draft({{"score", "5"}}), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Who may, may.
  ASSERT_TRUE(
      Update(agent_.token, id, {{"score", "2"}}, {"custom_fields"}).ok());
  ASSERT_TRUE(
      Update(admin_, id, {{"secret", "13700000000"}}, {"custom_fields"}).ok());
  pb::Ticket after = Get(admin_, id);
  EXPECT_EQ(after.custom_fields().at("score"), "2");
  EXPECT_EQ(after.custom_fields().at("secret"), "13700000000");
}

TEST_F(CustomFieldsTicketsTest, ValueChangesAreAudited) {
  const int64_t id = CreateOk(testing::GoodValues());
  ASSERT_TRUE(
      Update(rep_.token, id, {{"grade", "银牌"}}, {"custom_fields"}).ok());
  const std::string where = absl::StrCat(
      "FROM audit_log WHERE entity_type = 'ticket' AND entity_id = '", id,
      "' AND action = 'update' AND changes LIKE '%custom_fields.grade%'");
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                     " AND actor_id = ", rep_.user_id)),
            2);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM audit_log WHERE changes "
                        "LIKE '%13812345678%'"),
            0);
}

}  // namespace
}  // namespace crm

#include "services/opportunities/opportunities_events.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/opportunities/store/account_activity_store.h"
#include "services/opportunities/store/repath_store.h"

namespace crm::opportunities {
namespace {

// A materialized org path: "/" digits "/" ... "/", at most 255 bytes.
bool IsPath(const nlohmann::json& p, const char* name) {
  if (!p.is_object() || !p.contains(name) || !p[name].is_string()) return false;
  const std::string s = p[name].get<std::string>();
  if (s.size() < 3 || s.size() > 255 || s.front() != '/' || s.back() != '/')
    return false;
  return s.find("//") == std::string::npos;
}

absl::Status Skip(const events::Event& e, std::string_view why) {
  log::Warn("opportunities: event skipped", {{"event_id", e.event_id},
                                             {"type", e.type},
                                             {"reason", std::string(why)}});
  return absl::OkStatus();
}

}  // namespace

OpportunitiesEventConsumers::OpportunitiesEventConsumers(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, std::string consumer_name)
    : opportunities_(pool, clock) {
  if (consumer_name.empty())
    consumer_name = events::DefaultConsumerName("opportunities");
  events::ConsumerOptions o;
  o.group = kEventsGroup;
  o.consumer = consumer_name;
  o.stream = events::StreamFor("identity");
  identity_ = std::make_unique<events::StreamConsumer>(
      pool, redis, o,
      [this](const events::Event& e, db::Connection& tx) {
        return OnIdentity(e, tx);
      },
      clock);
  o.stream = events::StreamFor("accounts");
  accounts_ = std::make_unique<events::StreamConsumer>(
      std::move(pool), redis, o,
      [this](const events::Event& e, db::Connection& tx) {
        return OnAccounts(e, tx);
      },
      std::move(clock));
}

OpportunitiesEventConsumers::~OpportunitiesEventConsumers() { Stop(); }

void OpportunitiesEventConsumers::Start() {
  identity_->Start();
  accounts_->Start();
}
void OpportunitiesEventConsumers::Stop() {
  identity_->Stop();
  accounts_->Stop();
}
absl::StatusOr<int> OpportunitiesEventConsumers::PollOnce() {
  ASSIGN_OR_RETURN(int from_identity, identity_->PollOnce());
  ASSIGN_OR_RETURN(int from_accounts, accounts_->PollOnce());
  return from_identity + from_accounts;
}

absl::Status OpportunitiesEventConsumers::OnIdentity(const events::Event& e,
                                                     db::Connection& tx) {
  const nlohmann::json& p = e.payload;
  if (e.type == "OrgUnitMoved") {
    if (!IsPath(p, "old_path") || !IsPath(p, "new_path"))
      return Skip(e, "old_path, new_path: required org paths");
    ASSIGN_OR_RETURN(int64_t n,
                     RepathSubtree(tx, p["old_path"].get<std::string>(),
                                   p["new_path"].get<std::string>()));
    log::Info("opportunities: org unit moved, re-pathed",
              {{"moved", n}, {"event_id", e.event_id}});
    return absl::OkStatus();
  }
  if (e.type == "UserOrgChanged") {
    if (!p.is_object() || !p.contains("user_id") ||
        !p["user_id"].is_number_integer() || p["user_id"].get<int64_t>() <= 0)
      return Skip(e, "user_id: required, a positive integer");
    if (!IsPath(p, "new_org_path"))
      return Skip(e, "new_org_path: required org path");
    ASSIGN_OR_RETURN(int64_t n,
                     RepathOwner(tx, p["user_id"].get<int64_t>(),
                                 p["new_org_path"].get<std::string>()));
    log::Info("opportunities: owner changed unit, re-pathed",
              {{"moved", n}, {"event_id", e.event_id}});
    return absl::OkStatus();
  }
  if (e.type == "UserDeactivated") return OnUserDeactivated(e, tx);
  return absl::OkStatus();
}

absl::Status OpportunitiesEventConsumers::OnUserDeactivated(
    const events::Event& e, db::Connection& tx) {
  if (managers_ == nullptr) return absl::OkStatus();
  const nlohmann::json& p = e.payload;
  if (!p.is_object() || !p.contains("user_id") ||
      !p["user_id"].is_number_integer() || p["user_id"].get<int64_t>() <= 0)
    return Skip(e, "user_id: required, a positive integer");
  if (!IsPath(p, "org_path")) return Skip(e, "org_path: required org path");
  const int64_t user = p["user_id"].get<int64_t>();
  ASSIGN_OR_RETURN(std::vector<int64_t> open,
                   OpportunityStore::OpenOwnedBy(tx, user));
  if (open.empty()) return absl::OkStatus();
  // UNAVAILABLE from identity fails the event, which is redelivered.
  ASSIGN_OR_RETURN(
      std::optional<client::Manager> manager,
      managers_->NearestManager(p["org_path"].get<std::string>(), user));
  if (!manager.has_value()) {
    log::Warn(
        "opportunities: owner deactivated but no active sales manager above "
        "them; their open opportunities keep the owner",
        {{"user", user},
         {"open", static_cast<int64_t>(open.size())},
         {"event_id", e.event_id}});
    return absl::OkStatus();
  }
  const std::string note = absl::StrCat("owner ", user, " was deactivated");
  for (int64_t id : open) {
    // In the consumer's transaction: the moves commit with the event's
    // processed row, and a redelivery finds nothing left to move.
    RETURN_IF_ERROR(
        opportunities_
            .MutateOn(
                tx, id, 0, [](const OpportunityRecord&) { return true; },
                [&](const OpportunityRecord& cur,
                    absl::Time) -> absl::StatusOr<OpportunityStore::Mutation> {
                  OpportunityStore::Mutation m;
                  m.next = cur;
                  m.next.owner_id = manager->user_id;
                  m.next.owner_org_path = manager->org_path;
                  m.note = note;
                  return m;
                })
            .status());
  }
  log::Info(
      "opportunities: owner deactivated, open opportunities handed to "
      "manager",
      {{"user", user},
       {"manager", manager->user_id},
       {"moved", static_cast<int64_t>(open.size())},
       {"event_id", e.event_id}});
  return absl::OkStatus();
}

absl::Status OpportunitiesEventConsumers::OnAccounts(const events::Event& e,
                                                     db::Connection& tx) {
  if (e.type != "AccountActivity") return absl::OkStatus();
  const nlohmann::json& p = e.payload;
  if (!p.is_object() || !p.contains("account_id") ||
      !p["account_id"].is_number_integer() ||
      p["account_id"].get<int64_t>() <= 0)
    return Skip(e, "account_id: required, a positive integer");
  if (!p.contains("at_unix_ms") || !p["at_unix_ms"].is_number_integer())
    return Skip(e, "at_unix_ms: required, an integer");
  // A contact dated ahead of its recording does not push the clock into
  // the future.
  const absl::Time at = std::min(
      absl::FromUnixMillis(p["at_unix_ms"].get<int64_t>()), e.occurred_at);
  ASSIGN_OR_RETURN(
      int64_t n, RecordAccountActivity(tx, p["account_id"].get<int64_t>(), at));
  if (n > 0) {
    log::Info("opportunities: account activity restarted stale clocks",
              {{"opportunities", n}, {"event_id", e.event_id}});
  }
  return absl::OkStatus();
}

}  // namespace crm::opportunities

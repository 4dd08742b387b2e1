#include "services/orders/orders_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/client/client.h"
#include "common/client/user_lookup.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/orders/store/board_pending_store.h"
#include "services/orders/store/contract_store.h"

namespace crm::orders {

namespace acpb = crm::accounts::v1;
namespace idpb = crm::identity::v1;

OrdersServiceImpl::OrdersServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<acpb::AccountsService::StubInterface> accounts,
    std::shared_ptr<idpb::IdentityService::StubInterface> identity,
    std::shared_ptr<const Clock> clock, OrdersConfig config)
    : pool_(std::move(pool)),
      redis_(redis),
      accounts_(std::move(accounts)),
      identity_(std::move(identity)),
      clock_(std::move(clock)),
      config_(config),
      boards_(redis != nullptr ? std::make_unique<Leaderboards>(redis)
                               : nullptr) {}

absl::StatusOr<ContractRecord> OrdersServiceImpl::VisibleContract(
    db::Connection& c, const auth::Principal& p, int64_t id, bool for_update) {
  if (id <= 0) return InvalidField("id", "must be a positive contract id");
  absl::StatusOr<ContractRecord> r = contract_store::Get(c, id, for_update);
  if (r.ok() && auth::CanSee(p, r->owner_id, r->owner_org_path)) return r;
  if (!r.ok() && !absl::IsNotFound(r.status())) return r.status();
  return absl::NotFoundError(absl::StrCat("contract ", id, " not found"));
}

absl::StatusOr<acpb::Account> OrdersServiceImpl::LookupAccount(
    grpc::ServerContext* ctx, int64_t id) {
  if (id <= 0)
    return InvalidField("account_id", "must be a positive account id");
  if (accounts_ == nullptr)
    return absl::UnavailableError("accounts service not configured");
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  acpb::GetAccountRequest req;
  req.set_id(id);
  acpb::Account account;
  absl::Status s = FromGrpcStatus(accounts_->GetAccount(&call, req, &account));
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s))
    return absl::NotFoundError(absl::StrCat("account ", id, " not found"));
  if (!s.ok()) return s;
  return account;
}

absl::StatusOr<idpb::User> OrdersServiceImpl::LookupUser(
    grpc::ServerContext* ctx, int64_t id) {
  if (id <= 0) return InvalidField("user_id", "must be a positive user id");
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  // A rep who left still has targets and achievement.
  return client::LookupUser(identity_.get(), &call, id,
                            /*require_active=*/false);
}

absl::Status OrdersServiceImpl::CheckOrgUnit(grpc::ServerContext* ctx,
                                             const std::string& org_path) {
  const absl::Status missing =
      absl::NotFoundError(absl::StrCat("org unit ", org_path, " not found"));
  // "/1/4/9/": the unit is 9.
  const size_t end = org_path.size() - 1;
  const size_t begin = org_path.rfind('/', end - 1) + 1;
  int64_t id = 0;
  if (!absl::SimpleAtoi(org_path.substr(begin, end - begin), &id) || id <= 0)
    return missing;
  if (identity_ == nullptr)
    return absl::UnavailableError("identity service not configured");
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  idpb::GetOrgUnitRequest req;
  req.set_id(id);
  idpb::OrgUnit unit;
  absl::Status s = FromGrpcStatus(identity_->GetOrgUnit(&call, req, &unit));
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s) ||
      absl::IsPermissionDenied(s))
    return missing;
  if (!s.ok()) return s;
  return unit.path() == org_path ? absl::OkStatus() : missing;
}

absl::StatusOr<int64_t> OrdersServiceImpl::MarkBumpPending(db::Connection& c,
                                                           BoardMetric metric,
                                                           absl::CivilDay day,
                                                           absl::Time now) {
  if (boards_ == nullptr) return 0;  // no Redis: nothing to repair later
  return board_pending_store::Add(c, metric, day, now);
}

void OrdersServiceImpl::BumpBoards(BoardMetric metric, absl::CivilDay day,
                                   int64_t owner_id,
                                   const std::string& owner_org_path,
                                   int64_t amount_minor, int64_t pending_id) {
  if (boards_ == nullptr) return;
  absl::Status s =
      boards_->Bump(metric, day, owner_id, owner_org_path, amount_minor);
  if (!s.ok()) {
    log::Warn(
        "orders: leaderboard update failed; the leaderboard job rebuilds "
        "the day's boards",
        {{"error", s.ToString()},
         {"owner", owner_id},
         {"pending", pending_id}});
    return;
  }
  if (pending_id <= 0) return;
  // If this delete fails, the job rebuilds boards that were right: exact
  // either way, so the failure is only logged.
  absl::Status removed = db::WithConnection(*pool_, [&](db::Connection& c) {
    return board_pending_store::Remove(c, {pending_id});
  });
  if (!removed.ok()) {
    log::Warn("orders: could not clear a pending leaderboard bump",
              {{"error", removed.ToString()}, {"pending", pending_id}});
  }
}

}  // namespace crm::orders

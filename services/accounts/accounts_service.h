// gRPC handlers of crm.accounts.v1.AccountsService: validate, authorize,
// call the stores and domain rules, map to protobuf.
//
// Visibility: a privately owned account follows the org-tree data scope of
// its owner ("open downward, closed upward"); an account in a public pool is
// visible to everyone selling in that pool's region (and to admins). What
// the caller may not see is NOT_FOUND, like a missing id.
//
// Handlers live in accounts_service*.cc, one file per feature; what is not
// built yet answers UNIMPLEMENTED from accounts_service_pending.cc.
#pragma once

#include <memory>

#include "common/auth/principal.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/redis/lock.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "services/accounts/domain/visit_rules.h"
#include "services/accounts/store/account_store.h"
#include "services/accounts/store/pool_store.h"

namespace crm::accounts {

namespace pb = crm::accounts::v1;

struct AccountsConfig {
  ClaimRules default_claim_rules;
  // How long a claim holds the Redis lock on the account.
  absl::Duration claim_lock_ttl = absl::Seconds(5);
  // Radius, work hours and anti-cheating thresholds of visit check-ins.
  VisitPolicy visit_policy;
};

class AccountsServiceImpl final : public pb::AccountsService::Service {
 public:
  // `redis` may be null (claims then rely on the database alone); `identity`
  // resolves users named in requests, called with the caller's own token so
  // identity applies the caller's data scope.
  AccountsServiceImpl(
      std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
          identity,
      std::shared_ptr<const Clock> clock, AccountsConfig config);

  grpc::Status CreateAccount(grpc::ServerContext*,
                             const pb::CreateAccountRequest*,
                             pb::CreateAccountResponse*) override;
  grpc::Status GetAccount(grpc::ServerContext*, const pb::GetAccountRequest*,
                          pb::Account*) override;
  grpc::Status ListAccounts(grpc::ServerContext*,
                            const pb::ListAccountsRequest*,
                            pb::ListAccountsResponse*) override;
  grpc::Status UpdateAccount(grpc::ServerContext*,
                             const pb::UpdateAccountRequest*,
                             pb::Account*) override;
  grpc::Status CheckDuplicates(grpc::ServerContext*,
                               const pb::CheckDuplicatesRequest*,
                               pb::CheckDuplicatesResponse*) override;
  grpc::Status CheckDuplicatesBatch(grpc::ServerContext*,
                                    const pb::CheckDuplicatesBatchRequest*,
                                    pb::CheckDuplicatesBatchResponse*) override;

  grpc::Status CreatePool(grpc::ServerContext*, const pb::CreatePoolRequest*,
                          pb::Pool*) override;
  grpc::Status GetPool(grpc::ServerContext*, const pb::GetPoolRequest*,
                       pb::Pool*) override;
  grpc::Status ListPools(grpc::ServerContext*, const pb::ListPoolsRequest*,
                         pb::ListPoolsResponse*) override;
  grpc::Status UpdatePool(grpc::ServerContext*, const pb::UpdatePoolRequest*,
                          pb::Pool*) override;
  grpc::Status ClaimAccount(grpc::ServerContext*,
                            const pb::ClaimAccountRequest*,
                            pb::Account*) override;
  grpc::Status ReleaseAccount(grpc::ServerContext*,
                              const pb::ReleaseAccountRequest*,
                              pb::Account*) override;
  grpc::Status AssignAccount(grpc::ServerContext*,
                             const pb::AssignAccountRequest*,
                             pb::Account*) override;
  grpc::Status TransferAccounts(grpc::ServerContext*,
                                const pb::TransferAccountsRequest*,
                                pb::TransferAccountsResponse*) override;
  grpc::Status LockAccount(grpc::ServerContext*, const pb::LockAccountRequest*,
                           pb::Account*) override;
  grpc::Status UnlockAccount(grpc::ServerContext*,
                             const pb::UnlockAccountRequest*,
                             pb::Account*) override;
  grpc::Status ListSuspiciousVisits(grpc::ServerContext*,
                                    const pb::ListSuspiciousVisitsRequest*,
                                    pb::ListVisitsResponse*) override;
  grpc::Status ReviewVisit(grpc::ServerContext*, const pb::ReviewVisitRequest*,
                           pb::Visit*) override;
  grpc::Status GetTierSettings(grpc::ServerContext*,
                               const pb::GetTierSettingsRequest*,
                               pb::TierSettings*) override;
  grpc::Status UpdateTierSettings(grpc::ServerContext*,
                                  const pb::UpdateTierSettingsRequest*,
                                  pb::TierSettings*) override;
  grpc::Status RecomputeTiers(grpc::ServerContext*,
                              const pb::RecomputeTiersRequest*,
                              pb::RecomputeTiersResponse*) override;
  grpc::Status ListPoolHistory(grpc::ServerContext*,
                               const pb::ListPoolHistoryRequest*,
                               pb::ListPoolHistoryResponse*) override;

  // Contacts, follow-ups, visits, nearby: accounts_service_contacts.cc /
  // accounts_service_activity.cc.
  grpc::Status AddContact(grpc::ServerContext*, const pb::AddContactRequest*,
                          pb::Contact*) override;
  grpc::Status UpdateContact(grpc::ServerContext*,
                             const pb::UpdateContactRequest*,
                             pb::Contact*) override;
  grpc::Status DeleteContact(grpc::ServerContext*,
                             const pb::DeleteContactRequest*,
                             pb::DeleteContactResponse*) override;
  grpc::Status ListContacts(grpc::ServerContext*,
                            const pb::ListContactsRequest*,
                            pb::ListContactsResponse*) override;
  grpc::Status AddFollowUp(grpc::ServerContext*, const pb::AddFollowUpRequest*,
                           pb::FollowUp*) override;
  grpc::Status ListFollowUps(grpc::ServerContext*,
                             const pb::ListFollowUpsRequest*,
                             pb::ListFollowUpsResponse*) override;
  grpc::Status CheckInVisit(grpc::ServerContext*,
                            const pb::CheckInVisitRequest*,
                            pb::Visit*) override;
  grpc::Status ListNearbyAccounts(grpc::ServerContext*,
                                  const pb::ListNearbyAccountsRequest*,
                                  pb::ListNearbyAccountsResponse*) override;

  // Task center, recycling, anomalies: accounts_service_tasks.cc /
  // accounts_service_recycle.cc.
  grpc::Status CreateTask(grpc::ServerContext*, const pb::CreateTaskRequest*,
                          pb::Task*) override;
  grpc::Status DispatchTasks(grpc::ServerContext*,
                             const pb::DispatchTasksRequest*,
                             pb::DispatchTasksResponse*) override;
  grpc::Status ListMyTasks(grpc::ServerContext*, const pb::ListMyTasksRequest*,
                           pb::ListTasksResponse*) override;
  grpc::Status CompleteTask(grpc::ServerContext*,
                            const pb::CompleteTaskRequest*, pb::Task*) override;
  grpc::Status RunRecycle(grpc::ServerContext*, const pb::RunRecycleRequest*,
                          pb::RunRecycleResponse*) override;
  grpc::Status ListPoolAnomalies(grpc::ServerContext*,
                                 const pb::ListPoolAnomaliesRequest*,
                                 pb::ListPoolAnomaliesResponse*) override;

  // Import into the public pool: accounts_service_import.cc.
  grpc::Status ImportAccounts(grpc::ServerContext*,
                              grpc::ServerReader<pb::ImportAccountsRequest>*,
                              pb::ImportAccountsResponse*) override;

 private:
  bool Visible(const auth::Principal& p, const AccountRecord& a) const;
  absl::StatusOr<AccountRecord> VisibleAccount(const auth::Principal& p,
                                               int64_t id);
  // A user the caller may see, from identity (NOT_FOUND otherwise).
  absl::StatusOr<crm::identity::v1::User> LookupUser(grpc::ServerContext* ctx,
                                                     int64_t id);
  absl::Status CheckDraftDuplicates(const auth::Principal& p,
                                    const AccountRecord& draft,
                                    bool ignore_similar,
                                    pb::CreateAccountResponse* resp);

  // Feature files build their stores from these per call (stores are
  // cheap handles), so adding a feature does not touch this header.
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  AccountsConfig config_;
  std::unique_ptr<redis::DistributedLock> locks_;
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity_;
  std::shared_ptr<AccountStore> accounts_;
  std::shared_ptr<PoolStore> pools_;
};

}  // namespace crm::accounts

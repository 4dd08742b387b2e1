// Locked (protected) customers, seed 004: a rep may lock a limited number of
// their own accounts so that the recycle rules leave them alone. The cap is
// the locked_capacity of the account's region pool (pool claim rules).
// Locking is the owner's act; the owner or a manager who sees the account
// may unlock. A lock ends by itself when the account changes owner.
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/status/status.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/accounts_service_present.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/proto_convert.h"
#include "services/accounts/store/protection_store.h"

namespace crm::accounts {

grpc::Status AccountsServiceImpl::LockAccount(grpc::ServerContext* ctx,
                                              const pb::LockAccountRequest* req,
                                              pb::Account* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->account_id() <= 0) return InvalidField("account_id", "required");
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    if (!a.owner_id.has_value() || *a.owner_id != p.user_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          "account ", a.id,
          " is not in your private pool: only its owner may lock it"));
    }
    ASSIGN_OR_RETURN(PoolRecord region_pool,
                     pools_->RegionDefault(a.region_code));
    ProtectionStore store(pool_.get(), clock_);
    ASSIGN_OR_RETURN(
        AccountRecord locked,
        store.Lock(a.id, p.user_id, region_pool.rules.locked_capacity));
    return PresentAccount(pool_, clock_, p, locked, resp);
  });
}

grpc::Status AccountsServiceImpl::UnlockAccount(
    grpc::ServerContext* ctx, const pb::UnlockAccountRequest* req,
    pb::Account* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->account_id() <= 0) return InvalidField("account_id", "required");
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    const bool owner = a.owner_id.has_value() && *a.owner_id == p.user_id;
    if (!owner && !IsManager(p)) return NotFoundAccount(a.id);
    ProtectionStore store(pool_.get(), clock_);
    ASSIGN_OR_RETURN(AccountRecord unlocked, store.Unlock(a.id));
    return PresentAccount(pool_, clock_, p, unlocked, resp);
  });
}

}  // namespace crm::accounts

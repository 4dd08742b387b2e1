// crm.sharing.v1.SharingService (issue 10, ADR 0080), implemented once:
// every service that owns shareable records registers an instance over its
// own pool in main.cc, naming its entity types and their tables:
//   sharing::SharingServiceImpl sharing(rt.db(), DefaultClock(), identity,
//       rt.service_credentials(), {{"account", "accounts"}});
// The services' own Get/Update handlers consult ShareStore::AccessOf.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/auth/principal.h"
#include "common/auth/service_credentials.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/sharing/store.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/sharing/v1/sharing.grpc.pb.h"

namespace crm::sharing {

// Checks a grantee with identity using the service's own token (ADR 0007):
// the caller's token would apply the caller's data scope, and a rep sees no
// colleague, yet sharing with a colleague outside one's scope is the point.
// NOT_FOUND "user N not found" for unknown ids, FAILED_PRECONDITION "user N
// is deactivated" for inactive users, UNAVAILABLE when identity is down.
class GranteeCheck {
 public:
  GranteeCheck(
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
          identity,
      std::shared_ptr<auth::ServiceCredentials> credentials)
      : identity_(std::move(identity)), credentials_(std::move(credentials)) {}
  absl::Status Check(int64_t user_id) const;

 private:
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity_;
  std::shared_ptr<auth::ServiceCredentials> credentials_;
};

class SharingServiceImpl final
    : public crm::sharing::v1::SharingService::Service {
 public:
  SharingServiceImpl(
      std::shared_ptr<db::ConnectionPool> pool,
      std::shared_ptr<const Clock> clock,
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
          identity,
      std::shared_ptr<auth::ServiceCredentials> credentials,
      std::vector<Target> targets);

  grpc::Status ShareRecord(grpc::ServerContext* ctx,
                           const v1::ShareRecordRequest* req,
                           v1::Share* resp) override;
  grpc::Status RevokeShare(grpc::ServerContext* ctx,
                           const v1::RevokeShareRequest* req,
                           v1::Share* resp) override;
  grpc::Status ListShares(grpc::ServerContext* ctx,
                          const v1::ListSharesRequest* req,
                          v1::ListSharesResponse* resp) override;
  grpc::Status ListSharedWithMe(grpc::ServerContext* ctx,
                                const v1::ListSharedWithMeRequest* req,
                                v1::ListSharedWithMeResponse* resp) override;

 private:
  // The target of `entity_type` ("" -> the only one, if there is one).
  absl::StatusOr<Target> TargetOf(const std::string& entity_type) const;
  // The record and the caller's share access on it.
  absl::StatusOr<std::pair<RecordRef, Access>> Load(const auth::Principal& p,
                                                    const Target& t,
                                                    int64_t entity_id);

  ShareStore store_;
  GranteeCheck grantees_;
  std::vector<Target> targets_;
};

void ToProto(const Share& s, v1::Share* out);

}  // namespace crm::sharing

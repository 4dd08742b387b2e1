// gRPC handlers of crm.identity.v1.IdentityService: validate the request,
// authorize the caller, call the stores / session flow, map to protobuf.
//
// Authorization: only admins change users and org units. Reads follow the
// org tree: ALL sees everything, SUBTREE sees its unit and below, SELF sees
// only itself (and its own unit). Anything outside the caller's scope is
// answered NOT_FOUND, exactly like a missing id, so scope never reveals
// what exists upward or sideways.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "common/auth/token.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "services/identity/sessions.h"
#include "services/identity/store/org_store.h"
#include "services/identity/store/token_store.h"
#include "services/identity/store/user_store.h"

namespace crm::identity {

namespace pb = crm::identity::v1;

class IdentityServiceImpl final : public pb::IdentityService::Service {
 public:
  IdentityServiceImpl(std::shared_ptr<db::ConnectionPool> pool,
                      std::shared_ptr<const auth::TokenCodec> codec,
                      std::shared_ptr<const Clock> clock, SessionConfig config);

  // Methods callable without an access token.
  static std::set<std::string> PublicMethods();

  // Creates the company root and the first admin when they do not exist
  // yet; does nothing (and says so) when the admin username exists.
  absl::Status BootstrapAdmin(const std::string& company_name,
                              const std::string& username,
                              const std::string& password);

  grpc::Status Login(grpc::ServerContext*, const pb::LoginRequest*,
                     pb::LoginResponse*) override;
  grpc::Status RefreshToken(grpc::ServerContext*,
                            const pb::RefreshTokenRequest*,
                            pb::LoginResponse*) override;
  grpc::Status Logout(grpc::ServerContext*, const pb::LogoutRequest*,
                      pb::LogoutResponse*) override;
  grpc::Status WhoAmI(grpc::ServerContext*, const pb::WhoAmIRequest*,
                      crm::common::v1::Principal*) override;

  grpc::Status CreateOrgUnit(grpc::ServerContext*,
                             const pb::CreateOrgUnitRequest*,
                             pb::OrgUnit*) override;
  grpc::Status GetOrgUnit(grpc::ServerContext*, const pb::GetOrgUnitRequest*,
                          pb::OrgUnit*) override;
  grpc::Status UpdateOrgUnit(grpc::ServerContext*,
                             const pb::UpdateOrgUnitRequest*,
                             pb::OrgUnit*) override;
  grpc::Status MoveOrgUnit(grpc::ServerContext*, const pb::MoveOrgUnitRequest*,
                           pb::OrgUnit*) override;
  grpc::Status ListOrgUnitChildren(grpc::ServerContext*,
                                   const pb::ListOrgUnitChildrenRequest*,
                                   pb::ListOrgUnitsResponse*) override;
  grpc::Status GetOrgSubtree(grpc::ServerContext*,
                             const pb::GetOrgSubtreeRequest*,
                             pb::ListOrgUnitsResponse*) override;

  grpc::Status CreateUser(grpc::ServerContext*, const pb::CreateUserRequest*,
                          pb::User*) override;
  grpc::Status GetUser(grpc::ServerContext*, const pb::GetUserRequest*,
                       pb::User*) override;
  grpc::Status BatchGetUsers(grpc::ServerContext*,
                             const pb::BatchGetUsersRequest*,
                             pb::BatchGetUsersResponse*) override;
  grpc::Status ListUsers(grpc::ServerContext*, const pb::ListUsersRequest*,
                         pb::ListUsersResponse*) override;
  grpc::Status UpdateUser(grpc::ServerContext*, const pb::UpdateUserRequest*,
                          pb::User*) override;
  grpc::Status DeactivateUser(grpc::ServerContext*,
                              const pb::DeactivateUserRequest*,
                              pb::User*) override;

 private:
  absl::StatusOr<OrgUnitRecord> VisibleUnit(const auth::Principal& p,
                                            int64_t id);
  absl::StatusOr<UserRecord> VisibleUser(const auth::Principal& p, int64_t id);

  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<OrgStore> orgs_;
  std::shared_ptr<UserStore> users_;
  std::shared_ptr<TokenStore> tokens_;
  Sessions sessions_;
};

}  // namespace crm::identity

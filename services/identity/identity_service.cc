#include "services/identity/identity_service.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/auth/data_scope.h"
#include "common/log/log.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/identity/domain/org_rules.h"
#include "services/identity/domain/password.h"
#include "services/identity/domain/user_rules.h"
#include "services/identity/proto_convert.h"

namespace crm::identity {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxBatchIds = 500;

absl::Status RequireAdmin(const auth::Principal& p, std::string_view what) {
  if (p.IsAdmin()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only admins may ", std::string(what)));
}

absl::StatusOr<OrgKind> KindFromProto(pb::OrgUnitKind kind) {
  if (kind < pb::ORG_UNIT_KIND_COMPANY || kind > pb::ORG_UNIT_KIND_TEAM) {
    return InvalidField("kind", "must be COMPANY, REGION, BRANCH or TEAM");
  }
  return static_cast<OrgKind>(kind);
}

}  // namespace

IdentityServiceImpl::IdentityServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool,
    std::shared_ptr<const auth::TokenCodec> codec,
    std::shared_ptr<const Clock> clock, SessionConfig config)
    : clock_(clock),
      orgs_(std::make_shared<OrgStore>(pool, clock)),
      users_(std::make_shared<UserStore>(pool, clock)),
      tokens_(std::make_shared<TokenStore>(pool, clock)),
      sessions_(users_, tokens_, std::move(codec), clock, config) {}

std::set<std::string> IdentityServiceImpl::PublicMethods() {
  return {"/crm.identity.v1.IdentityService/Login",
          "/crm.identity.v1.IdentityService/RefreshToken",
          "/crm.identity.v1.IdentityService/Logout"};
}

absl::Status IdentityServiceImpl::BootstrapAdmin(
    const std::string& company_name, const std::string& username_in,
    const std::string& password) {
  std::string username = username_in;
  RETURN_IF_ERROR(NormalizeUsername(&username));
  ASSIGN_OR_RETURN(std::optional<UserRecord> existing,
                   users_->FindByUsername(username));
  if (existing.has_value()) {
    log::Info("bootstrap admin exists", {{"username", username}});
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(ValidateNewPassword(password, "bootstrap_admin_password"));
  ASSIGN_OR_RETURN(std::optional<OrgUnitRecord> root, orgs_->Root());
  if (!root.has_value()) {
    std::string name = company_name;
    RETURN_IF_ERROR(
        NormalizeName(&name, "bootstrap_company_name", kMaxOrgNameChars));
    OrgStore::NewUnit unit;
    unit.name = name;
    unit.kind = OrgKind::kCompany;
    unit.request_id = "bootstrap-root";
    ASSIGN_OR_RETURN(root, orgs_->Create(unit));
  }
  UserRecord admin;
  admin.username = username;
  admin.display_name = "Administrator";
  admin.org_unit_id = root->id;
  admin.roles = {std::string(auth::kRoleAdmin)};
  ASSIGN_OR_RETURN(admin.password_hash,
                   HashPassword(password, sessions_.config().password_cost));
  ASSIGN_OR_RETURN(UserRecord created,
                   users_->Create(admin, "bootstrap-admin"));
  log::Info("bootstrap admin created",
            {{"username", created.username}, {"user", created.id}});
  return absl::OkStatus();
}

// ---------------------------------------------------------------- sessions

namespace {
void SessionToProto(const Session& s, pb::LoginResponse* out) {
  out->set_access_token(s.access_token);
  ToTimestamp(s.access_expires_at, out->mutable_access_token_expire_time());
  out->set_refresh_token(s.refresh_token);
  ToTimestamp(s.refresh_expires_at, out->mutable_refresh_token_expire_time());
  ToProto(s.user, out->mutable_user());
}
}  // namespace

grpc::Status IdentityServiceImpl::Login(grpc::ServerContext*,
                                        const pb::LoginRequest* req,
                                        pb::LoginResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Session s,
                     sessions_.Login(req->username(), req->password()));
    SessionToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::RefreshToken(
    grpc::ServerContext*, const pb::RefreshTokenRequest* req,
    pb::LoginResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Session s, sessions_.Refresh(req->refresh_token()));
    SessionToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::Logout(grpc::ServerContext*,
                                         const pb::LogoutRequest* req,
                                         pb::LogoutResponse*) {
  return HandleRpc(
      [&]() -> absl::Status { return sessions_.Logout(req->refresh_token()); });
}

grpc::Status IdentityServiceImpl::WhoAmI(grpc::ServerContext* ctx,
                                         const pb::WhoAmIRequest*,
                                         crm::common::v1::Principal* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ToProto(p, resp);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- org tree

absl::StatusOr<OrgUnitRecord> IdentityServiceImpl::VisibleUnit(
    const auth::Principal& p, int64_t id) {
  if (id <= 0) return InvalidField("id", "must be a positive org unit id");
  auto unit = orgs_->Get(id);
  if (unit.ok() &&
      (auth::CanSeeUnit(p, unit->path) || unit->id == p.org_unit_id))
    return unit;
  if (!unit.ok() && !absl::IsNotFound(unit.status())) return unit.status();
  return absl::NotFoundError(absl::StrCat("org unit ", id, " not found"));
}

grpc::Status IdentityServiceImpl::CreateOrgUnit(
    grpc::ServerContext* ctx, const pb::CreateOrgUnitRequest* req,
    pb::OrgUnit* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "create org units"));
    OrgStore::NewUnit unit;
    if (req->parent_id() <= 0) {
      return InvalidField(
          "parent_id", "required (the company root is created at bootstrap)");
    }
    unit.parent_id = req->parent_id();
    unit.name = req->name();
    RETURN_IF_ERROR(NormalizeName(&unit.name, "name", kMaxOrgNameChars));
    ASSIGN_OR_RETURN(unit.kind, KindFromProto(req->kind()));
    unit.region_code = req->region_code();
    RETURN_IF_ERROR(ValidateRegionCode(unit.region_code));
    unit.request_id = req->request_id();
    RETURN_IF_ERROR(validate::ValidateRequestId(unit.request_id));
    ASSIGN_OR_RETURN(OrgUnitRecord created, orgs_->Create(unit));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::GetOrgUnit(grpc::ServerContext* ctx,
                                             const pb::GetOrgUnitRequest* req,
                                             pb::OrgUnit* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(OrgUnitRecord unit, VisibleUnit(p, req->id()));
    ToProto(unit, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::UpdateOrgUnit(
    grpc::ServerContext* ctx, const pb::UpdateOrgUnitRequest* req,
    pb::OrgUnit* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "change org units"));
    if (req->org_unit().id() <= 0)
      return InvalidField("org_unit.id", "required");
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    std::optional<std::string> name, region;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        name = req->org_unit().name();
        RETURN_IF_ERROR(
            NormalizeName(&*name, "org_unit.name", kMaxOrgNameChars));
      } else if (path == "region_code") {
        region = req->org_unit().region_code();
        RETURN_IF_ERROR(ValidateRegionCode(*region));
      } else {
        return InvalidField(
            "update_mask",
            absl::StrCat("\"", path,
                         "\" cannot be updated (name, region_code)"));
      }
    }
    ASSIGN_OR_RETURN(OrgUnitRecord unit,
                     orgs_->Update(req->org_unit().id(), name, region));
    ToProto(unit, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::MoveOrgUnit(grpc::ServerContext* ctx,
                                              const pb::MoveOrgUnitRequest* req,
                                              pb::OrgUnit* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "move org units"));
    if (req->id() <= 0) return InvalidField("id", "required");
    if (req->new_parent_id() <= 0)
      return InvalidField("new_parent_id", "required");
    ASSIGN_OR_RETURN(OrgStore::MoveResult moved,
                     orgs_->Move(req->id(), req->new_parent_id()));
    log::Info("org unit moved", {{"org_unit", req->id()},
                                 {"old_path", moved.old_path},
                                 {"new_path", moved.unit.path},
                                 {"units", moved.units_moved},
                                 {"users", moved.users_moved}});
    ToProto(moved.unit, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::ListOrgUnitChildren(
    grpc::ServerContext* ctx, const pb::ListOrgUnitChildrenRequest* req,
    pb::ListOrgUnitsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(OrgUnitRecord parent, VisibleUnit(p, req->parent_id()));
    ASSIGN_OR_RETURN(std::vector<OrgUnitRecord> children,
                     orgs_->Children(parent.id));
    for (const OrgUnitRecord& c : children) {
      if (auth::CanSeeUnit(p, c.path)) ToProto(c, resp->add_org_units());
    }
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::GetOrgSubtree(
    grpc::ServerContext* ctx, const pb::GetOrgSubtreeRequest* req,
    pb::ListOrgUnitsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(
        OrgUnitRecord root,
        VisibleUnit(p, req->root_id() == 0 ? p.org_unit_id : req->root_id()));
    if (p.scope == auth::DataScope::kSelf) {
      ToProto(root,
              resp->add_org_units());  // SELF sees its own unit, nothing below
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(std::vector<OrgUnitRecord> units,
                     orgs_->Subtree(root.path));
    for (const OrgUnitRecord& u : units) ToProto(u, resp->add_org_units());
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- users

absl::StatusOr<UserRecord> IdentityServiceImpl::VisibleUser(
    const auth::Principal& p, int64_t id) {
  if (id <= 0) return InvalidField("id", "must be a positive user id");
  auto user = users_->Get(id);
  if (user.ok() && auth::CanSee(p, user->id, user->org_path)) return user;
  if (!user.ok() && !absl::IsNotFound(user.status())) return user.status();
  return absl::NotFoundError(absl::StrCat("user ", id, " not found"));
}

grpc::Status IdentityServiceImpl::CreateUser(grpc::ServerContext* ctx,
                                             const pb::CreateUserRequest* req,
                                             pb::User* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "create users"));
    UserRecord u;
    u.username = req->username();
    RETURN_IF_ERROR(NormalizeUsername(&u.username));
    u.display_name = req->display_name();
    RETURN_IF_ERROR(NormalizeName(&u.display_name, "display_name", 100));
    RETURN_IF_ERROR(ValidateNewPassword(req->password(), "password"));
    if (req->org_unit_id() <= 0) return InvalidField("org_unit_id", "required");
    u.org_unit_id = req->org_unit_id();
    u.roles.assign(req->roles().begin(), req->roles().end());
    RETURN_IF_ERROR(NormalizeRoles(&u.roles));
    u.email = req->email();
    RETURN_IF_ERROR(ValidateEmail(u.email));
    u.phone = req->phone();
    RETURN_IF_ERROR(ValidatePhone(u.phone));
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    ASSIGN_OR_RETURN(
        u.password_hash,
        HashPassword(req->password(), sessions_.config().password_cost));
    ASSIGN_OR_RETURN(UserRecord created, users_->Create(u, req->request_id()));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::GetUser(grpc::ServerContext* ctx,
                                          const pb::GetUserRequest* req,
                                          pb::User* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(UserRecord u, VisibleUser(p, req->id()));
    ToProto(u, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::BatchGetUsers(
    grpc::ServerContext* ctx, const pb::BatchGetUsersRequest* req,
    pb::BatchGetUsersResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->ids_size() > kMaxBatchIds) {
      return InvalidField(
          "ids", absl::StrCat("at most ", kMaxBatchIds, " ids per call"));
    }
    std::vector<int64_t> ids(req->ids().begin(), req->ids().end());
    ASSIGN_OR_RETURN(std::vector<UserRecord> found,
                     users_->BatchGet(ids, auth::DataScopePredicate(
                                               p, "u.id", "u.org_path")));
    for (const UserRecord& u : found) ToProto(u, resp->add_users());
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::ListUsers(grpc::ServerContext* ctx,
                                            const pb::ListUsersRequest* req,
                                            pb::ListUsersResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    UserStore::ListFilter f;
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(),
                                               kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(f.after_id,
                     paging::DecodePageToken("ListUsers", req->page_token()));
    if (req->org_unit_id() != 0) {
      ASSIGN_OR_RETURN(OrgUnitRecord unit, VisibleUnit(p, req->org_unit_id()));
      f.subtree_path = unit.path;
    }
    if (!req->role().empty()) {
      if (!auth::IsKnownRole(req->role()))
        return InvalidField("role", "unknown role");
      f.role = req->role();
    }
    if (req->status() == pb::USER_STATUS_ACTIVE) f.status = UserStatus::kActive;
    if (req->status() == pb::USER_STATUS_INACTIVE)
      f.status = UserStatus::kInactive;
    ASSIGN_OR_RETURN(
        std::vector<UserRecord> page,
        users_->List(f, auth::DataScopePredicate(p, "u.id", "u.org_path")));
    for (const UserRecord& u : page) ToProto(u, resp->add_users());
    resp->set_next_page_token(
        paging::NextPageToken("ListUsers", page, f.limit));
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::UpdateUser(grpc::ServerContext* ctx,
                                             const pb::UpdateUserRequest* req,
                                             pb::User* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "change users"));
    const pb::User& in = req->user();
    if (in.id() <= 0) return InvalidField("user.id", "required");
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    UserStore::Changes ch;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "display_name") {
        ch.display_name = in.display_name();
        RETURN_IF_ERROR(
            NormalizeName(&*ch.display_name, "user.display_name", 100));
      } else if (path == "email") {
        RETURN_IF_ERROR(ValidateEmail(in.email()));
        ch.email = in.email();
      } else if (path == "phone") {
        RETURN_IF_ERROR(ValidatePhone(in.phone()));
        ch.phone = in.phone();
      } else if (path == "org_unit_id") {
        if (in.org_unit_id() <= 0)
          return InvalidField("user.org_unit_id", "required");
        ch.org_unit_id = in.org_unit_id();
      } else if (path == "roles") {
        std::vector<std::string> roles(in.roles().begin(), in.roles().end());
        RETURN_IF_ERROR(NormalizeRoles(&roles));
        if (in.id() == p.user_id &&
            std::find(roles.begin(), roles.end(), auth::kRoleAdmin) ==
                roles.end()) {
          return absl::FailedPreconditionError(
              "admins cannot remove their own admin role");
        }
        ch.roles = std::move(roles);
      } else if (path == "password") {
        RETURN_IF_ERROR(ValidateNewPassword(req->password(), "password"));
        ASSIGN_OR_RETURN(
            ch.password_hash,
            HashPassword(req->password(), sessions_.config().password_cost));
      } else {
        return InvalidField(
            "update_mask",
            absl::StrCat("\"", path,
                         "\" cannot be updated (display_name, email, phone, "
                         "org_unit_id, roles, password)"));
      }
    }
    ASSIGN_OR_RETURN(UserRecord u, users_->Update(in.id(), ch));
    ToProto(u, resp);
    return absl::OkStatus();
  });
}

grpc::Status IdentityServiceImpl::DeactivateUser(
    grpc::ServerContext* ctx, const pb::DeactivateUserRequest* req,
    pb::User* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "deactivate users"));
    if (req->id() <= 0) return InvalidField("id", "required");
    if (req->id() == p.user_id)
      return absl::FailedPreconditionError("you cannot deactivate yourself");
    ASSIGN_OR_RETURN(UserRecord u, users_->Deactivate(req->id(), p.user_id));
    ToProto(u, resp);
    return absl::OkStatus();
  });
}

}  // namespace crm::identity

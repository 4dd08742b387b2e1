#include "tests/testing/sharing_endpoint.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/auth/service_credentials.h"
#include "common/client/client.h"

namespace crm::testing {

namespace spb = crm::sharing::v1;
namespace apb = crm::audit::v1;

SharingEndpoint::SharingEndpoint(std::shared_ptr<db::ConnectionPool> pool,
                                 IdentityHarness& identity,
                                 sharing::Target target)
    : target_(std::move(target)) {
  auto codec = auth::TokenCodec::Create(kTestTokenKey, identity.shared_clock());
  EXPECT_TRUE(codec.ok());
  auto credentials = std::make_shared<auth::ServiceCredentials>(
      *codec, "sharing-test", absl::Minutes(10), identity.shared_clock());
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> id_stub =
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(identity.address()));
  sharing_ = std::make_unique<sharing::SharingServiceImpl>(
      pool, identity.shared_clock(), id_stub, credentials,
      std::vector<sharing::Target>{target_});
  audit_ = std::make_unique<audit::AuditServiceImpl>(pool);
  server::ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.shutdown_grace = absl::Seconds(1);
  host_ = std::make_unique<server::ServiceHost>(
      o, std::make_shared<const auth::TokenCodec>(*codec));
  host_->AddService(sharing_.get());
  host_->AddService(audit_.get());
  EXPECT_TRUE(host_->Start().ok());
  auto channel = client::MakeChannel(host_->address());
  stub_ = spb::SharingService::NewStub(channel);
  audit_stub_ = apb::AuditService::NewStub(channel);
}

SharingEndpoint::~SharingEndpoint() { host_->Shutdown(); }

grpc::Status SharingEndpoint::Share(const std::string& token, int64_t entity_id,
                                    int64_t grantee_id, spb::ShareAccess access,
                                    const std::string& request_id,
                                    spb::Share* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  spb::ShareRecordRequest req;
  req.set_entity_type(target_.entity_type);
  req.set_entity_id(entity_id);
  req.set_grantee_id(grantee_id);
  req.set_access(access);
  req.set_request_id(request_id);
  spb::Share ignored;
  return stub_->ShareRecord(&ctx, req, out ? out : &ignored);
}

grpc::Status SharingEndpoint::Revoke(const std::string& token,
                                     int64_t entity_id, int64_t grantee_id,
                                     const std::string& request_id,
                                     spb::Share* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  spb::RevokeShareRequest req;
  req.set_entity_type(target_.entity_type);
  req.set_entity_id(entity_id);
  req.set_grantee_id(grantee_id);
  req.set_request_id(request_id);
  spb::Share ignored;
  return stub_->RevokeShare(&ctx, req, out ? out : &ignored);
}

grpc::Status SharingEndpoint::List(const std::string& token, int64_t entity_id,
                                   spb::ListSharesResponse* out,
                                   bool include_revoked) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  spb::ListSharesRequest req;
  req.set_entity_type(target_.entity_type);
  req.set_entity_id(entity_id);
  req.set_include_revoked(include_revoked);
  return stub_->ListShares(&ctx, req, out);
}

grpc::Status SharingEndpoint::SharedWithMe(const std::string& token,
                                           std::vector<spb::SharedRecord>* out,
                                           int page_size) {
  out->clear();
  spb::ListSharedWithMeRequest req;
  req.set_page_size(page_size);
  while (true) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    spb::ListSharedWithMeResponse resp;
    grpc::Status s = stub_->ListSharedWithMe(&ctx, req, &resp);
    if (!s.ok()) return s;
    for (const auto& r : resp.records()) out->push_back(r);
    if (resp.next_page_token().empty()) return s;
    req.set_page_token(resp.next_page_token());
  }
}

std::vector<apb::AuditEntry> SharingEndpoint::Audit(const std::string& token,
                                                    int64_t entity_id) {
  std::vector<apb::AuditEntry> out;
  apb::ListAuditRequest req;
  req.set_entity_type(target_.entity_type);
  req.set_entity_id(absl::StrCat(entity_id));
  req.set_page_size(200);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  apb::ListAuditResponse resp;
  grpc::Status s = audit_stub_->ListAudit(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (const auto& e : resp.entries()) out.push_back(e);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace crm::testing

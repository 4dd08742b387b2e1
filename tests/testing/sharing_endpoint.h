// crm.sharing.v1.SharingService and crm.audit.v1.AuditService over one
// service's schema, as that service's main.cc serves them (ADR 0080), next
// to a harness's in-process identity. The grantee checks call identity with
// a service token minted from the test key, as in production.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/audit/audit_service.h"
#include "common/sharing/service.h"
#include "crm/audit/v1/audit.grpc.pb.h"
#include "crm/sharing/v1/sharing.grpc.pb.h"
#include "tests/testing/identity_harness.h"

namespace crm::testing {

class SharingEndpoint {
 public:
  SharingEndpoint(std::shared_ptr<db::ConnectionPool> pool,
                  IdentityHarness& identity, sharing::Target target);
  ~SharingEndpoint();

  crm::sharing::v1::SharingService::Stub& stub() { return *stub_; }
  const std::string& entity_type() const { return target_.entity_type; }

  grpc::Status Share(const std::string& token, int64_t entity_id,
                     int64_t grantee_id, crm::sharing::v1::ShareAccess access,
                     const std::string& request_id,
                     crm::sharing::v1::Share* out = nullptr);
  grpc::Status Revoke(const std::string& token, int64_t entity_id,
                      int64_t grantee_id, const std::string& request_id,
                      crm::sharing::v1::Share* out = nullptr);
  grpc::Status List(const std::string& token, int64_t entity_id,
                    crm::sharing::v1::ListSharesResponse* out,
                    bool include_revoked = false);
  // Every record shared with `token`'s user (pages of `page_size`).
  grpc::Status SharedWithMe(const std::string& token,
                            std::vector<crm::sharing::v1::SharedRecord>* out,
                            int page_size = 2);
  // The audit entries of one record visible to `token`, oldest first.
  std::vector<crm::audit::v1::AuditEntry> Audit(const std::string& token,
                                                int64_t entity_id);

 private:
  sharing::Target target_;
  std::unique_ptr<sharing::SharingServiceImpl> sharing_;
  std::unique_ptr<audit::AuditServiceImpl> audit_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::sharing::v1::SharingService::Stub> stub_;
  std::unique_ptr<crm::audit::v1::AuditService::Stub> audit_stub_;
};

}  // namespace crm::testing

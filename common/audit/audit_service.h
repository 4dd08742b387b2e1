// crm.audit.v1.AuditService, implemented once: every service that keeps an
// audit_log registers an instance over its own pool in main.cc:
//   audit::AuditServiceImpl audit_service(rt.db());
//   rt.Serve({&service, &audit_service}, ...);
#pragma once

#include <memory>

#include "common/audit/audit.h"
#include "common/db/pool.h"
#include "crm/audit/v1/audit.grpc.pb.h"

namespace crm::audit {

class AuditServiceImpl final : public crm::audit::v1::AuditService::Service {
 public:
  explicit AuditServiceImpl(std::shared_ptr<db::ConnectionPool> pool);

  grpc::Status ListAudit(grpc::ServerContext* ctx,
                         const crm::audit::v1::ListAuditRequest* req,
                         crm::audit::v1::ListAuditResponse* resp) override;

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
};

// Converts an entry for the API.
void ToProto(const AuditEntry& e, crm::audit::v1::AuditEntry* out);

}  // namespace crm::audit

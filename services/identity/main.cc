// crm-identity: users, org tree, roles, login and tokens (port 50051).
#include "common/service/service_runtime.h"
#include "services/identity/identity_config.h"
#include "services/identity/identity_service.h"

namespace crm {
const std::vector<db::Migration>& IdentityMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  service::ServiceRuntime rt(argc, argv, "identity", "0.0.0.0:50051");
  identity::IdentityConfig settings =
      identity::IdentityConfig::Read(rt.config());
  if (absl::Status s = rt.Open(IdentityMigrations()); !s.ok())
    return rt.Fail(s);

  identity::IdentityServiceImpl service(rt.db(), rt.tokens(), DefaultClock(),
                                        settings.sessions);
  if (!settings.bootstrap_admin_username.empty()) {
    if (absl::Status s = service.BootstrapAdmin(
            settings.bootstrap_company_name, settings.bootstrap_admin_username,
            settings.bootstrap_admin_password);
        !s.ok()) {
      return rt.Fail(s);
    }
  }
  return rt.Serve({&service}, identity::IdentityServiceImpl::PublicMethods(),
                  {});
}

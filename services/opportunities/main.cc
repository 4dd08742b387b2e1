// crm-opportunities: pipelines, opportunities, stage history, stale
// alerts, forecast and funnel (port 50054).
#include "common/audit/audit_service.h"
#include "common/client/client.h"
#include "common/client/manager_lookup.h"
#include "common/customfields/service.h"
#include "common/events/outbox.h"
#include "common/service/service_runtime.h"
#include "common/sharing/service.h"
#include "services/opportunities/opportunities_config.h"
#include "services/opportunities/opportunities_events.h"
#include "services/opportunities/opportunities_service.h"
#include "services/opportunities/opportunities_stale_job.h"

namespace crm {
const std::vector<db::Migration>& OpportunitiesMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  service::ServiceRuntime rt(argc, argv, "opportunities", "0.0.0.0:50054");
  opportunities::OpportunitiesSettings settings =
      opportunities::OpportunitiesSettings::Read(rt.config());
  if (absl::Status s = rt.Open(OpportunitiesMigrations()); !s.ok())
    return rt.Fail(s);

  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts =
      crm::accounts::v1::AccountsService::NewStub(
          client::MakeChannel(settings.accounts_addr));
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity =
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(settings.identity_addr));
  std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders =
      crm::orders::v1::OrdersService::NewStub(
          client::MakeChannel(settings.orders_addr));
  opportunities::OpportunitiesServiceImpl service(rt.db(), rt.redis(), accounts,
                                                  identity, DefaultClock(),
                                                  settings.service, orders);
  // OrgUnitMoved / UserOrgChanged / UserDeactivated (identity), group
  // "opportunities". A departed rep's open opportunities go to the nearest
  // sales manager, found with this service's own token (ADR 0099).
  client::ManagerLookup managers(identity, rt.service_credentials());
  opportunities::OpportunitiesEventConsumers consumers(rt.db(), rt.redis(),
                                                       DefaultClock());
  consumers.HandOverTo(&managers);
  // Stale check every stale_check_interval under the Redis leader lock.
  opportunities::StaleJob stale_job(rt.db(), rt.redis(), DefaultClock(),
                                    settings.stale);
  audit::AuditServiceImpl audit_service(rt.db());  // issue 10
  // Record sharing (ADR 0080): opportunities shared with colleagues.
  sharing::SharingServiceImpl sharing_service(
      rt.db(), DefaultClock(), identity, rt.service_credentials(),
      {{"opportunity", "opportunities", events::StreamFor("opportunities")}});
  // Custom fields and field permissions of opportunity (issue 10).
  customfields::CustomFieldServiceImpl custom_fields(
      rt.db(), DefaultClock(),
      {{"opportunity", crm::opportunities::v1::Opportunity::descriptor()}});
  return rt.Serve({&service, &audit_service, &sharing_service, &custom_fields},
                  {},
                  {{[&] { consumers.Start(); }, [&] { consumers.Stop(); }},
                   {[&] { stale_job.Start(); }, [&] { stale_job.Stop(); }}});
}

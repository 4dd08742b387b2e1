// crm-leads: lead capture, cleansing, de-duplication, the lead pool and
// its assignment, scoring and conversion into accounts and opportunities
// (port 50052).
#include "common/audit/audit_service.h"
#include "common/client/client.h"
#include "common/client/manager_lookup.h"
#include "common/customfields/service.h"
#include "common/service/service_runtime.h"
#include "services/leads/leads_config.h"
#include "services/leads/leads_service.h"
#include "services/leads/leads_service_events.h"
#include "services/leads/leads_service_recycle_job.h"

namespace crm {
const std::vector<db::Migration>& LeadsMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  service::ServiceRuntime rt(argc, argv, "leads", "0.0.0.0:50052");
  leads::LeadsSettings settings = leads::LeadsSettings::Read(rt.config());
  if (absl::Status s = leads::ValidateWeights(settings.service.weights);
      !s.ok()) {
    return rt.Fail(s);
  }
  if (absl::Status s = rt.Open(LeadsMigrations()); !s.ok()) return rt.Fail(s);

  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity =
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(settings.identity_addr));
  auto accounts = crm::accounts::v1::AccountsService::NewStub(
      client::MakeChannel(settings.accounts_addr));
  auto opportunities = crm::opportunities::v1::OpportunitiesService::NewStub(
      client::MakeChannel(settings.opportunities_addr));
  leads::LeadsServiceImpl service(rt.db(), rt.redis(), identity,
                                  std::move(accounts), std::move(opportunities),
                                  DefaultClock(), settings.service);
  // Lead recycling every recycle_interval under the Redis leader lock.
  leads::RecycleJobOptions recycle;
  recycle.interval = settings.recycle_interval;
  recycle.recycle_after = settings.service.recycle_after;
  leads::RecycleJob recycle_job(rt.db(), rt.redis(), DefaultClock(), recycle);
  // UserDeactivated (identity), group "leads": a departed rep's open leads
  // go to the nearest sales manager, found with this service's own token
  // (ADR 0099).
  client::ManagerLookup managers(identity, rt.service_credentials());
  std::unique_ptr<events::StreamConsumer> consumers =
      leads::NewLeadsEventConsumer(rt.db(), rt.redis(), DefaultClock(),
                                   &managers);
  audit::AuditServiceImpl audit_service(rt.db());  // issue 10
  // Custom fields and field permissions of leads.
  customfields::CustomFieldServiceImpl custom_fields(
      rt.db(), DefaultClock(), {{"lead", crm::leads::v1::Lead::descriptor()}});
  return rt.Serve({&service, &audit_service, &custom_fields}, {},
                  {{[&] { recycle_job.Start(); }, [&] { recycle_job.Stop(); }},
                   {[&] { consumers->Start(); }, [&] { consumers->Stop(); }}});
}

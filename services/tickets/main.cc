// crm-tickets: after-sale tickets with eligibility, assignment, SLA and
// escalation (port 50056).
#include "common/audit/audit_service.h"
#include "common/client/client.h"
#include "common/customfields/service.h"
#include "common/service/service_runtime.h"
#include "services/tickets/tickets_config.h"
#include "services/tickets/tickets_events.h"
#include "services/tickets/tickets_service.h"
#include "services/tickets/tickets_sla_job.h"

namespace crm {
const std::vector<db::Migration>& TicketsMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  service::ServiceRuntime rt(argc, argv, "tickets", "0.0.0.0:50056");
  tickets::TicketsSettings settings =
      tickets::TicketsSettings::Read(rt.config());
  if (absl::Status s = rt.Open(TicketsMigrations()); !s.ok()) return rt.Fail(s);

  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts =
      crm::accounts::v1::AccountsService::NewStub(
          client::MakeChannel(settings.accounts_addr));
  std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders =
      crm::orders::v1::OrdersService::NewStub(
          client::MakeChannel(settings.orders_addr));
  tickets::TicketsServiceImpl service(rt.db(), rt.redis(), accounts, orders,
                                      rt.service_credentials(), DefaultClock());
  // SLA monitoring every 5 min under the Redis leader lock.
  tickets::SlaJob sla(rt.db(), rt.redis(), DefaultClock(), settings.sla);
  // UserDeactivated (identity), group "tickets": a departed agent leaves
  // every support group and their open tickets lose the assignee (ADR 0099).
  std::unique_ptr<events::StreamConsumer> consumers =
      tickets::NewTicketsEventConsumer(rt.db(), rt.redis(), DefaultClock());
  audit::AuditServiceImpl audit_service(rt.db());  // issue 10
  // Custom fields and field permissions of ticket (issue 10).
  customfields::CustomFieldServiceImpl custom_fields(
      rt.db(), DefaultClock(),
      {{"ticket", crm::tickets::v1::Ticket::descriptor()}});
  return rt.Serve({&service, &audit_service, &custom_fields}, {},
                  {{[&] { sla.Start(); }, [&] { sla.Stop(); }},
                   {[&] { consumers->Start(); }, [&] { consumers->Stop(); }}});
}

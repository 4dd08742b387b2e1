// crm-orders: products, quotes, contracts and approvals, payments and
// collection, invoices, targets, leaderboards (port 50055).
#include "common/audit/audit_service.h"
#include "common/client/client.h"
#include "common/customfields/service.h"
#include "common/log/log.h"
#include "common/service/service_runtime.h"
#include "services/orders/orders_config.h"
#include "services/orders/orders_leaderboard_job.h"
#include "services/orders/orders_overdue_job.h"
#include "services/orders/orders_service.h"

namespace crm {
const std::vector<db::Migration>& OrdersMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  service::ServiceRuntime rt(argc, argv, "orders", "0.0.0.0:50055");
  orders::OrdersSettings settings = orders::OrdersSettings::Read(rt.config());
  if (absl::Status s = rt.Open(OrdersMigrations()); !s.ok()) return rt.Fail(s);
  if (settings.time_zone_fallback) {
    log::Warn(
        "orders: tzdata has no such zone; using its fixed UTC offset "
        "(install the tzdata package)",
        {{"business_time_zone", settings.business_time_zone}});
  }

  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts =
      crm::accounts::v1::AccountsService::NewStub(
          client::MakeChannel(settings.accounts_addr));
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity =
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(settings.identity_addr));
  orders::OrdersServiceImpl service(rt.db(), rt.redis(), accounts, identity,
                                    DefaultClock(), settings.service);
  // Overdue detection every 30 min under the Redis leader lock.
  orders::OverdueJob overdue(rt.db(), rt.redis(), DefaultClock(),
                             settings.overdue);
  // Rebuilds leaderboards whose ready keys vanished (ADR 0095).
  orders::LeaderboardJobOptions lb_options;
  lb_options.calendar = settings.service.calendar;
  orders::LeaderboardJob leaderboards(rt.db(), rt.redis(), DefaultClock(),
                                      lb_options);
  audit::AuditServiceImpl audit_service(rt.db());  // issue 10
  // Custom fields and field permissions of contract (issue 10).
  customfields::CustomFieldServiceImpl custom_fields(
      rt.db(), DefaultClock(),
      {{"contract", crm::orders::v1::Contract::descriptor()}});
  return rt.Serve(
      {&service, &audit_service, &custom_fields}, {},
      {{[&] { overdue.Start(); }, [&] { overdue.Stop(); }},
       {[&] { leaderboards.Start(); }, [&] { leaderboards.Stop(); }}});
}

// crm-accounts: customers, contacts, public/private pools, follow-ups,
// visits, tasks and imports (port 50053).
#include "common/audit/audit_service.h"
#include "common/client/client.h"
#include "common/customfields/service.h"
#include "common/events/outbox.h"
#include "common/service/service_runtime.h"
#include "common/sharing/service.h"
#include "services/accounts/accounts_config.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/accounts_service_events.h"
#include "services/accounts/accounts_service_messages.h"
#include "services/accounts/accounts_service_recycle_job.h"

namespace crm {
const std::vector<db::Migration>& AccountsMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  service::ServiceRuntime rt(argc, argv, "accounts", "0.0.0.0:50053");
  accounts::AccountsSettings settings =
      accounts::AccountsSettings::Read(rt.config());
  if (absl::Status s = rt.Open(AccountsMigrations()); !s.ok())
    return rt.Fail(s);

  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity =
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(settings.identity_addr));
  accounts::AccountsServiceImpl service(rt.db(), rt.redis(), identity,
                                        DefaultClock(), settings.service);
  // UserDeactivated (identity) and ContractSigned (orders), group "accounts".
  accounts::AccountsEventConsumers consumers(
      rt.db(), rt.redis(), DefaultClock(),
      settings.service.default_claim_rules);
  client::ManagerLookup managers(identity, rt.service_credentials());
  if (settings.deactivated_accounts_to == "manager")
    consumers.HandOverToManager(&managers);
  // TicketSlaEscalated (tickets) -> a task for the nearest support manager.
  client::ManagerLookup support_managers(
      identity, rt.service_credentials(),
      std::string(auth::kRoleSupportManager));
  consumers.EscalateTicketsTo(&support_managers);
  // Pool recycling every 10 min under the Redis leader lock.
  accounts::RecycleJobOptions recycle_options;
  recycle_options.recycle.default_claim_rules =
      settings.service.default_claim_rules;
  accounts::RecycleJob recycle_job(rt.db(), rt.redis(), DefaultClock(),
                                   recycle_options);
  audit::AuditServiceImpl audit_service(rt.db());  // issue 10
  // The message center (issue 10): inbox RPCs and the "inbox" consumers.
  accounts::MessagesServiceImpl messages(rt.db(), DefaultClock());
  accounts::InboxConsumers inbox(rt.db(), rt.redis(), DefaultClock());
  inbox.ResolveApproversWith(&managers);  // approvals waiting (ADR 0091)
  // Custom fields and field permissions of accounts and contacts.
  customfields::CustomFieldServiceImpl custom_fields(
      rt.db(), DefaultClock(),
      {{"account", crm::accounts::v1::Account::descriptor()},
       {"contact", crm::accounts::v1::Contact::descriptor()}});
  // Record sharing (ADR 0080): accounts shared with colleagues.
  sharing::SharingServiceImpl sharing_service(
      rt.db(), DefaultClock(), identity, rt.service_credentials(),
      {{"account", "accounts", events::StreamFor("accounts")}});
  return rt.Serve(
      {&service, &audit_service, &messages, &custom_fields, &sharing_service},
      {},
      {{[&] { consumers.Start(); }, [&] { consumers.Stop(); }},
       {[&] { recycle_job.Start(); }, [&] { recycle_job.Stop(); }},
       {[&] { inbox.Start(); }, [&] { inbox.Stop(); }}});
}

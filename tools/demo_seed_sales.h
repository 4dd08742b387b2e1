// Demo sales figures for the boss dashboard, loaded after SeedDemo and
// SeedDemoAccounts through the public APIs, each step as the demo user who
// would do it (admin: products and the overdue check; reps: opportunities,
// quotes, contracts, signing; team leads, boss, finance: approvals; finance:
// payments; boss: targets). Dates are relative to now, so the current month
// has figures. Idempotent: creates carry fixed request_ids (payments fixed
// references), state-machine steps are taken only from the state they need,
// so running it again changes nothing.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"

namespace crm::tools {

// Creates: 5 products (SKUs DEMO-*); for the 3 customers claimed by
// rep.sh1.1 and by rep.bj1.1, opportunities spread over the pipeline
// stages (4 won, 1 lost, 4 open); for each won one a quote, a contract
// (approved along its chain, signed), a payment plan and payments; the
// north KA customer's contract (ending within 6 months) renewed by a
// signed renewal contract, the east KA customer's ending within 6 months
// unrenewed (the renewal list); one installment overdue (RunOverdueCheck
// as of `now`); signed and received targets for this month and quarter
// for the company, both regions and both reps.
absl::Status SeedDemoSales(
    crm::identity::v1::IdentityService::StubInterface& identity,
    crm::accounts::v1::AccountsService::StubInterface& accounts,
    crm::opportunities::v1::OpportunitiesService::StubInterface& opportunities,
    crm::orders::v1::OrdersService::StubInterface& orders,
    const std::string& admin_username, const std::string& admin_password,
    absl::Time now = absl::Now());

}  // namespace crm::tools

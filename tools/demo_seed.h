// The demo organisation and users that `crmctl up` loads through the public
// identity API (so the seed obeys every validation rule), then the demo
// customers (SeedDemoAccounts) and sales figures (SeedDemoSales in
// tools/demo_seed_sales.h). Idempotent: each create carries a fixed
// request_id, so running it again changes nothing.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"

namespace crm::tools {

inline constexpr char kDemoPassword[] = "Demo-pass-2026!";

// Logs in as the admin and creates: 2 regions (east, north), a branch in
// each, 2 sales teams per branch, a support team; 1 boss, 1 finance,
// 2 regional managers, 4 team leads, 12 reps, 1 support manager and
// 2 support agents. Prints one line per user.
absl::Status SeedDemo(
    crm::identity::v1::IdentityService::StubInterface& identity,
    const std::string& admin_username, const std::string& admin_password);

// After SeedDemo: a public pool per region (华东公海, 华北公海) with 12
// customers each, and 3 customers claimed by each of rep.sh1.1 and
// rep.bj1.1, so the pool pages and "my customers" are not empty.
absl::Status SeedDemoAccounts(
    crm::identity::v1::IdentityService::StubInterface& identity,
    crm::accounts::v1::AccountsService::StubInterface& accounts,
    const std::string& admin_username, const std::string& admin_password);

}  // namespace crm::tools

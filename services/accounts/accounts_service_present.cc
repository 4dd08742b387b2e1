#include "services/accounts/accounts_service_present.h"

#include "common/customfields/entity_fields.h"
#include "common/status/status.h"
#include "services/accounts/proto_convert.h"

namespace crm::accounts {

absl::Status PresentAccounts(
    const std::shared_ptr<db::ConnectionPool>& pool,
    const std::shared_ptr<const Clock>& clock, const auth::Principal& p,
    const std::vector<
        std::pair<const AccountRecord*, crm::accounts::v1::Account*>>& items) {
  std::vector<std::pair<int64_t, google::protobuf::Message*>> messages;
  for (const auto& [record, out] : items) {
    // GetAccount's rule: a record visible to the caller with an owner shows
    // its ID number; a pooled one shows it shortened (proto_convert.cc).
    ToProto(*record, record->owner_id.has_value(), out);
    messages.push_back({record->id, out});
  }
  if (messages.empty()) return absl::OkStatus();
  customfields::EntityFields fields(pool, clock);
  ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("account"));
  return fields.PresentMany(cf, p, messages);
}

}  // namespace crm::accounts

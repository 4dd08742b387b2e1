#include "services/orders/store/contract_audit.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/status/status.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/contract_store.h"

namespace crm::orders {

std::string ContractAction(const ContractRecord* before,
                           const ContractRecord& after) {
  if (before == nullptr) return "create";
  if (before->status != after.status) {
    switch (after.status) {
      case ContractStatus::kPendingApproval:
        return "submit";
      case ContractStatus::kApproved:
        return "approve";
      case ContractStatus::kRejected:
        return "reject";
      case ContractStatus::kSigned:
        return "sign";
      case ContractStatus::kDraft:
        return "status";
    }
  }
  if (after.status == ContractStatus::kPendingApproval &&
      before->current_step != after.current_step)
    return "approve";
  return "update";
}

absl::Status AuditContract(db::Connection& c, const ContractRecord* before,
                           int64_t id, absl::Time now) {
  ASSIGN_OR_RETURN(ContractRecord after, contract_store::Get(c, id));
  std::optional<crm::orders::v1::Contract> b;
  if (before != nullptr) ToProto(*before, &b.emplace());
  crm::orders::v1::Contract a;
  ToProto(after, &a);
  return audit::Append(
      c, audit::Change("contract", id, ContractAction(before, after),
                       b ? &*b : nullptr, &a, now));
}

absl::Status AuditPayment(db::Connection& c, const PaymentRecord& pay,
                          absl::Time now) {
  crm::orders::v1::Payment p;
  ToProto(pay, &p);
  audit::AuditEntry e = audit::Change(
      "contract", pay.contract_id, pay.amount_minor < 0 ? "refund" : "payment",
      nullptr, &p, now);
  e.note = absl::StrCat("payment ", pay.id);
  return audit::Append(c, std::move(e));
}

}  // namespace crm::orders

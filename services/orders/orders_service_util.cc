#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"
#include "services/orders/handler_util.h"
#include "services/orders/proto_convert.h"

namespace crm::orders {

namespace pb = crm::orders::v1;

absl::Status RequireOwnerOrManager(const auth::Principal& p,
                                   const ContractRecord& r,
                                   std::string_view what) {
  if (p.user_id == r.owner_id || p.IsAdmin() ||
      p.scope != auth::DataScope::kSelf)
    return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only the owner or a manager may ", std::string(what)));
}

absl::Status RequireFinance(const auth::Principal& p, std::string_view what) {
  if (p.IsAdmin() || p.HasRole(auth::kRoleFinance)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only finance and admins may ", std::string(what)));
}

absl::Status RequireManager(const auth::Principal& p, std::string_view what) {
  if (p.scope != auth::DataScope::kSelf) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only managers and admins may ", std::string(what)));
}

absl::Status RequireAdmin(const auth::Principal& p, std::string_view what) {
  if (p.IsAdmin()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only admins may ", std::string(what)));
}

absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t) {
  if (t.seconds() <= 0 || t.seconds() > 253402300799 || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return InvalidField(field, "must be a valid time after 1970");
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::StatusOr<absl::Time> AsOf(const google::protobuf::Timestamp* as_of,
                                bool has, absl::Time now) {
  if (!has) return now;
  return ValidTime("as_of", *as_of);
}

absl::StatusOr<ContractTerms> TermsFromProto(const pb::Contract& c) {
  ContractTerms t;
  t.title = c.title();
  ASSIGN_OR_RETURN(t.amount_minor, MinorOf("amount", c.amount()));
  ASSIGN_OR_RETURN(t.start_date, ParseDate("start_date", c.start_date()));
  ASSIGN_OR_RETURN(t.end_date, ParseDate("end_date", c.end_date()));
  if (c.type() != pb::CONTRACT_TYPE_NEW &&
      c.type() != pb::CONTRACT_TYPE_RENEWAL)
    return InvalidField("type", "must be NEW or RENEWAL");
  t.renewal = c.type() == pb::CONTRACT_TYPE_RENEWAL;
  t.predecessor_contract_id = c.predecessor_contract_id();
  for (int i = 0; i < c.installments_size(); ++i) {
    const std::string at = absl::StrCat("installments[", i, "]");
    PlannedInstallment p;
    ASSIGN_OR_RETURN(p.due_date,
                     ParseDate(at + ".due_date", c.installments(i).due_date()));
    ASSIGN_OR_RETURN(p.amount_minor,
                     MinorOf(at + ".amount", c.installments(i).amount()));
    t.plan.push_back(p);
  }
  return t;
}

ContractTerms TermsOf(const ContractRecord& r) {
  ContractTerms t;
  t.title = r.title;
  t.amount_minor = r.amount_minor;
  t.start_date = r.start_date;
  t.end_date = r.end_date;
  t.renewal = r.type == ContractType::kRenewal;
  t.predecessor_contract_id = r.predecessor_contract_id;
  for (const InstallmentRecord& i : r.installments)
    t.plan.push_back({i.due_date, i.amount_minor});
  return t;
}

void ApplyTerms(const ContractTerms& t, ContractRecord* r) {
  r->title = t.title;
  r->amount_minor = t.amount_minor;
  r->start_date = t.start_date;
  r->end_date = t.end_date;
  r->type = t.renewal ? ContractType::kRenewal : ContractType::kNew;
  r->predecessor_contract_id = t.predecessor_contract_id;
  r->installments.clear();
  for (size_t i = 0; i < t.plan.size(); ++i) {
    InstallmentRecord rec;
    rec.seq = static_cast<int>(i);
    rec.due_date = t.plan[i].due_date;
    rec.amount_minor = t.plan[i].amount_minor;
    r->installments.push_back(rec);
  }
}

absl::Status ValidateComment(const std::string& comment, bool required) {
  if (required && comment.empty()) return InvalidField("comment", "required");
  if (comment.size() > 1000)
    return InvalidField("comment", "at most 1000 bytes");
  return absl::OkStatus();
}

}  // namespace crm::orders

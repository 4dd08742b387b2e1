#include "services/orders/proto_convert.h"

#include "common/status/status.h"
#include "services/orders/domain/approval_rules.h"
#include "services/orders/domain/periods.h"

namespace crm::orders {
namespace {

namespace pb = crm::orders::v1;

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t ns = absl::ToUnixNanos(t);
  out->set_seconds(ns / 1'000'000'000);
  out->set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
}

}  // namespace

void SetMoney(int64_t minor, crm::common::v1::Money* out) {
  out->set_currency_code("CNY");
  out->set_amount_minor(minor);
}

absl::StatusOr<int64_t> MinorOf(const std::string& field,
                                const crm::common::v1::Money& m) {
  if (!m.currency_code().empty() && m.currency_code() != "CNY")
    return InvalidField(field + ".currency_code", "must be CNY");
  return m.amount_minor();
}

void ToProto(const ContractRecord& r, pb::Contract* out) {
  out->set_id(r.id);
  out->set_account_id(r.account_id);
  out->set_customer_type(static_cast<pb::CustomerType>(r.customer_type));
  out->set_owner_id(r.owner_id);
  out->set_owner_org_path(r.owner_org_path);
  out->set_title(r.title);
  SetMoney(r.amount_minor, out->mutable_amount());
  out->set_start_date(FormatDate(r.start_date));
  out->set_end_date(FormatDate(r.end_date));
  out->set_type(static_cast<pb::ContractType>(r.type));
  out->set_predecessor_contract_id(r.predecessor_contract_id);
  out->set_opportunity_id(r.opportunity_id);
  out->set_quote_id(r.quote_id);
  out->set_status(static_cast<pb::ContractStatus>(r.status));
  for (const std::string& s : SplitSteps(r.approval_steps))
    out->add_approval_steps(s);
  out->set_current_step(r.current_step);
  out->set_approval_round(r.approval_round);
  if (r.signed_at.has_value()) SetTime(*r.signed_at, out->mutable_signed_at());
  SetMoney(r.received_minor, out->mutable_received());
  SetTime(r.created_at, out->mutable_create_time());
  SetTime(r.updated_at, out->mutable_update_time());
  for (const InstallmentRecord& i : r.installments) {
    pb::Installment* o = out->add_installments();
    o->set_id(i.id);
    o->set_due_date(FormatDate(i.due_date));
    SetMoney(i.amount_minor, o->mutable_amount());
    SetMoney(i.paid_minor, o->mutable_paid());
    o->set_status(i.paid_minor >= i.amount_minor
                      ? pb::INSTALLMENT_STATUS_PAID
                      : (i.overdue ? pb::INSTALLMENT_STATUS_OVERDUE
                                   : pb::INSTALLMENT_STATUS_OPEN));
  }
}

void ToProto(const ApprovalEntryRecord& r, pb::ApprovalEntry* out) {
  out->set_id(r.id);
  out->set_contract_id(r.contract_id);
  out->set_round(r.round);
  out->set_step(r.step);
  out->set_role(r.role);
  out->set_action(static_cast<pb::ApprovalAction>(r.action));
  out->set_actor_id(r.actor_id);
  out->set_comment(r.comment);
  SetTime(r.created_at, out->mutable_time());
}

void ToProto(const PaymentRecord& r, pb::Payment* out) {
  out->set_id(r.id);
  out->set_contract_id(r.contract_id);
  SetMoney(r.amount_minor, out->mutable_amount());
  out->set_received_date(FormatDate(r.received_date));
  out->set_method(r.method);
  out->set_reference(r.reference);
  out->set_reason(r.reason);
  for (const AllocationRecord& a : r.allocations) {
    pb::Allocation* o = out->add_allocations();
    o->set_installment_id(a.installment_id);
    o->set_installment_index(a.seq);
    SetMoney(a.amount_minor, o->mutable_amount());
  }
  out->set_recorded_by(r.recorded_by);
  SetTime(r.created_at, out->mutable_create_time());
}

void ToProto(const ProductRecord& r, pb::Product* out) {
  out->set_id(r.id);
  out->set_sku(r.sku);
  out->set_name(r.name);
  out->set_unit(r.unit);
  SetMoney(r.list_price_minor, out->mutable_list_price());
  out->set_active(r.active);
  SetTime(r.created_at, out->mutable_create_time());
  SetTime(r.updated_at, out->mutable_update_time());
}

void ToProto(const QuoteRecord& r, pb::Quote* out) {
  out->set_id(r.id);
  out->set_account_id(r.account_id);
  out->set_opportunity_id(r.opportunity_id);
  out->set_owner_id(r.owner_id);
  out->set_owner_org_path(r.owner_org_path);
  out->set_region_code(r.region_code);
  for (const QuoteLineRecord& l : r.lines) {
    pb::QuoteLine* o = out->add_lines();
    o->set_product_id(l.product_id);
    o->set_quantity(l.quantity);
    o->set_discount_bp(l.discount_bp);
    SetMoney(l.unit_price_minor, o->mutable_unit_price());
    SetMoney(l.net_minor, o->mutable_net());
  }
  SetMoney(r.list_total_minor, out->mutable_list_total());
  SetMoney(r.total_minor, out->mutable_total());
  out->set_max_discount_bp(r.max_discount_bp);
  out->set_status(static_cast<pb::QuoteStatus>(r.status));
  out->set_decided_by(r.decided_by);
  out->set_decision_comment(r.decision_comment);
  SetTime(r.created_at, out->mutable_create_time());
}

void ToProto(const InvoiceRecord& r, pb::Invoice* out) {
  out->set_id(r.id);
  out->set_contract_id(r.contract_id);
  SetMoney(r.amount_minor, out->mutable_amount());
  out->set_status(static_cast<pb::InvoiceStatus>(r.status));
  out->set_invoice_number(r.invoice_number);
  out->set_requested_by(r.requested_by);
  SetTime(r.created_at, out->mutable_create_time());
}

}  // namespace crm::orders

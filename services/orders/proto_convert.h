// Record <-> protobuf conversions for the orders API.
#pragma once

#include "absl/status/statusor.h"
#include "crm/orders/v1/orders.pb.h"
#include "services/orders/store/records.h"

namespace crm::orders {

void SetMoney(int64_t minor, crm::common::v1::Money* out);
// INVALID_ARGUMENT "<field>: currency must be CNY" for another currency
// ("" reads as CNY).
absl::StatusOr<int64_t> MinorOf(const std::string& field,
                                const crm::common::v1::Money& m);

void ToProto(const ContractRecord& r, crm::orders::v1::Contract* out);
void ToProto(const ApprovalEntryRecord& r, crm::orders::v1::ApprovalEntry* out);
void ToProto(const PaymentRecord& r, crm::orders::v1::Payment* out);
void ToProto(const ProductRecord& r, crm::orders::v1::Product* out);
void ToProto(const QuoteRecord& r, crm::orders::v1::Quote* out);
void ToProto(const InvoiceRecord& r, crm::orders::v1::Invoice* out);

}  // namespace crm::orders

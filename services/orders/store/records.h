// Rows of the orders schema as plain structs (store/ <-> service glue).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace crm::orders {

enum class ContractStatus {
  kDraft = 1,
  kPendingApproval = 2,
  kApproved = 3,
  kRejected = 4,
  kSigned = 5
};
enum class ContractType { kNew = 1, kRenewal = 2 };
enum class ApprovalAction {
  kSubmit = 1,
  kApprove = 2,
  kReject = 3,
  kResubmit = 4,
  kSign = 5
};

struct InstallmentRecord {
  int64_t id = 0;
  int64_t contract_id = 0;
  int seq = 0;
  absl::CivilDay due_date;
  int64_t amount_minor = 0;
  int64_t paid_minor = 0;
  bool overdue = false;
};

struct ContractRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  int customer_type = 1;  // 1 SMB, 2 KA
  int64_t owner_id = 0;
  std::string owner_org_path;
  std::string title;
  int64_t amount_minor = 0;
  std::string currency = "CNY";
  absl::CivilDay start_date;
  absl::CivilDay end_date;
  ContractType type = ContractType::kNew;
  int64_t predecessor_contract_id = 0;
  int64_t opportunity_id = 0;
  int64_t quote_id = 0;
  ContractStatus status = ContractStatus::kDraft;
  std::string approval_steps;  // "sales_manager,finance"
  int current_step = 0;
  int approval_round = 0;
  std::optional<absl::Time> signed_at;
  int64_t received_minor = 0;
  int64_t created_by = 0;
  absl::Time created_at;
  absl::Time updated_at;
  std::vector<InstallmentRecord> installments;
};

struct ApprovalEntryRecord {
  int64_t id = 0;
  int64_t contract_id = 0;
  int round = 0;
  int step = 0;
  std::string role;
  ApprovalAction action = ApprovalAction::kSubmit;
  int64_t actor_id = 0;
  std::string comment;
  absl::Time created_at;
};

struct AllocationRecord {
  int64_t installment_id = 0;
  int seq = 0;
  int64_t amount_minor = 0;
};

struct PaymentRecord {
  int64_t id = 0;
  int64_t contract_id = 0;
  std::string reference;
  int64_t amount_minor = 0;
  absl::CivilDay received_date;
  std::string method;
  std::string reason;
  int64_t owner_id = 0;
  std::string owner_org_path;
  int64_t recorded_by = 0;
  absl::Time created_at;
  std::vector<AllocationRecord> allocations;
};

struct CollectionRecord {
  int64_t contract_id = 0;
  int64_t installment_id = 0;
  int seq = 0;
  int64_t account_id = 0;
  int64_t owner_id = 0;
  std::string owner_org_path;
  absl::CivilDay due_date;
  int64_t amount_minor = 0;
  int64_t paid_minor = 0;
};

struct ProductRecord {
  int64_t id = 0;
  std::string sku;
  std::string name;
  std::string unit;
  int64_t list_price_minor = 0;
  bool active = true;
  absl::Time created_at;
  absl::Time updated_at;
};

struct QuoteLineRecord {
  int64_t product_id = 0;
  int64_t quantity = 0;
  int discount_bp = 0;
  int64_t unit_price_minor = 0;
  int64_t net_minor = 0;
};

enum class QuoteStatus { kApproved = 1, kPendingApproval = 2, kRejected = 3 };

struct QuoteRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t opportunity_id = 0;
  int64_t owner_id = 0;
  std::string owner_org_path;
  std::string region_code;
  int64_t list_total_minor = 0;
  int64_t total_minor = 0;
  int max_discount_bp = 0;
  QuoteStatus status = QuoteStatus::kApproved;
  int64_t decided_by = 0;
  std::string decision_comment;
  absl::Time created_at;
  std::vector<QuoteLineRecord> lines;
};

enum class InvoiceStatus { kRequested = 1, kIssued = 2, kVoid = 3 };

struct InvoiceRecord {
  int64_t id = 0;
  int64_t contract_id = 0;
  int64_t amount_minor = 0;
  InvoiceStatus status = InvoiceStatus::kRequested;
  std::string invoice_number;
  int64_t requested_by = 0;
  absl::Time created_at;
};

}  // namespace crm::orders

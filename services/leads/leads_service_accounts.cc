// Captures against existing customers: accounts' CheckDuplicates, called
// with the caller's token (so accounts applies the caller's data scope).
//
// The draft sent: a company with a credit code as a COMPANY (exact credit
// code + similar names); otherwise, with a phone, as a PERSON named after
// the company or contact (exact phone on any account + similar names),
// since accounts requires a credit code for company drafts. Without either
// there is nothing to compare exactly and no call is made.
//
// A match is an exact candidate (credit code or phone) or, for a company,
// a name candidate with similarity >= kSameNameScore (the normalized names
// are equal). The owner is routed to when accounts reveals it; the owner's
// org path comes from GetAccount.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "services/leads/leads_service.h"

namespace crm::leads {
namespace {

namespace apb = crm::accounts::v1;

constexpr double kSameNameScore = 0.999;

std::optional<apb::Account> DraftFor(const LeadDraft& d) {
  apb::Account a;
  a.set_region_code(d.region_code);
  const std::string& name =
      d.company_name.empty() ? d.contact_name : d.company_name;
  if (name.empty()) return std::nullopt;
  a.set_name(name);
  if (d.kind == LeadKind::kCompany && !d.credit_code.empty()) {
    a.set_kind(apb::ACCOUNT_KIND_COMPANY);
    a.set_credit_code(d.credit_code);
    return a;
  }
  if (d.phone.empty()) return std::nullopt;
  a.set_kind(apb::ACCOUNT_KIND_PERSON);
  a.set_phone(d.phone);
  return a;
}

}  // namespace

absl::StatusOr<std::optional<AccountMatch>> LeadsServiceImpl::MatchAccount(
    grpc::ServerContext* ctx, const LeadDraft& d) {
  if (accounts_ == nullptr) return std::nullopt;
  std::optional<apb::Account> draft = DraftFor(d);
  if (!draft.has_value()) return std::nullopt;
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  apb::CheckDuplicatesRequest req;
  *req.mutable_draft() = *draft;
  apb::CheckDuplicatesResponse resp;
  absl::Status s =
      FromGrpcStatus(accounts_->CheckDuplicates(&call, req, &resp));
  if (absl::IsInvalidArgument(s)) return std::nullopt;  // nothing comparable
  if (!s.ok()) {
    return absl::Status(
        s.code() == absl::StatusCode::kUnauthenticated
            ? s.code()
            : absl::StatusCode::kUnavailable,
        absl::StrCat("accounts duplicate check failed: ", s.message()));
  }
  for (const apb::DuplicateCandidate& c : resp.candidates()) {
    const bool same_name = c.match() == "name" &&
                           d.kind == LeadKind::kCompany &&
                           c.score() >= kSameNameScore;
    if (!c.exact() && !same_name) continue;
    AccountMatch m;
    m.account_id = c.account_id();
    if (c.owner_id() > 0) {
      grpc::ClientContext get;
      client::PrepareOnBehalf(&get, *ctx);
      apb::GetAccountRequest greq;
      greq.set_id(c.account_id());
      apb::Account account;
      if (accounts_->GetAccount(&get, greq, &account).ok() &&
          account.owner_id() > 0) {
        m.owner = Owner{account.owner_id(), account.owner_org_path()};
      }
    }
    return m;
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<std::optional<AccountMatch>>>
LeadsServiceImpl::MatchAccounts(grpc::ServerContext* ctx,
                                const std::vector<const LeadDraft*>& drafts) {
  std::vector<std::optional<AccountMatch>> out(drafts.size());
  std::vector<absl::Status> errors(drafts.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < drafts.size(); i = next++) {
      absl::StatusOr<std::optional<AccountMatch>> m =
          MatchAccount(ctx, *drafts[i]);
      if (m.ok()) {
        out[i] = std::move(*m);
      } else {
        errors[i] = m.status();
      }
    }
  };
  const int threads =
      std::max(1, std::min<int>(config_.account_check_concurrency,
                                static_cast<int>(drafts.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const absl::Status& s : errors) RETURN_IF_ERROR(s);
  return out;
}

}  // namespace crm::leads

// Captures against existing customers: accounts' duplicate check, called
// with the caller's token (so accounts applies the caller's data scope).
//
// CreateLead's capture batches (leads_service_capture.cc, ADR 0027) make one
// CheckDuplicatesBatch call per batch; ImportLeads checks each batch of rows
// the same way, split over at most LeadsConfig::account_check_concurrency
// parallel calls.
//
// The draft sent: a company with a credit code as a COMPANY (exact credit
// code + similar names); otherwise, with a phone, as a PERSON named after
// the company or contact (exact phone on any account + similar names),
// since accounts requires a credit code for company drafts. Without either
// there is nothing to compare exactly and the draft is not sent.
//
// A match is an exact candidate (credit code or phone) or, for a company,
// a name candidate with similarity >= kSameNameScore (the normalized names
// are equal). The owner is routed to when accounts reveals it; the owner's
// org path comes from GetAccount. A draft accounts cannot check (its
// per-draft error) matches nothing.
#include <algorithm>
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
// Fewer drafts than this per call are not worth a parallel call (imports).
constexpr size_t kMinParallelDrafts = 50;

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

// The candidate that makes `d` an existing customer, if any.
const apb::DuplicateCandidate* MatchingCandidate(
    const LeadDraft& d, const apb::DraftDuplicates& r) {
  if (!r.error().empty()) return nullptr;  // nothing comparable
  for (const apb::DuplicateCandidate& c : r.candidates()) {
    const bool same_name = c.match() == "name" &&
                           d.kind == LeadKind::kCompany &&
                           c.score() >= kSameNameScore;
    if (c.exact() || same_name) return &c;
  }
  return nullptr;
}

}  // namespace

std::string AuthorizationOf(const grpc::ServerContext& ctx) {
  auto it = ctx.client_metadata().find("authorization");
  if (it == ctx.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<std::vector<apb::DraftDuplicates>>
LeadsServiceImpl::CheckAccountsBatch(const std::string& authorization,
                                     const std::vector<apb::Account>& drafts) {
  grpc::ClientContext call;
  client::Prepare(&call, "", absl::Seconds(5));
  if (!authorization.empty()) call.AddMetadata("authorization", authorization);
  apb::CheckDuplicatesBatchRequest req;
  req.mutable_drafts()->Reserve(static_cast<int>(drafts.size()));
  for (const apb::Account& d : drafts) *req.add_drafts() = d;
  apb::CheckDuplicatesBatchResponse resp;
  absl::Status s =
      FromGrpcStatus(accounts_->CheckDuplicatesBatch(&call, req, &resp));
  if (!s.ok()) {
    return absl::Status(
        s.code() == absl::StatusCode::kUnauthenticated
            ? s.code()
            : absl::StatusCode::kUnavailable,
        absl::StrCat("accounts duplicate check failed: ", s.message()));
  }
  if (resp.results_size() != static_cast<int>(drafts.size())) {
    return absl::UnavailableError(
        absl::StrCat("accounts duplicate check failed: ", resp.results_size(),
                     " results for ", drafts.size(), " drafts"));
  }
  std::vector<apb::DraftDuplicates> out;
  out.reserve(drafts.size());
  for (apb::DraftDuplicates& r : *resp.mutable_results())
    out.push_back(std::move(r));
  return out;
}

absl::StatusOr<std::optional<AccountMatch>> LeadsServiceImpl::ToMatch(
    grpc::ServerContext* ctx, const LeadDraft& d, const apb::DraftDuplicates& r,
    OwnerCache* owners) {
  const apb::DuplicateCandidate* c = MatchingCandidate(d, r);
  if (c == nullptr) return std::nullopt;
  AccountMatch m;
  m.account_id = c->account_id();
  if (c->owner_id() <= 0) return m;
  if (owners != nullptr) {
    auto it = owners->find(c->account_id());
    if (it != owners->end()) {
      m.owner = it->second;
      return m;
    }
  }
  grpc::ClientContext get;
  client::PrepareOnBehalf(&get, *ctx);
  apb::GetAccountRequest greq;
  greq.set_id(c->account_id());
  apb::Account account;
  if (accounts_->GetAccount(&get, greq, &account).ok() &&
      account.owner_id() > 0) {
    m.owner = Owner{account.owner_id(), account.owner_org_path()};
  }
  if (owners != nullptr) (*owners)[c->account_id()] = m.owner;
  return m;
}

absl::StatusOr<std::vector<std::optional<AccountMatch>>>
LeadsServiceImpl::MatchAccounts(grpc::ServerContext* ctx,
                                const std::vector<const LeadDraft*>& drafts) {
  std::vector<std::optional<AccountMatch>> out(drafts.size());
  if (accounts_ == nullptr) return out;
  // The drafts worth sending, and where they came from.
  std::vector<apb::Account> send;
  std::vector<size_t> from;
  for (size_t i = 0; i < drafts.size(); ++i) {
    std::optional<apb::Account> a = DraftFor(*drafts[i]);
    if (!a.has_value()) continue;
    send.push_back(std::move(*a));
    from.push_back(i);
  }
  if (send.empty()) return out;
  // Contiguous chunks of at most kMaxCheckBatch drafts, in parallel.
  const size_t parallel =
      std::clamp<size_t>(std::min<size_t>(send.size() / kMinParallelDrafts,
                                          config_.account_check_concurrency),
                         1, send.size());
  const size_t per_call =
      std::min<size_t>(kMaxCheckBatch, (send.size() + parallel - 1) / parallel);
  const size_t calls = (send.size() + per_call - 1) / per_call;
  const std::string authorization = AuthorizationOf(*ctx);
  std::vector<apb::DraftDuplicates> results(send.size());
  std::vector<absl::Status> errors(calls);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k = next++; k < calls; k = next++) {
      const size_t begin = k * per_call;
      const size_t end = std::min(send.size(), begin + per_call);
      std::vector<apb::Account> chunk(send.begin() + begin, send.begin() + end);
      absl::StatusOr<std::vector<apb::DraftDuplicates>> r =
          CheckAccountsBatch(authorization, chunk);
      if (!r.ok()) {
        errors[k] = r.status();
        continue;
      }
      for (size_t j = 0; j < r->size(); ++j)
        results[begin + j] = std::move((*r)[j]);
    }
  };
  std::vector<std::thread> threads;
  const size_t workers = std::min(calls, parallel);
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : errors) RETURN_IF_ERROR(s);
  OwnerCache owners;
  for (size_t j = 0; j < send.size(); ++j) {
    ASSIGN_OR_RETURN(out[from[j]],
                     ToMatch(ctx, *drafts[from[j]], results[j], &owners));
  }
  return out;
}

}  // namespace crm::leads

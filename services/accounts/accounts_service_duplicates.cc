// CheckDuplicatesBatch: CheckDuplicates for up to 500 drafts at once
// (imports, leads). Same rules and visibility per draft as CheckDuplicates:
// a company draft may lack its credit code (name/address check only);
// candidates the caller may not see come without owner. A draft that fails
// validation yields an entry with `error` (the INVALID_ARGUMENT message)
// instead of failing the batch. The exact keys of all drafts are looked up
// with one IN query, the similar names of all drafts with another.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/domain/account_rules.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/proto_convert.h"

namespace crm::accounts {
namespace {

constexpr int kMaxBatchDrafts = 500;
constexpr int kSimilarCandidates = 20;

}  // namespace

grpc::Status AccountsServiceImpl::CheckDuplicatesBatch(
    grpc::ServerContext* ctx, const pb::CheckDuplicatesBatchRequest* req,
    pb::CheckDuplicatesBatchResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->drafts_size() == 0)
      return InvalidField("drafts", "at least one draft");
    if (req->drafts_size() > kMaxBatchDrafts)
      return InvalidField("drafts",
                          absl::StrCat("at most ", kMaxBatchDrafts, " drafts"));
    // Normalize every draft; a bad one becomes an error entry.
    std::vector<std::optional<AccountRecord>> drafts(req->drafts_size());
    std::vector<std::string> errors(req->drafts_size());
    std::set<std::string> codes, phones;
    for (int i = 0; i < req->drafts_size(); ++i) {
      AccountRecord d = DraftFromProto(req->drafts(i));
      if (d.region_code.empty())
        d.region_code = p.region_code.empty() ? "none" : p.region_code;
      absl::Status st = NormalizeDraft(&d, /*credit_code_optional=*/true);
      if (!st.ok()) {
        errors[i] = std::string(st.message());
        continue;
      }
      if (d.credit_code.has_value()) codes.insert(*d.credit_code);
      if (d.kind == AccountKind::kPerson && d.phone.has_value())
        phones.insert(*d.phone);
      drafts[i] = std::move(d);
    }
    // Exact keys of the whole batch in one query.
    ASSIGN_OR_RETURN(std::vector<AccountRecord> exact_all,
                     accounts_->FindExactAny({codes.begin(), codes.end()},
                                             {phones.begin(), phones.end()}));
    std::multimap<std::string, const AccountRecord*> by_code, by_phone;
    for (const AccountRecord& a : exact_all) {
      if (a.credit_code.has_value()) by_code.emplace(*a.credit_code, &a);
      if (a.phone.has_value()) by_phone.emplace(*a.phone, &a);
    }
    // Similar names of the whole batch in one query too.
    std::vector<std::vector<std::string>> grams(req->drafts_size());
    for (int i = 0; i < req->drafts_size(); ++i)
      if (drafts[i].has_value()) grams[i] = NameGrams(drafts[i]->name_norm);
    ASSIGN_OR_RETURN(std::vector<std::vector<AccountStore::GramHit>> hits_all,
                     accounts_->FindByNameGramsMany(grams, kSimilarCandidates));
    for (int i = 0; i < req->drafts_size(); ++i) {
      pb::DraftDuplicates* out = resp->add_results();
      out->set_index(i);
      if (!drafts[i].has_value()) {
        out->set_error(errors[i]);
        continue;
      }
      const AccountRecord& d = *drafts[i];
      std::vector<AccountRecord> exact;
      std::set<int64_t> seen;
      auto add = [&](auto range) {
        for (auto it = range.first; it != range.second; ++it)
          if (seen.insert(it->second->id).second) exact.push_back(*it->second);
      };
      if (d.credit_code.has_value()) add(by_code.equal_range(*d.credit_code));
      if (d.kind == AccountKind::kPerson && d.phone.has_value())
        add(by_phone.equal_range(*d.phone));
      std::vector<AccountRecord> similar;
      for (auto& h : hits_all[i]) similar.push_back(std::move(h.account));
      for (const Candidate& c : RankDuplicates(d, exact, similar)) {
        ToProto(c,
                c.owner_id.has_value() &&
                    auth::CanSee(p, *c.owner_id, c.owner_org_path),
                out->add_candidates());
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::accounts

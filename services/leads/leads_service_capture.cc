// CreateLead's captures in batches (ADR 0027). Concurrent captures with the
// same authorization are coalesced (coalescer.h: no timer; a capture alone
// is a batch of one) and a batch costs about what one capture did:
//   1. one probe: earlier captures by request_id and held dedup keys;
//   2. one CheckDuplicatesBatch call for the captures that will insert;
//   3. one transaction of multi-row INSERTs (LeadStore::InsertNewOn) with
//      each capture's custom values, one commit.
// Captures that cannot go into the multi-row insert take the one-by-one
// path (LeadStore::CreateOrMerge) after the batch commits, in order: those
// that merge into an open lead, those whose key or request_id an earlier
// capture of the same batch has, and all of the batch when its transaction
// fails (a key taken since the probe, a bad value): each capture then gets
// its own result or error, as without batching.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/leads/leads_service.h"

namespace crm::leads {

absl::Status LeadsServiceImpl::PlaceCapture(
    const CaptureJob& job, const std::optional<AccountMatch>& match) {
  LeadRecord& l = job.in->lead;
  if (match.has_value()) {
    l.existing_customer = true;
    l.account_id = match->account_id;
    if (match->owner.has_value()) {
      l.owner_id = match->owner->user_id;
      l.owner_org_path = match->owner->org_path;
    }
  } else if (job.keep) {
    l.owner_id = job.principal->user_id;
    l.owner_org_path = job.principal->org_path;
  }
  if (l.owner_id.has_value()) return absl::OkStatus();
  if (job.pool_id <= 0) {
    ASSIGN_OR_RETURN(l.pool_id, RegionPool(l.d.region_code));
    return absl::OkStatus();
  }
  absl::StatusOr<LeadPoolRecord> pool = pools_.Get(job.pool_id);
  if (absl::IsNotFound(pool.status())) {
    return InvalidField(
        "pool_id", absl::StrCat("lead pool ", job.pool_id, " does not exist"));
  }
  RETURN_IF_ERROR(pool.status());
  if (pool->region_code != l.d.region_code) {
    return InvalidField(
        "pool_id", absl::StrCat("lead pool ", pool->id, " serves region \"",
                                pool->region_code, "\", not the lead's \"",
                                l.d.region_code, "\""));
  }
  l.pool_id = pool->id;
  return absl::OkStatus();
}

LeadsServiceImpl::CaptureOutcome LeadsServiceImpl::CaptureOne(
    const CaptureJob& job) {
  audit::ActorScope actor(*job.principal, job.cap.request_id);
  CaptureResult r;
  // A new lead keeps the values, committed in the lead's transaction (a
  // crash cannot leave it without them); a capture merged into an open
  // lead does not overwrite that lead's.
  auto put_values = [&](db::Connection& c, int64_t id) -> absl::Status {
    r.stored.emplace();
    if (job.cf_values->empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(*r.stored,
                     job.fields->store().PutValuesOn(
                         c, "lead", id, job.cf->defs(), *job.cf_values));
    return absl::OkStatus();
  };
  ASSIGN_OR_RETURN(r.out,
                   leads_.CreateOrMerge(*job.in, job.cap,
                                        /*keys_free=*/false, put_values));
  // Merged, or an earlier capture's result: its values are read back.
  if (r.out.merged || r.out.earlier) r.stored.reset();
  return r;
}

absl::StatusOr<std::vector<LeadsServiceImpl::CaptureOutcome>>
LeadsServiceImpl::CaptureBatch(const std::vector<CaptureJob>& jobs) {
  const size_t n = jobs.size();
  std::vector<CaptureOutcome> out(n, absl::InternalError("capture not run"));
  std::vector<bool> decided(n, false);
  auto decide = [&](size_t i, CaptureOutcome o) {
    out[i] = std::move(o);
    decided[i] = true;
  };

  // 1. Earlier captures and held keys, for the whole batch.
  std::vector<std::string> request_ids, keys;
  for (const CaptureJob& j : jobs) {
    if (!j.cap.request_id.empty()) request_ids.push_back(j.cap.request_id);
    if (j.invalid.ok())
      keys.insert(keys.end(), j.in->keys.begin(), j.in->keys.end());
  }
  ASSIGN_OR_RETURN(LeadStore::BatchProbe probe,
                   leads_.ProbeCaptures(request_ids, keys));

  // 2. Which captures insert in the batch, which go one by one after it.
  std::set<std::string> requests_seen;
  std::set<std::string>& keys_seen = probe.held;
  std::vector<size_t> fresh, one_by_one;
  for (size_t i = 0; i < n; ++i) {
    const CaptureJob& j = jobs[i];
    const std::string& rid = j.cap.request_id;
    if (!rid.empty()) {
      auto prior = probe.prior.find(rid);
      if (prior != probe.prior.end()) {
        decide(i, CaptureResult{prior->second, std::nullopt});
        continue;
      }
    }
    if (!j.invalid.ok()) {
      decide(i, j.invalid);
      continue;
    }
    bool free = rid.empty() || requests_seen.insert(rid).second;
    for (const std::string& k : j.in->keys)
      free = free && !keys_seen.contains(k);
    keys_seen.insert(j.in->keys.begin(), j.in->keys.end());
    (free ? fresh : one_by_one).push_back(i);
  }

  // 3. Accounts: one check for the captures that will insert (one that
  // merges into an open lead needs none).
  std::vector<const LeadDraft*> drafts;
  for (size_t i : fresh) drafts.push_back(&jobs[i].in->lead.d);
  std::vector<std::optional<AccountMatch>> matches(fresh.size());
  if (!fresh.empty()) {
    absl::StatusOr<std::vector<std::optional<AccountMatch>>> m =
        MatchAccounts(jobs[fresh.front()].ctx, drafts);
    if (!m.ok()) {
      for (size_t i : fresh) decide(i, m.status());
      fresh.clear();
    } else {
      matches = std::move(*m);
    }
  }
  std::vector<size_t> inserting;
  std::vector<LeadStore::Insert> inserts;
  for (size_t k = 0; k < fresh.size(); ++k) {
    const size_t i = fresh[k];
    if (absl::Status s = PlaceCapture(jobs[i], matches[k]); !s.ok()) {
      decide(i, s);
      continue;
    }
    inserting.push_back(i);
    inserts.push_back(LeadStore::Insert{jobs[i].in, jobs[i].cap});
  }
  for (size_t i : one_by_one) {
    // Pooled in case its key holder closes before it runs.
    if (absl::Status s = PlaceCapture(jobs[i], std::nullopt); !s.ok())
      decide(i, s);
  }

  // 4. One transaction for the inserting captures.
  if (!inserts.empty()) {
    std::vector<customfields::Values> stored(inserts.size());
    absl::StatusOr<std::vector<LeadStore::Outcome>> created =
        db::RunInTransactionFor<std::vector<LeadStore::Outcome>>(
            *pool_,
            [&](db::Connection& c)
                -> absl::StatusOr<std::vector<LeadStore::Outcome>> {
              // Entries name each capture's request id (InsertNewOn); one
              // without inherits none, not the leader's.
              std::optional<audit::ActorScope> no_request;
              no_request.emplace(*jobs[inserting.front()].principal, "");
              ASSIGN_OR_RETURN(
                  std::vector<LeadStore::Outcome> outs,
                  LeadStore::InsertNewOn(c, inserts, clock_->Now()));
              no_request.reset();
              for (size_t k = 0; k < inserting.size(); ++k) {
                const CaptureJob& j = jobs[inserting[k]];
                if (j.cf_values->empty()) continue;
                // The values' audit entries carry this capture's request.
                audit::ActorScope actor(*j.principal, j.cap.request_id);
                ASSIGN_OR_RETURN(stored[k], j.fields->store().PutValuesOn(
                                                c, "lead", outs[k].lead.id,
                                                j.cf->defs(), *j.cf_values));
              }
              return outs;
            });
    if (created.ok()) {
      for (size_t k = 0; k < inserting.size(); ++k) {
        decide(inserting[k],
               CaptureResult{std::move((*created)[k]), std::move(stored[k])});
      }
    } else {
      // Rolled back: each capture on its own gets its own result or error.
      one_by_one.insert(one_by_one.end(), inserting.begin(), inserting.end());
      std::sort(one_by_one.begin(), one_by_one.end());
    }
  }

  // 5. The rest, one by one, in arrival order.
  for (size_t i : one_by_one) {
    if (!decided[i]) decide(i, CaptureOne(jobs[i]));
  }
  return out;
}

}  // namespace crm::leads

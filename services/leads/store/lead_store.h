// Leads, their de-duplication keys, captures, follow-ups and history.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/leads/store/records.h"

namespace crm::leads {

extern const char kLeadColumns[];  // "l.id, l.kind, ..." for FROM leads l
LeadRecord LeadFromRow(const db::Row& r);
absl::StatusOr<LeadRecord> GetLeadOn(db::Connection& c, int64_t id,
                                     bool for_update);
absl::Status InsertHistory(db::Connection& c, const HistoryRecord& h);

class LeadStore {
 public:
  LeadStore(std::shared_ptr<db::ConnectionPool> pool,
            std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  absl::StatusOr<LeadRecord> Get(int64_t id);

  struct Capture {
    int64_t channel_id = 0;
    int64_t campaign_id = 0;
    std::string request_id;  // may be empty
    int64_t actor_id = 0;
  };
  struct NewLead {
    // d, channel/campaign, score, pool_id xor owner, existing_customer,
    // account_id, created_by; status follows from the owner.
    LeadRecord lead;
    std::vector<std::string> keys;  // DedupKeys(lead.d)
  };
  struct Outcome {
    LeadRecord lead;
    bool merged = false;
    // The result of an earlier capture with the same request_id.
    bool earlier = false;
  };

  // Which of `keys` an open lead holds now (a capture with one of them
  // will merge, so it needs no other duplicate check).
  absl::StatusOr<std::set<std::string>> HeldKeys(
      const std::vector<std::string>& keys);

  // The capture with this request_id, if one was recorded.
  absl::StatusOr<std::optional<Outcome>> FindByRequest(
      const std::string& request_id);

  // FindByRequest and HeldKeys in one query (CreateLead's first read); the
  // prior capture's lead is read only when there is one.
  struct Probe {
    std::optional<Outcome> prior;
    std::set<std::string> held;
  };
  absl::StatusOr<Probe> ProbeCapture(const std::string& request_id,
                                     const std::vector<std::string>& keys);
  // The same for a batch of captures: the earlier captures by request_id
  // and the held keys, in one query (plus one read of the earlier
  // captures' leads when there are any).
  struct BatchProbe {
    std::map<std::string, Outcome> prior;  // by request_id
    std::set<std::string> held;
  };
  absl::StatusOr<BatchProbe> ProbeCaptures(
      const std::vector<std::string>& request_ids,
      const std::vector<std::string>& keys);

  // In one transaction: a capture whose key an open lead holds is merged
  // into it (a merged capture row, capture_count + 1, MERGE history);
  // otherwise the lead is inserted with its keys and first capture, and
  // LeadCreated (plus LeadAssigned when it starts owned) is appended.
  // Races between two captures of the same key are retried.
  // `keys_free`: a probe just saw none of the keys held and no capture with
  // the request_id, so the first attempt inserts straight away (no locking
  // read); the keys' and request_id's unique indexes still decide a race: a
  // taken key makes the retry merge, a taken request_id returns the first
  // result.
  // `on_created` runs in the same transaction once a new lead has its id
  // (not for a merge): the caller's rows that must commit with the lead,
  // such as its custom field values.
  using OnCreated = std::function<absl::Status(db::Connection&, int64_t)>;
  absl::StatusOr<Outcome> CreateOrMerge(const NewLead& in, const Capture& cap,
                                        bool keys_free = false,
                                        const OnCreated& on_created = {});
  // The same on a caller's transaction; ABORTED when a concurrent capture
  // took a key between the check and the insert (roll back and retry).
  // `insert_only`: skip the request_id and key lookups and insert.
  static absl::StatusOr<Outcome> CreateOrMergeOn(db::Connection& c,
                                                 const NewLead& in,
                                                 const Capture& cap,
                                                 absl::Time now,
                                                 bool insert_only = false);

  // Batch writes (CreateLead's capture batches, imports): inserts every
  // item's lead with its keys, first capture, LeadCreated (and, when it
  // starts owned, LeadAssigned and ASSIGN history) and audit entry, each
  // kind in one multi-row INSERT on `c` (the caller's transaction). The
  // items' keys must be free and distinct (a probe saw them free): a key
  // taken meanwhile returns ABORTED, a request_id taken meanwhile
  // ALREADY_EXISTS; roll back and retry the items one by one with
  // CreateOrMerge. Outcomes in item order, none merged.
  struct Insert {
    const NewLead* in;
    Capture cap;
  };
  static absl::StatusOr<std::vector<Outcome>> InsertNewOn(
      db::Connection& c, const std::vector<Insert>& items, absl::Time now);

  struct ListFilter {
    std::optional<LeadStatus> status;
    std::optional<int64_t> owner_id;
    std::optional<int64_t> pool_id;
    std::optional<int64_t> channel_id;
    std::optional<int64_t> campaign_id;
    std::string region_code;
    bool pooled_only = false;
    bool by_score = false;
    // Keyset: rows after (after_score, after_id) in the order (score desc,
    // id desc) or after after_id in id desc; after_id 0 = first page.
    int64_t after_id = 0;
    int after_score = 0;
    int limit = 50;
  };
  absl::StatusOr<std::vector<LeadRecord>> List(
      const ListFilter& f, const auth::SqlPredicate& visibility);

  // Replaces the profile fields, score and (for an open lead) the dedup
  // keys. ALREADY_EXISTS "<phone|company_name>: lead <id> already has ..."
  // when another open lead holds a new key.
  absl::StatusOr<LeadRecord> UpdateProfile(int64_t id, const LeadDraft& next,
                                           const Score& score);

  // Checks the transition on the locked row (domain/status_rules), updates
  // it, drops the keys of a lead that is no longer open, writes history.
  absl::StatusOr<LeadRecord> ChangeStatus(int64_t id, LeadStatus to,
                                          const std::string& reason,
                                          int64_t actor_id);

  using Rescore = std::function<Score(const LeadRecord&)>;
  // Records the follow-up, bumps the counters and last_follow_up_at,
  // ASSIGNED -> CONTACTING, rescoring with `rescore` on the updated row.
  // FAILED_PRECONDITION unless the lead is owned and open.
  absl::StatusOr<LeadRecord> AddFollowUp(int64_t id, int64_t author_id,
                                         int kind, const std::string& content,
                                         bool replied, const Rescore& rescore);

  absl::StatusOr<std::vector<HistoryRecord>> History(int64_t lead_id,
                                                     int64_t after_id,
                                                     int limit);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::leads

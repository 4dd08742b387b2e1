#include "services/leads/store/lead_store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/leads/store/lead_audit.h"
#include "services/leads/store/lead_events.h"

namespace crm::leads {
namespace {

constexpr int kMaxCreateAttempts = 4;

std::string ScoreJson(const Score& s) {
  nlohmann::json j = nlohmann::json::array();
  for (const Factor& f : s.factors)
    j.push_back({{"name", f.name},
                 {"points", f.points},
                 {"weight", f.weight},
                 {"detail", f.detail}});
  return j.dump();
}

Score ScoreFromJson(const std::string& text, int total) {
  Score s;
  s.total = total;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return s;
  for (const auto& f : j) {
    s.factors.push_back(Factor{f.value("name", ""), f.value("points", 0),
                               f.value("weight", 0), f.value("detail", "")});
  }
  return s;
}

std::string CustomJson(const std::map<std::string, std::string>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump();
}

std::string Placeholders(size_t n) {
  std::vector<std::string> q(n, "?");
  return absl::StrJoin(q, ",");
}

// The open lead holding any of `keys`, locked.
absl::StatusOr<std::optional<int64_t>> KeyHolder(
    db::Connection& c, const std::vector<std::string>& keys,
    std::optional<int64_t> except = std::nullopt) {
  if (keys.empty()) return std::nullopt;
  std::vector<db::Param> params(keys.begin(), keys.end());
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat("SELECT lead_id, dedup_key FROM "
                                        "lead_keys WHERE dedup_key IN (",
                                        Placeholders(keys.size()),
                                        ") ORDER BY lead_id FOR UPDATE"),
                           params));
  for (const db::Row& r : rows) {
    if (except && r.Int("lead_id") == *except) continue;
    return r.Int("lead_id");
  }
  return std::nullopt;
}

absl::Status InsertKeys(db::Connection& c, int64_t lead_id,
                        const std::vector<std::string>& keys) {
  if (keys.empty()) return absl::OkStatus();
  std::vector<db::Param> params;
  std::vector<std::string> rows;
  for (const std::string& k : keys) {
    rows.push_back("(?, ?)");
    params.emplace_back(k);
    params.emplace_back(lead_id);
  }
  return c
      .Exec(absl::StrCat("INSERT INTO lead_keys (dedup_key, lead_id) VALUES ",
                         absl::StrJoin(rows, ",")),
            params)
      .status();
}

// One lead_captures row per (lead id, capture), one INSERT.
absl::Status InsertCaptures(db::Connection& c,
                            const std::vector<int64_t>& lead_ids, bool merged,
                            const std::vector<const LeadStore::Capture*>& caps,
                            absl::Time now) {
  if (caps.empty()) return absl::OkStatus();
  std::string sql =
      "INSERT INTO lead_captures (lead_id, merged, channel_id, campaign_id, "
      "request_id, captured_at) VALUES ";
  std::vector<db::Param> params;
  params.reserve(caps.size() * 6);
  for (size_t i = 0; i < caps.size(); ++i) {
    const LeadStore::Capture& cap = *caps[i];
    std::optional<std::string> request;
    if (!cap.request_id.empty()) request = cap.request_id;
    absl::StrAppend(&sql, i == 0 ? "" : ",", "(?, ?, ?, ?, ?, ?)");
    params.emplace_back(lead_ids[i]);
    params.emplace_back(merged);
    params.emplace_back(cap.channel_id);
    params.emplace_back(cap.campaign_id);
    params.emplace_back(request);
    params.emplace_back(now);
  }
  return c.Exec(sql, params).status();
}

absl::Status InsertCapture(db::Connection& c, int64_t lead_id, bool merged,
                           const LeadStore::Capture& cap, absl::Time now) {
  return InsertCaptures(c, {lead_id}, merged, {&cap}, now);
}

// innodb_autoinc_lock_mode and auto_increment_increment, read once: a
// multi-row INSERT gets consecutive ids (step `increment`) unless the lock
// mode is 2 ("interleaved"), where concurrent inserts may take ids in
// between and rows must be inserted one at a time to know their ids.
struct AutoIncrement {
  bool consecutive = false;
  int64_t increment = 1;
};
absl::StatusOr<AutoIncrement> AutoIncrementOf(db::Connection& c) {
  static std::mutex mu;
  static std::optional<AutoIncrement> known;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (known.has_value()) return *known;
  }
  ASSIGN_OR_RETURN(db::Row r,
                   c.QueryOne("SELECT @@innodb_autoinc_lock_mode AS mode, "
                              "@@auto_increment_increment AS inc",
                              {}, "auto increment settings"));
  AutoIncrement a{r.Int("mode") <= 1, std::max<int64_t>(1, r.Int("inc"))};
  std::lock_guard<std::mutex> lock(mu);
  known = a;
  return a;
}

constexpr char kInsertLeads[] =
    "INSERT INTO leads (kind, company_name, company_norm, contact_name, "
    "phone, email, region_code, city, channel_id, campaign_id, notes, "
    "custom_json, industry, company_size, credit_code, status, score, "
    "score_json, owner_id, owner_org_path, pool_id, existing_customer, "
    "account_id, assigned_at, created_by, created_at, updated_at) VALUES ";
constexpr char kLeadRow[] =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?)";

// `l` as inserted (status, assigned_at, created/updated_at set).
void AddLeadParams(const LeadRecord& l, std::vector<db::Param>& p) {
  p.emplace_back(static_cast<int>(l.d.kind));
  p.emplace_back(l.d.company_name);
  p.emplace_back(l.d.company_norm);
  p.emplace_back(l.d.contact_name);
  p.emplace_back(l.d.phone);
  p.emplace_back(l.d.email);
  p.emplace_back(l.d.region_code);
  p.emplace_back(l.d.city);
  p.emplace_back(l.channel_id);
  p.emplace_back(l.campaign_id);
  p.emplace_back(l.d.notes);
  p.emplace_back(CustomJson(l.d.custom));
  p.emplace_back(l.d.industry);
  p.emplace_back(l.d.company_size);
  p.emplace_back(l.d.credit_code);
  p.emplace_back(static_cast<int>(l.status));
  p.emplace_back(l.score.total);
  p.emplace_back(ScoreJson(l.score));
  p.emplace_back(l.owner_id);
  p.emplace_back(l.owner_org_path);
  p.emplace_back(l.pool_id);
  p.emplace_back(l.existing_customer);
  p.emplace_back(l.account_id);
  p.emplace_back(l.assigned_at);
  p.emplace_back(l.created_by);
  p.emplace_back(l.created_at);
  p.emplace_back(l.updated_at);
}

// Inserts `leads` (ids not yet known) and sets their ids.
absl::Status InsertLeadRows(db::Connection& c, std::vector<LeadRecord>& leads) {
  ASSIGN_OR_RETURN(AutoIncrement ai, AutoIncrementOf(c));
  const size_t per_insert = ai.consecutive ? leads.size() : 1;
  for (size_t begin = 0; begin < leads.size(); begin += per_insert) {
    const size_t end = std::min(leads.size(), begin + per_insert);
    std::string sql = kInsertLeads;
    std::vector<db::Param> params;
    params.reserve((end - begin) * 27);
    for (size_t i = begin; i < end; ++i) {
      absl::StrAppend(&sql, i == begin ? "" : ",", kLeadRow);
      AddLeadParams(leads[i], params);
    }
    ASSIGN_OR_RETURN(int64_t inserted, c.Exec(sql, params));
    if (inserted != static_cast<int64_t>(end - begin)) {
      return absl::InternalError(absl::StrCat(
          "inserted ", inserted, " leads of ", end - begin, " rows"));
    }
    // The first id of a multi-row INSERT; the others follow it.
    ASSIGN_OR_RETURN(int64_t first, c.LastInsertId());
    for (size_t i = begin; i < end; ++i) {
      leads[i].id = first + static_cast<int64_t>(i - begin) * ai.increment;
    }
  }
  return absl::OkStatus();
}

absl::Status InsertHistories(db::Connection& c,
                             const std::vector<HistoryRecord>& hs) {
  if (hs.empty()) return absl::OkStatus();
  std::string sql =
      "INSERT INTO lead_history (lead_id, kind, from_owner_id, to_owner_id, "
      "actor_id, rule_id, detail, at) VALUES ";
  std::vector<db::Param> params;
  params.reserve(hs.size() * 8);
  for (size_t i = 0; i < hs.size(); ++i) {
    const HistoryRecord& h = hs[i];
    absl::StrAppend(&sql, i == 0 ? "" : ",", "(?, ?, ?, ?, ?, ?, ?, ?)");
    params.emplace_back(h.lead_id);
    params.emplace_back(static_cast<int>(h.kind));
    params.emplace_back(h.from_owner_id);
    params.emplace_back(h.to_owner_id);
    params.emplace_back(h.actor_id);
    params.emplace_back(h.rule_id);
    params.emplace_back(h.detail);
    params.emplace_back(h.at);
  }
  return c.Exec(sql, params).status();
}

}  // namespace

const char kLeadColumns[] =
    "l.id, l.kind, l.company_name, l.company_norm, l.contact_name, l.phone,"
    " l.email, l.region_code, l.city, l.channel_id, l.campaign_id, l.notes,"
    " l.custom_json, l.industry, l.company_size, l.credit_code, l.status,"
    " l.invalid_reason, l.score, l.score_json, l.owner_id, l.owner_org_path,"
    " l.pool_id, l.existing_customer, l.account_id, l.contact_id,"
    " l.opportunity_id, l.capture_count, l.follow_up_count, l.reply_count,"
    " l.last_follow_up_at, l.assigned_at, l.created_by, l.created_at,"
    " l.updated_at";

LeadRecord LeadFromRow(const db::Row& r) {
  LeadRecord l;
  l.id = r.Int("id");
  l.d.kind = static_cast<LeadKind>(r.Int("kind"));
  l.d.company_name = r.String("company_name");
  l.d.company_norm = r.String("company_norm");
  l.d.contact_name = r.String("contact_name");
  l.d.phone = r.String("phone");
  l.d.email = r.String("email");
  l.d.region_code = r.String("region_code");
  l.d.city = r.String("city");
  l.d.notes = r.String("notes");
  auto custom = nlohmann::json::parse(r.String("custom_json"), nullptr, false);
  if (custom.is_object()) {
    for (auto it = custom.begin(); it != custom.end(); ++it)
      if (it->is_string()) l.d.custom[it.key()] = it->get<std::string>();
  }
  l.d.industry = r.String("industry");
  l.d.company_size = static_cast<int32_t>(r.Int("company_size"));
  l.d.credit_code = r.String("credit_code");
  l.channel_id = r.Int("channel_id");
  l.campaign_id = r.Int("campaign_id");
  l.status = static_cast<LeadStatus>(r.Int("status"));
  l.invalid_reason = r.String("invalid_reason");
  l.score =
      ScoreFromJson(r.String("score_json"), static_cast<int>(r.Int("score")));
  l.owner_id = r.OptInt("owner_id");
  l.owner_org_path = r.String("owner_org_path");
  l.pool_id = r.OptInt("pool_id");
  l.existing_customer = r.Bool("existing_customer");
  l.account_id = r.Int("account_id");
  l.contact_id = r.Int("contact_id");
  l.opportunity_id = r.Int("opportunity_id");
  l.capture_count = static_cast<int>(r.Int("capture_count"));
  l.follow_up_count = static_cast<int>(r.Int("follow_up_count"));
  l.reply_count = static_cast<int>(r.Int("reply_count"));
  l.last_follow_up_at = r.OptTime("last_follow_up_at");
  l.assigned_at = r.OptTime("assigned_at");
  l.created_by = r.Int("created_by");
  l.created_at = r.Time("created_at");
  l.updated_at = r.Time("updated_at");
  return l;
}

absl::StatusOr<LeadRecord> GetLeadOn(db::Connection& c, int64_t id,
                                     bool for_update) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat("SELECT ", kLeadColumns,
                                           " FROM leads l WHERE l.id = ?",
                                           for_update ? " FOR UPDATE" : ""),
                              {id}, absl::StrCat("lead ", id)));
  return LeadFromRow(row);
}

absl::Status InsertHistory(db::Connection& c, const HistoryRecord& h) {
  return InsertHistories(c, {h});
}

absl::StatusOr<LeadRecord> LeadStore::Get(int64_t id) {
  std::optional<LeadRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetLeadOn(c, id, false));
        return absl::OkStatus();
      }));
  return std::move(*out);
}

absl::StatusOr<std::set<std::string>> LeadStore::HeldKeys(
    const std::vector<std::string>& keys) {
  std::set<std::string> held;
  if (keys.empty()) return held;
  std::vector<db::Param> params(keys.begin(), keys.end());
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat("SELECT dedup_key FROM lead_keys WHERE "
                                 "dedup_key IN (",
                                 Placeholders(keys.size()), ")"),
                    params));
        held.clear();
        for (const db::Row& r : rows) held.insert(r.String("dedup_key"));
        return absl::OkStatus();
      }));
  return held;
}

absl::StatusOr<std::optional<LeadStore::Outcome>> LeadStore::FindByRequest(
    const std::string& request_id) {
  std::optional<Outcome> out;
  if (request_id.empty()) return out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query("SELECT lead_id, merged FROM lead_captures "
                                 "WHERE request_id = ?",
                                 {request_id}));
        if (rows.empty()) return absl::OkStatus();
        ASSIGN_OR_RETURN(LeadRecord l,
                         GetLeadOn(c, rows.front().Int("lead_id"), false));
        out = Outcome{std::move(l), rows.front().Bool("merged"), true};
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<LeadStore::Probe> LeadStore::ProbeCapture(
    const std::string& request_id, const std::vector<std::string>& keys) {
  std::vector<std::string> request_ids;
  if (!request_id.empty()) request_ids.push_back(request_id);
  ASSIGN_OR_RETURN(BatchProbe b, ProbeCaptures(request_ids, keys));
  Probe out;
  out.held = std::move(b.held);
  if (!b.prior.empty()) out.prior = std::move(b.prior.begin()->second);
  return out;
}

absl::StatusOr<LeadStore::BatchProbe> LeadStore::ProbeCaptures(
    const std::vector<std::string>& request_ids,
    const std::vector<std::string>& keys) {
  BatchProbe out;
  std::vector<std::string> parts;
  std::vector<db::Param> params;
  if (!request_ids.empty()) {
    parts.push_back(
        absl::StrCat("SELECT 0 AS src, lead_id, merged, request_id AS k FROM "
                     "lead_captures WHERE request_id IN (",
                     Placeholders(request_ids.size()), ")"));
    params.insert(params.end(), request_ids.begin(), request_ids.end());
  }
  if (!keys.empty()) {
    parts.push_back(absl::StrCat(
        "SELECT 1 AS src, lead_id, 0 AS merged, dedup_key AS k FROM lead_keys "
        "WHERE dedup_key IN (",
        Placeholders(keys.size()), ")"));
    params.insert(params.end(), keys.begin(), keys.end());
  }
  if (parts.empty()) return out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query(absl::StrJoin(parts, " UNION ALL "), params));
        out = BatchProbe{};
        std::map<std::string, std::pair<int64_t, bool>> prior;
        for (const db::Row& r : rows) {
          if (r.Int("src") == 0) {
            prior[r.String("k")] = {r.Int("lead_id"), r.Bool("merged")};
          } else {
            out.held.insert(r.String("k"));
          }
        }
        if (prior.empty()) return absl::OkStatus();
        // The earlier captures' leads, in one read.
        std::vector<db::Param> ids;
        for (const auto& [rid, p] : prior) ids.emplace_back(p.first);
        ASSIGN_OR_RETURN(db::Rows leads,
                         c.Query(absl::StrCat("SELECT ", kLeadColumns,
                                              " FROM leads l WHERE l.id IN (",
                                              Placeholders(ids.size()), ")"),
                                 ids));
        std::map<int64_t, LeadRecord> by_id;
        for (const db::Row& r : leads) {
          LeadRecord l = LeadFromRow(r);
          by_id[l.id] = std::move(l);
        }
        for (const auto& [rid, p] : prior) {
          auto it = by_id.find(p.first);
          if (it == by_id.end()) {
            return absl::InternalError(absl::StrCat(
                "capture ", rid, " names lead ", p.first, " which is gone"));
          }
          out.prior[rid] = Outcome{it->second, p.second, true};
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<LeadStore::Outcome> LeadStore::CreateOrMergeOn(
    db::Connection& c, const NewLead& in, const Capture& cap, absl::Time now,
    bool insert_only) {
  if (!insert_only && !cap.request_id.empty()) {
    ASSIGN_OR_RETURN(db::Rows prior,
                     c.Query("SELECT lead_id, merged FROM lead_captures "
                             "WHERE request_id = ?",
                             {cap.request_id}));
    if (!prior.empty()) {
      ASSIGN_OR_RETURN(LeadRecord l,
                       GetLeadOn(c, prior.front().Int("lead_id"), false));
      return Outcome{std::move(l), prior.front().Bool("merged"), true};
    }
  }
  std::optional<int64_t> holder;
  if (!insert_only) {
    ASSIGN_OR_RETURN(holder, KeyHolder(c, in.keys));
  }
  if (holder.has_value()) {
    RETURN_IF_ERROR(InsertCapture(c, *holder, true, cap, now));
    RETURN_IF_ERROR(c.Exec("UPDATE leads SET capture_count = capture_count + "
                           "1, updated_at = ? WHERE id = ?",
                           {now, *holder})
                        .status());
    HistoryRecord h;
    h.lead_id = *holder;
    h.kind = HistoryKind::kMerge;
    h.actor_id = cap.actor_id;
    h.detail = absl::StrCat("capture from channel ", cap.channel_id,
                            " campaign ", cap.campaign_id);
    h.at = now;
    RETURN_IF_ERROR(InsertHistory(c, h));
    ASSIGN_OR_RETURN(LeadRecord l, GetLeadOn(c, *holder, false));
    return Outcome{std::move(l), true};
  }
  ASSIGN_OR_RETURN(std::vector<Outcome> created,
                   InsertNewOn(c, {Insert{&in, cap}}, now));
  return std::move(created.front());
}

absl::StatusOr<std::vector<LeadStore::Outcome>> LeadStore::InsertNewOn(
    db::Connection& c, const std::vector<Insert>& items, absl::Time now) {
  std::vector<LeadRecord> leads;
  leads.reserve(items.size());
  for (const Insert& it : items) {
    LeadRecord& l = leads.emplace_back(it.in->lead);
    l.status =
        l.owner_id.has_value() ? LeadStatus::kAssigned : LeadStatus::kNew;
    l.assigned_at.reset();
    if (l.owner_id.has_value()) l.assigned_at = now;
    l.created_at = l.updated_at = now;
  }
  if (leads.empty()) return std::vector<Outcome>{};
  RETURN_IF_ERROR(InsertLeadRows(c, leads));

  // Every item's keys in one INSERT; a key taken since the probe (by a
  // capture outside this batch) fails it and the caller retries.
  std::vector<db::Param> key_params;
  std::string key_sql = "INSERT INTO lead_keys (dedup_key, lead_id) VALUES ";
  for (size_t i = 0; i < items.size(); ++i) {
    for (const std::string& k : items[i].in->keys) {
      absl::StrAppend(&key_sql, key_params.empty() ? "" : ",", "(?, ?)");
      key_params.emplace_back(k);
      key_params.emplace_back(leads[i].id);
    }
  }
  if (!key_params.empty()) {
    absl::Status keys = c.Exec(key_sql, key_params).status();
    if (absl::IsAlreadyExists(keys)) {
      return absl::AbortedError(
          "a concurrent capture took the same phone or company; retry");
    }
    RETURN_IF_ERROR(keys);
  }

  std::vector<int64_t> ids;
  std::vector<const Capture*> caps;
  std::vector<HistoryRecord> history;
  std::vector<events::OutboxEvent> events;
  std::vector<audit::AuditEntry> entries;
  for (size_t i = 0; i < items.size(); ++i) {
    const LeadRecord& l = leads[i];
    const Capture& cap = items[i].cap;
    ids.push_back(l.id);
    caps.push_back(&cap);
    events.push_back(LeadCreatedEvent(l, now));
    audit::AuditEntry e = LeadAuditEntry("create", nullptr, &l, now);
    // Each capture's own request id (a batch mixes several requests).
    if (!cap.request_id.empty()) e.request_id = cap.request_id;
    entries.push_back(std::move(e));
    if (!l.owner_id.has_value()) continue;
    HistoryRecord h;
    h.lead_id = l.id;
    h.kind = HistoryKind::kAssign;
    h.to_owner_id = *l.owner_id;
    h.actor_id = cap.actor_id;
    h.detail = l.existing_customer
                   ? absl::StrCat("existing customer: account ", l.account_id)
                   : std::string("kept by its creator");
    h.at = now;
    history.push_back(std::move(h));
    events.push_back(LeadAssignedEvent(
        l.id, Owner{*l.owner_id, l.owner_org_path}, cap.actor_id,
        l.existing_customer ? "existing_customer" : "creator", 0, now));
  }
  RETURN_IF_ERROR(InsertCaptures(c, ids, false, caps, now));
  RETURN_IF_ERROR(InsertHistories(c, history));
  RETURN_IF_ERROR(events::AppendManyToOutbox(c, events));
  RETURN_IF_ERROR(audit::AppendMany(c, std::move(entries)));
  std::vector<Outcome> out;
  out.reserve(leads.size());
  for (LeadRecord& l : leads) out.push_back(Outcome{std::move(l), false});
  return out;
}

absl::StatusOr<LeadStore::Outcome> LeadStore::CreateOrMerge(
    const NewLead& in, const Capture& cap, bool keys_free,
    const OnCreated& on_created) {
  absl::Status last;
  for (int attempt = 0; attempt < kMaxCreateAttempts; ++attempt) {
    const bool insert_only = keys_free && attempt == 0;
    absl::StatusOr<Outcome> out = db::RunInTransactionFor<Outcome>(
        *pool_, [&](db::Connection& c) -> absl::StatusOr<Outcome> {
          ASSIGN_OR_RETURN(
              Outcome out,
              CreateOrMergeOn(c, in, cap, clock_->Now(), insert_only));
          if (!out.merged && !out.earlier && on_created) {
            RETURN_IF_ERROR(on_created(c, out.lead.id));
          }
          return out;
        });
    if (out.ok() || !absl::IsAborted(out.status())) {
      // A concurrent retry of the same request_id may have won the insert.
      if (absl::IsAlreadyExists(out.status()) && !cap.request_id.empty()) {
        ASSIGN_OR_RETURN(std::optional<Outcome> prior,
                         FindByRequest(cap.request_id));
        if (prior.has_value()) return std::move(*prior);
      }
      return out;
    }
    last = out.status();
  }
  return last;
}

absl::StatusOr<std::vector<LeadRecord>> LeadStore::List(
    const ListFilter& f, const auth::SqlPredicate& visibility) {
  std::string sql = absl::StrCat("SELECT ", kLeadColumns,
                                 " FROM leads l WHERE (", visibility.sql, ")");
  std::vector<db::Param> params = visibility.params;
  auto add = [&](const char* cond, db::Param p) {
    absl::StrAppend(&sql, " AND ", cond);
    params.push_back(std::move(p));
  };
  if (f.status) add("l.status = ?", static_cast<int>(*f.status));
  if (f.owner_id) add("l.owner_id = ?", *f.owner_id);
  if (f.pool_id) add("l.pool_id = ?", *f.pool_id);
  if (f.channel_id) add("l.channel_id = ?", *f.channel_id);
  if (f.campaign_id) add("l.campaign_id = ?", *f.campaign_id);
  if (!f.region_code.empty()) add("l.region_code = ?", f.region_code);
  if (f.pooled_only) absl::StrAppend(&sql, " AND l.pool_id IS NOT NULL");
  if (f.by_score) {
    if (f.after_id > 0) {
      absl::StrAppend(&sql, " AND (l.score < ? OR (l.score = ? AND l.id < ?))");
      params.insert(params.end(), {f.after_score, f.after_score, f.after_id});
    }
    absl::StrAppend(&sql, " ORDER BY l.score DESC, l.id DESC LIMIT ?");
  } else {
    if (f.after_id > 0) add("l.id < ?", f.after_id);
    absl::StrAppend(&sql, " ORDER BY l.id DESC LIMIT ?");
  }
  params.push_back(f.limit);
  std::vector<LeadRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
        out.clear();
        for (const db::Row& r : rows) out.push_back(LeadFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<LeadRecord> LeadStore::UpdateProfile(int64_t id,
                                                    const LeadDraft& d,
                                                    const Score& score) {
  return db::RunInTransactionFor<LeadRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<LeadRecord> {
        ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, id, true));
        if (IsOpen(cur.status)) {
          const std::vector<std::string> keys = DedupKeys(d);
          ASSIGN_OR_RETURN(std::optional<int64_t> other,
                           KeyHolder(c, keys, id));
          if (other.has_value()) {
            ASSIGN_OR_RETURN(LeadRecord o, GetLeadOn(c, *other, false));
            const bool phone = !d.phone.empty() && o.d.phone == d.phone;
            return absl::AlreadyExistsError(absl::StrCat(
                phone ? "phone" : "company_name", ": lead ", *other,
                " already has this ", phone ? "phone" : "company"));
          }
          RETURN_IF_ERROR(
              c.Exec("DELETE FROM lead_keys WHERE lead_id = ?", {id}).status());
          RETURN_IF_ERROR(InsertKeys(c, id, keys));
        }
        RETURN_IF_ERROR(
            c.Exec("UPDATE leads SET kind = ?, company_name = ?, "
                   "company_norm = ?, contact_name = ?, phone = ?, email = ?, "
                   "region_code = ?, city = ?, notes = ?, custom_json = ?, "
                   "industry = ?, company_size = ?, credit_code = ?, score = "
                   "?, score_json = ?, updated_at = ? WHERE id = ?",
                   {static_cast<int>(d.kind), d.company_name, d.company_norm,
                    d.contact_name, d.phone, d.email, d.region_code, d.city,
                    d.notes, CustomJson(d.custom), d.industry, d.company_size,
                    d.credit_code, score.total, ScoreJson(score), clock_->Now(),
                    id})
                .status());
        ASSIGN_OR_RETURN(LeadRecord after, GetLeadOn(c, id, false));
        RETURN_IF_ERROR(AuditLead(c, "update", &cur, &after, clock_->Now()));
        return after;
      });
}

absl::StatusOr<LeadRecord> LeadStore::ChangeStatus(int64_t id, LeadStatus to,
                                                   const std::string& reason,
                                                   int64_t actor_id) {
  return db::RunInTransactionFor<LeadRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<LeadRecord> {
        ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, id, true));
        RETURN_IF_ERROR(CheckStatusChange(cur.status, to, reason));
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(
            c.Exec(
                 "UPDATE leads SET status = ?, invalid_reason = ?, "
                 "updated_at = ? WHERE id = ?",
                 {static_cast<int>(to),
                  to == LeadStatus::kInvalid ? reason : std::string(), now, id})
                .status());
        if (!IsOpen(to)) {
          RETURN_IF_ERROR(
              c.Exec("DELETE FROM lead_keys WHERE lead_id = ?", {id}).status());
        }
        HistoryRecord h;
        h.lead_id = id;
        h.kind = HistoryKind::kStatus;
        h.actor_id = actor_id;
        h.from_owner_id = h.to_owner_id = cur.owner_id.value_or(0);
        h.detail = absl::StrCat(StatusName(cur.status), " -> ", StatusName(to),
                                reason.empty() ? "" : ": ", reason);
        h.at = now;
        RETURN_IF_ERROR(InsertHistory(c, h));
        ASSIGN_OR_RETURN(LeadRecord after, GetLeadOn(c, id, false));
        RETURN_IF_ERROR(AuditLead(c, "status", &cur, &after, now, reason));
        return after;
      });
}

absl::StatusOr<LeadRecord> LeadStore::AddFollowUp(int64_t id, int64_t author_id,
                                                  int kind,
                                                  const std::string& content,
                                                  bool replied,
                                                  const Rescore& rescore) {
  return db::RunInTransactionFor<LeadRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<LeadRecord> {
        ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, id, true));
        if (!IsOpen(cur.status) || !cur.owner_id.has_value()) {
          return absl::FailedPreconditionError(
              absl::StrCat("lead ", id, " is ", StatusName(cur.status),
                           cur.owner_id.has_value() ? "" : " (in the pool)",
                           "; follow-ups need an owned, open lead"));
        }
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(
            c.Exec("INSERT INTO lead_follow_ups (lead_id, author_id, kind, "
                   "content, replied, at) VALUES (?, ?, ?, ?, ?, ?)",
                   {id, author_id, kind, content, replied, now})
                .status());
        LeadRecord next = cur;
        next.follow_up_count += 1;
        next.reply_count += replied ? 1 : 0;
        next.last_follow_up_at = now;
        if (next.status == LeadStatus::kAssigned)
          next.status = LeadStatus::kContacting;
        next.score = rescore(next);
        RETURN_IF_ERROR(
            c.Exec("UPDATE leads SET follow_up_count = ?, reply_count = ?, "
                   "last_follow_up_at = ?, status = ?, score = ?, score_json "
                   "= ?, updated_at = ? WHERE id = ?",
                   {next.follow_up_count, next.reply_count, now,
                    static_cast<int>(next.status), next.score.total,
                    ScoreJson(next.score), now, id})
                .status());
        HistoryRecord h;
        h.lead_id = id;
        h.kind = HistoryKind::kFollowUp;
        h.actor_id = author_id;
        h.from_owner_id = h.to_owner_id = cur.owner_id.value_or(0);
        h.detail = replied ? "follow-up (replied)" : "follow-up";
        h.at = now;
        RETURN_IF_ERROR(InsertHistory(c, h));
        return GetLeadOn(c, id, false);
      });
}

absl::StatusOr<std::vector<HistoryRecord>> LeadStore::History(int64_t lead_id,
                                                              int64_t after_id,
                                                              int limit) {
  std::vector<HistoryRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query("SELECT id, lead_id, kind, from_owner_id, to_owner_id, "
                    "actor_id, rule_id, detail, at FROM lead_history WHERE "
                    "lead_id = ? AND id > ? ORDER BY id LIMIT ?",
                    {lead_id, after_id, limit}));
        out.clear();
        for (const db::Row& r : rows) {
          out.push_back(HistoryRecord{
              r.Int("id"), r.Int("lead_id"),
              static_cast<HistoryKind>(r.Int("kind")), r.Int("from_owner_id"),
              r.Int("to_owner_id"), r.Int("actor_id"), r.Int("rule_id"),
              r.String("detail"), r.Time("at")});
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace crm::leads

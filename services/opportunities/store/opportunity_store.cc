#include "services/opportunities/store/opportunity_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "services/opportunities/domain/event_payloads.h"
#include "services/opportunities/domain/funnel.h"
#include "services/opportunities/store/opportunity_audit.h"

namespace crm::opportunities {

const char kOpportunityColumns[] =
    "o.id, o.name, o.account_id, o.pipeline_id, o.stage_pos, o.stage_code, "
    "o.sub_stage, o.status, o.probability_bp, o.max_open_pos, "
    "o.closed_from_pos, o.owner_id, o.owner_org_path, o.currency, "
    "o.amount_minor, DATE_FORMAT(o.expected_close_date, '%Y-%m-%d') AS "
    "expected_close_date, o.source_lead_id, o.products_json, "
    "o.budget_currency, o.budget_minor, o.decision_maker, o.description, "
    "o.contract_ref, o.loss_reason, o.loss_note, o.stage_entered_at, "
    "o.last_activity_at, o.stale_alerted_for, o.closed_at, o.created_by, "
    "o.created_at, o.updated_at, o.version";

OpportunityRecord OpportunityFromRow(const db::Row& r) {
  OpportunityRecord o;
  o.id = r.Int("id");
  o.name = r.String("name");
  o.account_id = r.Int("account_id");
  o.pipeline_id = r.Int("pipeline_id");
  o.stage_pos = static_cast<int>(r.Int("stage_pos"));
  o.stage_code = r.String("stage_code");
  o.sub_stage = r.String("sub_stage");
  o.status = static_cast<OppStatus>(r.Int("status"));
  o.probability_bp = static_cast<int>(r.Int("probability_bp"));
  o.max_open_pos = static_cast<int>(r.Int("max_open_pos"));
  o.closed_from_pos = static_cast<int>(r.Int("closed_from_pos"));
  o.owner_id = r.Int("owner_id");
  o.owner_org_path = r.String("owner_org_path");
  o.currency = r.String("currency");
  o.amount_minor = r.Int("amount_minor");
  o.expected_close_date = r.String("expected_close_date");
  o.source_lead_id = r.OptInt("source_lead_id");
  try {
    o.products = nlohmann::json::parse(r.String("products_json"))
                     .get<std::vector<std::string>>();
  } catch (const std::exception&) {
    o.products.clear();
  }
  o.budget_currency = r.String("budget_currency");
  o.budget_minor = r.OptInt("budget_minor");
  o.decision_maker = r.String("decision_maker");
  o.description = r.String("description");
  o.contract_ref = r.String("contract_ref");
  o.loss_reason = r.String("loss_reason");
  o.loss_note = r.String("loss_note");
  o.stage_entered_at = r.Time("stage_entered_at");
  o.last_activity_at = r.Time("last_activity_at");
  o.stale_alerted_for = r.OptTime("stale_alerted_for");
  o.closed_at = r.OptTime("closed_at");
  o.created_by = r.Int("created_by");
  o.created_at = r.Time("created_at");
  o.updated_at = r.Time("updated_at");
  o.version = r.Int("version");
  return o;
}

namespace {

db::Param OptText(const std::string& s) {
  return s.empty() ? db::Param(nullptr) : db::Param(s);
}

absl::StatusOr<OpportunityRecord> GetOn(db::Connection& c, int64_t id,
                                        bool for_update) {
  ASSIGN_OR_RETURN(
      db::Row row,
      c.QueryOne(absl::StrCat("SELECT ", kOpportunityColumns,
                              " FROM opportunities o WHERE o.id = ?",
                              for_update ? " FOR UPDATE" : ""),
                 {id}, absl::StrCat("opportunity ", id)));
  return OpportunityFromRow(row);
}

// Adds `sign` x (one opportunity, its amount) to its funnel_daily cell.
absl::Status AddFunnelCell(db::Connection& c, const OpportunityRecord& o,
                           int64_t sign) {
  return c
      .Exec(
          "INSERT INTO funnel_daily (pipeline_id, owner_org_path, day, "
          "stage_pos, max_open_pos, n, amount_minor) VALUES (?, ?, DATE(?), "
          "?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = n + VALUES(n), "
          "amount_minor = amount_minor + VALUES(amount_minor)",
          {o.pipeline_id, o.owner_org_path, o.created_at, o.stage_pos,
           o.max_open_pos, sign, sign * o.amount_minor})
      .status();
}

bool SameFunnelCell(const OpportunityRecord& a, const OpportunityRecord& b) {
  return a.stage_pos == b.stage_pos && a.max_open_pos == b.max_open_pos &&
         a.amount_minor == b.amount_minor &&
         a.owner_org_path == b.owner_org_path;
}

absl::Status InsertChange(db::Connection& c, const OpportunityRecord& o,
                          const StageChangeRecord& h) {
  if (h.ends_stay && h.from_pos.has_value()) {
    RETURN_IF_ERROR(
        c.Exec("INSERT INTO stay_monthly (pipeline_id, owner_org_path, "
               "month, from_pos, hours, n) VALUES (?, ?, DATE_FORMAT(?, "
               "'%Y-%m-01'), ?, ?, 1) ON DUPLICATE KEY UPDATE n = n + 1",
               {o.pipeline_id, o.owner_org_path, h.at, *h.from_pos,
                StayBucketHours(h.seconds_in_from / 3600)})
            .status());
  }
  return c
      .Exec(
          "INSERT INTO stage_history (opportunity_id, pipeline_id, owner_id, "
          "owner_org_path, kind, from_pos, from_stage, from_sub_stage, "
          "to_pos, to_stage, to_sub_stage, seconds_in_from, ends_stay, "
          "actor_id, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?)",
          {o.id, o.pipeline_id, o.owner_id, o.owner_org_path, h.kind,
           h.from_pos, h.from_stage, h.from_sub_stage, h.to_pos, h.to_stage,
           h.to_sub_stage, h.seconds_in_from, h.ends_stay, h.actor_id, h.reason,
           h.at})
      .status();
}

StageChangeRecord ChangeFromRow(const db::Row& r) {
  StageChangeRecord h;
  h.id = r.Int("id");
  h.opportunity_id = r.Int("opportunity_id");
  h.kind = r.String("kind");
  if (!r.IsNull("from_pos")) h.from_pos = static_cast<int>(r.Int("from_pos"));
  h.from_stage = r.String("from_stage");
  h.from_sub_stage = r.String("from_sub_stage");
  h.to_pos = static_cast<int>(r.Int("to_pos"));
  h.to_stage = r.String("to_stage");
  h.to_sub_stage = r.String("to_sub_stage");
  h.seconds_in_from = r.Int("seconds_in_from");
  h.ends_stay = r.Bool("ends_stay");
  h.actor_id = r.Int("actor_id");
  h.reason = r.String("reason");
  h.at = r.Time("at");
  return h;
}

}  // namespace

absl::StatusOr<OpportunityRecord> OpportunityStore::Create(
    const OpportunityRecord& o, const std::string& request_id) {
  return db::RunInTransactionFor<OpportunityRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<OpportunityRecord> {
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(db::Rows prior,
                           c.Query(absl::StrCat("SELECT ", kOpportunityColumns,
                                                " FROM opportunities o WHERE "
                                                "o.create_request_id = ?"),
                                   {request_id}));
          if (!prior.empty()) return OpportunityFromRow(prior.front());
        }
        RETURN_IF_ERROR(
            c.Exec(
                 "INSERT INTO opportunities (name, account_id, pipeline_id, "
                 "stage_pos, stage_code, sub_stage, status, probability_bp, "
                 "max_open_pos, closed_from_pos, owner_id, owner_org_path, "
                 "currency, amount_minor, expected_close_date, "
                 "source_lead_id, products_json, budget_currency, "
                 "budget_minor, decision_maker, description, "
                 "stage_entered_at, last_activity_at, create_request_id, "
                 "created_by, created_at, updated_at, version) VALUES (?, ?, "
                 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?, ?, 1)",
                 {o.name,
                  o.account_id,
                  o.pipeline_id,
                  o.stage_pos,
                  o.stage_code,
                  o.sub_stage,
                  static_cast<int>(o.status),
                  o.probability_bp,
                  o.max_open_pos,
                  o.closed_from_pos,
                  o.owner_id,
                  o.owner_org_path,
                  o.currency,
                  o.amount_minor,
                  OptText(o.expected_close_date),
                  o.source_lead_id,
                  nlohmann::json(o.products).dump(),
                  o.budget_currency,
                  o.budget_minor,
                  o.decision_maker,
                  o.description,
                  o.stage_entered_at,
                  o.last_activity_at,
                  OptText(request_id),
                  o.created_by,
                  o.created_at,
                  o.updated_at})
                .status());
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        ASSIGN_OR_RETURN(OpportunityRecord created, GetOn(c, id, false));
        StageChangeRecord h;
        h.kind = "create";
        h.to_pos = created.stage_pos;
        h.to_stage = created.stage_code;
        h.to_sub_stage = created.sub_stage;
        h.actor_id = created.created_by;
        h.at = created.created_at;
        RETURN_IF_ERROR(InsertChange(c, created, h));
        RETURN_IF_ERROR(AuditOpportunity(c, "create", nullptr, &created,
                                         created.created_at));
        RETURN_IF_ERROR(AddFunnelCell(c, created, 1));
        EventSubject subject;
        subject.opportunity_id = created.id;
        subject.account_id = created.account_id;
        subject.owner_id = created.owner_id;
        subject.owner_org_path = created.owner_org_path;
        subject.name = created.name;
        subject.pipeline_id = created.pipeline_id;
        subject.amount_minor = created.amount_minor;
        subject.currency = created.currency;
        RETURN_IF_ERROR(events::AppendToOutbox(
                            c, events::StreamFor(kOpportunitiesService),
                            kEventCreated, absl::StrCat(id),
                            CreatedPayload(subject, created.stage_code,
                                           created.source_lead_id.value_or(0),
                                           created.created_at),
                            created.created_at)
                            .status());
        return created;
      });
}

absl::StatusOr<OpportunityRecord> OpportunityStore::Get(int64_t id) {
  std::optional<OpportunityRecord> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(OpportunityRecord o, GetOn(c, id, false));
    out = std::move(o);
    return absl::OkStatus();
  }));
  return *out;
}

absl::StatusOr<std::optional<OpportunityRecord>>
OpportunityStore::FindByRequestId(const std::string& request_id) {
  std::optional<OpportunityRecord> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     c.Query(absl::StrCat("SELECT ", kOpportunityColumns,
                                          " FROM opportunities o WHERE "
                                          "o.create_request_id = ?"),
                             {request_id}));
    out.reset();
    if (!rows.empty()) out = OpportunityFromRow(rows.front());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<OpportunityRecord>> OpportunityStore::List(
    const ListFilter& f, const auth::SqlPredicate& visibility) {
  std::string sql = absl::StrCat("SELECT ", kOpportunityColumns,
                                 " FROM opportunities o WHERE (",
                                 visibility.sql, ") AND o.id > ?");
  std::vector<db::Param> params = visibility.params;
  params.push_back(f.after_id);
  if (f.owner_id.has_value()) {
    sql += " AND o.owner_id = ?";
    params.push_back(*f.owner_id);
  }
  if (!f.subtree_path.empty()) {
    sql += " AND o.owner_org_path LIKE ?";
    params.push_back(auth::EscapeLike(f.subtree_path) + "%");
  }
  if (f.pipeline_id.has_value()) {
    sql += " AND o.pipeline_id = ?";
    params.push_back(*f.pipeline_id);
  }
  if (!f.stage_code.empty()) {
    sql += " AND o.stage_code = ?";
    params.push_back(f.stage_code);
  }
  if (f.status.has_value()) {
    sql += " AND o.status = ?";
    params.push_back(static_cast<int>(*f.status));
  }
  if (!f.close_from.empty()) {
    sql += " AND o.expected_close_date >= ?";
    params.push_back(f.close_from);
  }
  if (!f.close_to.empty()) {
    sql += " AND o.expected_close_date <= ?";
    params.push_back(f.close_to);
  }
  if (f.amount_min.has_value()) {
    sql += " AND o.amount_minor >= ?";
    params.push_back(*f.amount_min);
  }
  if (f.amount_max.has_value()) {
    sql += " AND o.amount_minor <= ?";
    params.push_back(*f.amount_max);
  }
  if (f.account_id.has_value()) {
    sql += " AND o.account_id = ?";
    params.push_back(*f.account_id);
  }
  sql += " ORDER BY o.id LIMIT ?";
  params.push_back(f.limit);
  std::vector<OpportunityRecord> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows) out.push_back(OpportunityFromRow(r));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<OpportunityRecord> OpportunityStore::Mutate(
    int64_t id, int64_t expected_version, const Visible& visible,
    const Planner& plan) {
  return db::RunInTransactionFor<OpportunityRecord>(
      *pool_, [&](db::Connection& c) {
        return MutateOn(c, id, expected_version, visible, plan);
      });
}

absl::StatusOr<OpportunityRecord> OpportunityStore::MutateOn(
    db::Connection& c, int64_t id, int64_t expected_version,
    const Visible& visible, const Planner& plan) {
  ASSIGN_OR_RETURN(OpportunityRecord cur, GetOn(c, id, true));
  if (!visible(cur)) {
    return absl::NotFoundError(absl::StrCat("opportunity ", id, " not found"));
  }
  if (expected_version != 0 && expected_version != cur.version) {
    return absl::AbortedError(
        absl::StrCat("opportunity ", id, " changed (version ", cur.version,
                     ", expected ", expected_version, "); reload and retry"));
  }
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(Mutation m, plan(cur, now));
  const OpportunityRecord& n = m.next;
  RETURN_IF_ERROR(
      c.Exec("UPDATE opportunities SET name = ?, stage_pos = ?, "
             "stage_code = ?, sub_stage = ?, status = ?, probability_bp "
             "= ?, max_open_pos = ?, closed_from_pos = ?, owner_id = ?, "
             "owner_org_path = ?, currency = ?, amount_minor = ?, "
             "expected_close_date = ?, products_json = ?, "
             "budget_currency = ?, budget_minor = ?, decision_maker = ?, "
             "description = ?, contract_ref = ?, loss_reason = ?, "
             "loss_note = ?, stage_entered_at = ?, last_activity_at = ?, "
             "closed_at = ?, updated_at = ?, version = version + 1 WHERE "
             "id = ?",
             {n.name,
              n.stage_pos,
              n.stage_code,
              n.sub_stage,
              static_cast<int>(n.status),
              n.probability_bp,
              n.max_open_pos,
              n.closed_from_pos,
              n.owner_id,
              n.owner_org_path,
              n.currency,
              n.amount_minor,
              OptText(n.expected_close_date),
              nlohmann::json(n.products).dump(),
              n.budget_currency,
              n.budget_minor,
              n.decision_maker,
              n.description,
              OptText(n.contract_ref),
              OptText(n.loss_reason),
              OptText(n.loss_note),
              n.stage_entered_at,
              n.last_activity_at,
              n.closed_at,
              now,
              id})
          .status());
  ASSIGN_OR_RETURN(OpportunityRecord updated, GetOn(c, id, false));
  if (!SameFunnelCell(cur, updated)) {
    RETURN_IF_ERROR(AddFunnelCell(c, cur, -1));
    RETURN_IF_ERROR(AddFunnelCell(c, updated, 1));
  }
  if (m.change.has_value()) {
    StageChangeRecord h = *m.change;
    h.opportunity_id = id;
    h.at = now;
    RETURN_IF_ERROR(InsertChange(c, updated, h));
  }
  RETURN_IF_ERROR(AuditOpportunity(c, m.change ? m.change->kind : "update",
                                   &cur, &updated, now,
                                   m.change ? m.change->reason : m.note));
  for (const auto& [type, body] : m.events) {
    RETURN_IF_ERROR(
        events::AppendToOutbox(c, events::StreamFor(kOpportunitiesService),
                               type, absl::StrCat(id), body, now)
            .status());
  }
  return updated;
}

absl::StatusOr<std::vector<int64_t>> OpportunityStore::OpenOwnedBy(
    db::Connection& c, int64_t owner_id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT id FROM opportunities WHERE owner_id = ? "
                           "AND status = ? ORDER BY id",
                           {owner_id, static_cast<int>(OppStatus::kOpen)}));
  std::vector<int64_t> ids;
  for (const db::Row& r : rows) ids.push_back(r.Int("id"));
  return ids;
}

absl::StatusOr<std::vector<StageChangeRecord>> OpportunityStore::History(
    int64_t opportunity_id, int64_t after_id, int limit) {
  std::vector<StageChangeRecord> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        c.Query("SELECT id, opportunity_id, kind, from_pos, from_stage, "
                "from_sub_stage, to_pos, to_stage, to_sub_stage, "
                "seconds_in_from, ends_stay, actor_id, reason, at FROM "
                "stage_history WHERE opportunity_id = ? AND id > ? ORDER BY "
                "id LIMIT ?",
                {opportunity_id, after_id, limit}));
    out.clear();
    for (const db::Row& r : rows) out.push_back(ChangeFromRow(r));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace crm::opportunities

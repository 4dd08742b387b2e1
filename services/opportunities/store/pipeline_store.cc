#include "services/opportunities/store/pipeline_store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::opportunities {
namespace {

constexpr char kPipelineColumns[] =
    "id, name, customer_type, deal_kind, stages_json, allow_backward, "
    "stale_days, active, created_at";

absl::StatusOr<PipelineDef> PipelineFromRow(const db::Row& r) {
  PipelineDef p;
  p.id = r.Int("id");
  p.name = r.String("name");
  p.customer_type = static_cast<CustomerType>(r.Int("customer_type"));
  p.deal_kind = static_cast<DealKind>(r.Int("deal_kind"));
  ASSIGN_OR_RETURN(p.stages, StagesFromJson(r.String("stages_json")));
  p.allow_backward = r.Bool("allow_backward");
  p.stale_days = static_cast<int>(r.Int("stale_days"));
  p.active = r.Bool("active");
  p.created_at = r.Time("created_at");
  return p;
}

LossReasonRecord ReasonFromRow(const db::Row& r) {
  return LossReasonRecord{r.String("code"), r.String("label"),
                          r.Bool("active")};
}

}  // namespace

std::string StagesToJson(const std::vector<StageDef>& stages) {
  nlohmann::json arr = nlohmann::json::array();
  for (const StageDef& s : stages) {
    arr.push_back({{"code", s.code},
                   {"name", s.name},
                   {"kind", static_cast<int>(s.kind)},
                   {"probability_bp", s.probability_bp},
                   {"skippable", s.skippable},
                   {"required_fields", s.required_fields},
                   {"sub_stages", s.sub_stages}});
  }
  return arr.dump();
}

absl::StatusOr<std::vector<StageDef>> StagesFromJson(const std::string& json) {
  try {
    std::vector<StageDef> out;
    for (const nlohmann::json& j : nlohmann::json::parse(json)) {
      StageDef s;
      s.code = j.at("code").get<std::string>();
      s.name = j.at("name").get<std::string>();
      s.kind = static_cast<StageKind>(j.at("kind").get<int>());
      s.probability_bp = j.at("probability_bp").get<int>();
      s.skippable = j.value("skippable", false);
      s.required_fields =
          j.value("required_fields", std::vector<std::string>{});
      s.sub_stages = j.value("sub_stages", std::vector<std::string>{});
      out.push_back(std::move(s));
    }
    return out;
  } catch (const std::exception& e) {
    return absl::DataLossError(
        absl::StrCat("stored pipeline stages are unreadable: ", e.what()));
  }
}

absl::StatusOr<PipelineDef> PipelineStore::Create(
    const PipelineDef& p, const std::string& request_id) {
  return db::RunInTransactionFor<PipelineDef>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<PipelineDef> {
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(absl::StrCat("SELECT ", kPipelineColumns,
                                   " FROM pipelines WHERE create_request_id "
                                   "= ?"),
                      {request_id}));
          if (!prior.empty()) return PipelineFromRow(prior.front());
        }
        RETURN_IF_ERROR(
            c.Exec("INSERT INTO pipelines (name, customer_type, deal_kind, "
                   "stages_json, allow_backward, stale_days, active, "
                   "create_request_id, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                   "?, ?, ?)",
                   {p.name, static_cast<int>(p.customer_type),
                    static_cast<int>(p.deal_kind), StagesToJson(p.stages),
                    p.allow_backward, p.stale_days, p.active,
                    request_id.empty() ? db::Param(nullptr)
                                       : db::Param(request_id),
                    clock_->Now()})
                .status());
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne(absl::StrCat("SELECT ", kPipelineColumns,
                                    " FROM pipelines WHERE id = ?"),
                       {id}, "pipeline"));
        return PipelineFromRow(row);
      });
}

absl::StatusOr<PipelineDef> PipelineStore::Get(int64_t id) {
  absl::StatusOr<PipelineDef> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     c.Query(absl::StrCat("SELECT ", kPipelineColumns,
                                          " FROM pipelines WHERE id = ?"),
                             {id}));
    if (rows.empty()) {
      out = absl::NotFoundError(absl::StrCat("pipeline ", id, " not found"));
    } else {
      out = PipelineFromRow(rows.front());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<PipelineDef>> PipelineStore::List(
    bool include_inactive, CustomerType type, DealKind kind) {
  std::vector<PipelineDef> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        c.Query(
            absl::StrCat("SELECT ", kPipelineColumns,
                         " FROM pipelines WHERE (? OR active = 1)"
                         " AND (? = 0 OR customer_type = ?)"
                         " AND (? = 0 OR deal_kind = ?) ORDER BY id"),
            {include_inactive, static_cast<int>(type), static_cast<int>(type),
             static_cast<int>(kind), static_cast<int>(kind)}));
    out.clear();
    for (const db::Row& r : rows) {
      ASSIGN_OR_RETURN(PipelineDef p, PipelineFromRow(r));
      out.push_back(std::move(p));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<PipelineDef> PipelineStore::FindActive(CustomerType type,
                                                      DealKind kind) {
  ASSIGN_OR_RETURN(std::vector<PipelineDef> all, List(false, type, kind));
  if (all.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no active pipeline for customer type ",
                     static_cast<int>(type), " and deal kind ",
                     static_cast<int>(kind), "; an admin must create one"));
  }
  return all.front();
}

absl::StatusOr<PipelineDef> PipelineStore::Update(int64_t id,
                                                  const Changes& ch) {
  RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
    RETURN_IF_ERROR(c.QueryOne("SELECT id FROM pipelines WHERE id = ? FOR "
                               "UPDATE",
                               {id}, absl::StrCat("pipeline ", id))
                        .status());
    return c
        .Exec(
            "UPDATE pipelines SET name = COALESCE(?, name), active = "
            "COALESCE(?, active), stale_days = COALESCE(?, stale_days) WHERE "
            "id = ?",
            {ch.name, ch.active, ch.stale_days, id})
        .status();
  }));
  return Get(id);
}

absl::Status PipelineStore::CreateReason(const LossReasonRecord& r) {
  return db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(
        db::Rows prior,
        c.Query("SELECT code FROM loss_reasons WHERE code = ?", {r.code}));
    if (!prior.empty()) {
      return absl::AlreadyExistsError(
          absl::StrCat("loss reason ", r.code, " already exists"));
    }
    return c
        .Exec(
            "INSERT INTO loss_reasons (code, label, active, created_at) "
            "VALUES (?, ?, ?, ?)",
            {r.code, r.label, r.active, clock_->Now()})
        .status();
  });
}

absl::StatusOr<std::vector<LossReasonRecord>> PipelineStore::ListReasons(
    bool include_inactive) {
  std::vector<LossReasonRecord> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     c.Query("SELECT code, label, active FROM loss_reasons "
                             "WHERE (? OR active = 1) ORDER BY created_at, "
                             "code",
                             {include_inactive}));
    out.clear();
    for (const db::Row& r : rows) out.push_back(ReasonFromRow(r));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<LossReasonRecord> PipelineStore::GetReason(
    const std::string& code) {
  LossReasonRecord out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(
        db::Row r,
        c.QueryOne("SELECT code, label, active FROM loss_reasons WHERE code "
                   "= ?",
                   {code}, absl::StrCat("loss reason ", code)));
    out = ReasonFromRow(r);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<LossReasonRecord> PipelineStore::UpdateReason(
    const std::string& code, const std::optional<std::string>& label,
    std::optional<bool> active) {
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    return c
        .Exec(
            "UPDATE loss_reasons SET label = COALESCE(?, label), active = "
            "COALESCE(?, active) WHERE code = ?",
            {label, active, code})
        .status();
  }));
  return GetReason(code);
}

}  // namespace crm::opportunities

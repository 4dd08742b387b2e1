#include "services/accounts/domain/inbox_rules.h"

#include "absl/strings/str_cat.h"
#include "common/events/payload.h"

namespace crm::accounts {

namespace {

InboxMessage Base(const events::Event& e, int64_t user, const char* kind,
                  const char* entity_type, std::string entity_id) {
  InboxMessage m;
  m.user_id = user;
  m.kind = kind;
  m.entity_type = entity_type;
  m.entity_id = std::move(entity_id);
  m.source_event_id = e.event_id;
  m.dedupe_key = absl::StrCat(e.event_id, ":", kind);
  m.created_at = e.occurred_at;
  return m;
}

std::string Money(int64_t minor) {
  const int64_t abs = minor < 0 ? -minor : minor;
  return absl::StrCat(minor < 0 ? "-" : "", abs / 100, ".",
                      absl::Dec(abs % 100, absl::kZeroPad2));
}

}  // namespace

std::vector<InboxMessage> MessagesForEvent(const events::Event& e) {
  std::vector<InboxMessage> out;
  const nlohmann::json& p = e.payload;
  if (e.type == "LeadAssigned") {
    std::optional<int64_t> lead = events::IntField(p, "lead_id");
    std::optional<int64_t> owner = events::IntField(p, "owner_id");
    const int64_t by = events::IntField(p, "assigned_by").value_or(0);
    if (!lead || !owner || *owner <= 0 || *owner == by) return out;
    InboxMessage m =
        Base(e, *owner, "lead_assigned", "lead", absl::StrCat(*lead));
    m.title = absl::StrCat("新线索分配给你: 线索 #", *lead);
    if (std::optional<std::string> rule = events::StringField(p, "rule");
        rule && !rule->empty())
      m.body = absl::StrCat("规则: ", *rule);
    out.push_back(std::move(m));
  } else if (e.type == "InstallmentOverdue") {
    std::optional<std::string> contract = events::IdField(p, "contract_id");
    std::optional<int64_t> owner = events::IntField(p, "owner_id");
    if (!contract || !owner || *owner <= 0) return out;
    InboxMessage m = Base(e, *owner, "payment_overdue", "contract", *contract);
    m.title = absl::StrCat("回款逾期: 合同 #", *contract);
    m.body = absl::StrCat(
        "应收 ", Money(events::IntField(p, "amount_due_minor").value_or(0)),
        ", 到期日 ", events::StringField(p, "due_date").value_or(""),
        ", 已逾期 ", events::IntField(p, "days_overdue").value_or(0), " 天");
    out.push_back(std::move(m));
  } else if (e.type == "TicketAssigned") {
    std::optional<int64_t> ticket = events::IntField(p, "ticket_id");
    std::optional<int64_t> assignee = events::IntField(p, "assignee_id");
    const int64_t actor = events::IntField(p, "actor_id").value_or(0);
    if (!ticket || !assignee || *assignee <= 0 || *assignee == actor)
      return out;
    InboxMessage m =
        Base(e, *assignee, "ticket_assigned", "ticket", absl::StrCat(*ticket));
    m.title = absl::StrCat("工单分配给你: 工单 #", *ticket);
    m.body =
        absl::StrCat("方式: ", events::StringField(p, "mode").value_or(""));
    out.push_back(std::move(m));
  } else if (e.type == "TicketSlaEscalated") {
    std::optional<int64_t> ticket = events::IntField(p, "ticket_id");
    std::optional<int64_t> assignee = events::IntField(p, "assignee_id");
    if (!ticket || !assignee || *assignee <= 0) return out;
    const bool breach = events::StringField(p, "kind").value_or("") == "breach";
    InboxMessage m = Base(e, *assignee,
                          breach ? "ticket_sla_breached" : "ticket_sla_warning",
                          "ticket", absl::StrCat(*ticket));
    m.title = absl::StrCat(
        breach ? "SLA 已超时: 工单 #" : "SLA 即将超时: 工单 #", *ticket);
    m.body =
        absl::StrCat(events::StringField(p, "target").value_or(""), " 截止 ",
                     events::StringField(p, "due_at").value_or(""));
    out.push_back(std::move(m));
  } else if (e.type == "LeaderboardRankChanged") {
    std::optional<int64_t> owner = events::IntField(p, "owner_id");
    std::optional<int64_t> old_rank = events::IntField(p, "old_rank");
    std::optional<int64_t> new_rank = events::IntField(p, "new_rank");
    std::optional<std::string> period = events::StringField(p, "period");
    if (!owner || *owner <= 0 || !old_rank || !new_rank || !period ||
        *new_rank <= 0 || *old_rank < 0 || *old_rank == *new_rank)
      return out;
    const std::string metric =
        events::StringField(p, "metric").value_or("received");
    InboxMessage m = Base(e, *owner, "rank_changed", "leaderboard",
                          absl::StrCat(metric, ":", *period));
    const char* board = metric == "signed" ? "签约榜" : "回款榜";
    m.title = absl::StrCat(*period, " ", board, ": 第 ", *new_rank, " 名");
    if (*old_rank == 0) {
      m.body = "首次上榜";
    } else if (*new_rank < *old_rank) {
      m.body = absl::StrCat("上升 ", *old_rank - *new_rank, " 名 (原第 ",
                            *old_rank, " 名)");
    } else {
      m.body = absl::StrCat("下降 ", *new_rank - *old_rank, " 名 (原第 ",
                            *old_rank, " 名)");
    }
    out.push_back(std::move(m));
  } else if (e.type == "OpportunityStale") {
    std::optional<int64_t> opp = events::IntField(p, "opportunity_id");
    std::optional<int64_t> owner = events::IntField(p, "owner_id");
    if (!opp || !owner || *owner <= 0) return out;
    InboxMessage m =
        Base(e, *owner, "opportunity_stale", "opportunity", absl::StrCat(*opp));
    m.title =
        absl::StrCat("商机停滞: ", events::StringField(p, "opportunity_name")
                                       .value_or(absl::StrCat("#", *opp)));
    m.body =
        absl::StrCat(events::IntField(p, "idle_days").value_or(0), " 天无进展");
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<StepWaiting> ParseStepWaiting(const events::Event& e) {
  if (e.type != "ApprovalStepWaiting") return std::nullopt;
  const nlohmann::json& p = e.payload;
  StepWaiting s;
  std::optional<std::string> contract = events::IdField(p, "contract_id");
  std::optional<int64_t> owner = events::IntField(p, "owner_id");
  std::optional<std::string> path = events::StringField(p, "owner_org_path");
  std::optional<std::string> role = events::StringField(p, "role");
  std::optional<int64_t> step = events::IntField(p, "step");
  if (!contract || !owner || !path || path->empty() || path->front() != '/' ||
      !role || role->empty() || !step || *step < 0)
    return std::nullopt;
  s.contract_id = *contract;
  s.title = events::StringField(p, "title").value_or("");
  s.owner_id = *owner;
  s.owner_org_path = *path;
  s.step = *step;
  s.steps = events::IntField(p, "steps").value_or(0);
  s.role = *role;
  return s;
}

std::vector<InboxMessage> ApprovalWaiting(
    const events::Event& e, const StepWaiting& s,
    const std::vector<int64_t>& approvers) {
  std::vector<InboxMessage> out;
  for (int64_t user : approvers) {
    if (user <= 0 || user == s.owner_id) continue;
    InboxMessage m =
        Base(e, user, "approval_waiting", "contract", s.contract_id);
    m.title = absl::StrCat("待你审批: 合同 #", s.contract_id,
                           s.title.empty() ? "" : " ", s.title);
    m.body = s.steps > 0 ? absl::StrCat("第 ", s.step + 1, "/", s.steps,
                                        " 步, 审批角色 ", s.role)
                         : absl::StrCat("审批角色 ", s.role);
    out.push_back(std::move(m));
  }
  return out;
}

InboxMessage AccountAssigned(int64_t account_id, const std::string& name,
                             int64_t owner_id, const std::string& action,
                             absl::Time at) {
  InboxMessage m;
  m.user_id = owner_id;
  m.kind = "account_assigned";
  m.entity_type = "account";
  m.entity_id = absl::StrCat(account_id);
  m.title = absl::StrCat("客户分配给你: ", name);
  m.body = action;
  m.dedupe_key = absl::StrCat("account_assigned:", account_id, ":",
                              absl::ToUnixMicros(at));
  m.created_at = at;
  return m;
}

InboxMessage RecycleWarning(int64_t account_id, const std::string& title,
                            int64_t owner_id, const std::string& dedupe_key) {
  InboxMessage m;
  m.user_id = owner_id;
  m.kind = "pool_recycle_warning";
  m.entity_type = "account";
  m.entity_id = absl::StrCat(account_id);
  m.title = title;
  m.dedupe_key = dedupe_key;
  return m;
}

}  // namespace crm::accounts

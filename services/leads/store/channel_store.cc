#include "services/leads/store/channel_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::leads {
namespace {

constexpr char kChannelColumns[] =
    "SELECT id, name, quality, cost_currency, cost_minor, active, created_at "
    "FROM channels ";
constexpr char kCampaignColumns[] =
    "SELECT id, channel_id, name, cost_currency, cost_minor, start_at, end_at, "
    "created_at, code, region_code FROM campaigns ";

ChannelRecord ChannelFromRow(const db::Row& r) {
  return ChannelRecord{r.Int("id"),
                       r.String("name"),
                       static_cast<int>(r.Int("quality")),
                       r.String("cost_currency"),
                       r.Int("cost_minor"),
                       r.Bool("active"),
                       r.Time("created_at")};
}

CampaignRecord CampaignFromRow(const db::Row& r) {
  CampaignRecord c{r.Int("id"),         r.Int("channel_id"),
                   r.String("name"),    r.String("cost_currency"),
                   r.Int("cost_minor"), r.OptTime("start_at"),
                   r.OptTime("end_at"), r.Time("created_at")};
  c.code = r.OptString("code").value_or("");
  c.region_code = r.String("region_code");
  return c;
}

std::optional<std::string> OptRequest(const std::string& id) {
  if (id.empty()) return std::nullopt;
  return id;
}

}  // namespace

absl::StatusOr<ChannelRecord> ChannelStore::CreateChannel(
    const ChannelRecord& ch, const std::string& request_id) {
  return db::RunInTransactionFor<ChannelRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<ChannelRecord> {
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(absl::StrCat(kChannelColumns, "WHERE request_id = ?"),
                      {request_id}));
          if (!prior.empty()) return ChannelFromRow(prior.front());
        }
        absl::StatusOr<int64_t> n = c.Exec(
            "INSERT INTO channels (name, quality, cost_currency, cost_minor, "
            "active, request_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {ch.name, ch.quality, ch.currency, ch.cost_minor, ch.active,
             OptRequest(request_id), clock_->Now()});
        if (absl::IsAlreadyExists(n.status())) {
          ASSIGN_OR_RETURN(
              db::Row other,
              c.QueryOne(absl::StrCat(kChannelColumns, "WHERE name = ?"),
                         {ch.name}, "channel"));
          return absl::AlreadyExistsError(
              absl::StrCat("channel.name: channel ", other.Int("id"),
                           " is already named \"", ch.name, "\""));
        }
        RETURN_IF_ERROR(n.status());
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        ASSIGN_OR_RETURN(db::Row row, c.QueryOne(absl::StrCat(kChannelColumns,
                                                              "WHERE id = ?"),
                                                 {id}, "channel"));
        return ChannelFromRow(row);
      });
}

absl::StatusOr<ChannelRecord> ChannelStore::GetChannel(int64_t id) {
  std::optional<ChannelRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne(absl::StrCat(kChannelColumns, "WHERE id = ?"), {id},
                       absl::StrCat("channel ", id)));
        out = ChannelFromRow(row);
        return absl::OkStatus();
      }));
  return std::move(*out);
}

absl::StatusOr<std::vector<ChannelRecord>> ChannelStore::ListChannels() {
  std::vector<ChannelRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query(absl::StrCat(kChannelColumns, "ORDER BY id")));
        out.clear();
        for (const db::Row& r : rows) out.push_back(ChannelFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<ChannelRecord> ChannelStore::UpdateChannel(
    const ChannelRecord& ch) {
  return db::RunInTransactionFor<ChannelRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<ChannelRecord> {
        absl::StatusOr<int64_t> n = c.Exec(
            "UPDATE channels SET name = ?, quality = ?, cost_currency "
            "= ?, cost_minor = ?, active = ? WHERE id = ?",
            {ch.name, ch.quality, ch.currency, ch.cost_minor, ch.active,
             ch.id});
        if (absl::IsAlreadyExists(n.status())) {
          return absl::AlreadyExistsError(absl::StrCat(
              "channel.name: another channel is named \"", ch.name, "\""));
        }
        RETURN_IF_ERROR(n.status());
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne(absl::StrCat(kChannelColumns, "WHERE id = ?"), {ch.id},
                       absl::StrCat("channel ", ch.id)));
        return ChannelFromRow(row);
      });
}

absl::StatusOr<CampaignRecord> ChannelStore::CreateCampaign(
    const CampaignRecord& cp, const std::string& request_id) {
  return db::RunInTransactionFor<CampaignRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<CampaignRecord> {
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(absl::StrCat(kCampaignColumns, "WHERE request_id = ?"),
                      {request_id}));
          if (!prior.empty()) return CampaignFromRow(prior.front());
        }
        RETURN_IF_ERROR(
            c.Exec("INSERT INTO campaigns (channel_id, name, cost_currency, "
                   "cost_minor, start_at, end_at, request_id, created_at, "
                   "code, region_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   {cp.channel_id, cp.name, cp.currency, cp.cost_minor,
                    cp.start_at, cp.end_at, OptRequest(request_id),
                    clock_->Now(), OptRequest(cp.code), cp.region_code})
                .status());
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        ASSIGN_OR_RETURN(db::Row row, c.QueryOne(absl::StrCat(kCampaignColumns,
                                                              "WHERE id = ?"),
                                                 {id}, "campaign"));
        return CampaignFromRow(row);
      });
}

absl::StatusOr<CampaignRecord> ChannelStore::GetCampaignByCode(
    const std::string& code) {
  std::optional<CampaignRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne(absl::StrCat(kCampaignColumns, "WHERE code = ?"), {code},
                       absl::StrCat("campaign ", code)));
        out = CampaignFromRow(row);
        return absl::OkStatus();
      }));
  return std::move(*out);
}

absl::StatusOr<CampaignRecord> ChannelStore::GetCampaign(int64_t id) {
  std::optional<CampaignRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne(absl::StrCat(kCampaignColumns, "WHERE id = ?"), {id},
                       absl::StrCat("campaign ", id)));
        out = CampaignFromRow(row);
        return absl::OkStatus();
      }));
  return std::move(*out);
}

absl::StatusOr<std::vector<CampaignRecord>> ChannelStore::ListCampaigns(
    int64_t channel_id) {
  std::vector<CampaignRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            channel_id > 0
                ? c.Query(absl::StrCat(kCampaignColumns,
                                       "WHERE channel_id = ? ORDER BY id"),
                          {channel_id})
                : c.Query(absl::StrCat(kCampaignColumns, "ORDER BY id")));
        out.clear();
        for (const db::Row& r : rows) out.push_back(CampaignFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<CampaignRecord> ChannelStore::UpdateCampaign(
    const CampaignRecord& cp) {
  return db::RunInTransactionFor<CampaignRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<CampaignRecord> {
        RETURN_IF_ERROR(
            c.Exec("UPDATE campaigns SET name = ?, cost_currency = ?, "
                   "cost_minor = ?, start_at = ?, end_at = ?, code = ?, "
                   "region_code = ? WHERE id = ?",
                   {cp.name, cp.currency, cp.cost_minor, cp.start_at, cp.end_at,
                    OptRequest(cp.code), cp.region_code, cp.id})
                .status());
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne(absl::StrCat(kCampaignColumns, "WHERE id = ?"), {cp.id},
                       absl::StrCat("campaign ", cp.id)));
        return CampaignFromRow(row);
      });
}

absl::StatusOr<std::map<int64_t, ChannelStore::Counts>> ChannelStore::Count(
    const char* column, absl::Time from, absl::Time to) {
  std::map<int64_t, Counts> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(
                        "SELECT cap.", column,
                        " AS k, COUNT(*) AS leads, SUM(l.status <> ?) AS "
                        "valid, COUNT(DISTINCT CASE WHEN l.status = ? THEN "
                        "l.id END) AS converted FROM lead_captures cap JOIN "
                        "leads l ON l.id = cap.lead_id WHERE cap.captured_at "
                        ">= ? AND cap.captured_at < ? GROUP BY cap.",
                        column),
                    {static_cast<int>(LeadStatus::kInvalid),
                     static_cast<int>(LeadStatus::kConverted), from, to}));
        out.clear();
        for (const db::Row& r : rows)
          out[r.Int("k")] =
              Counts{r.Int("leads"), r.Int("valid"), r.Int("converted")};
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::map<int64_t, ChannelStore::Counts>>
ChannelStore::CountByChannel(absl::Time from, absl::Time to) {
  return Count("channel_id", from, to);
}

absl::StatusOr<std::map<int64_t, ChannelStore::Counts>>
ChannelStore::CountByCampaign(absl::Time from, absl::Time to) {
  return Count("campaign_id", from, to);
}

}  // namespace crm::leads

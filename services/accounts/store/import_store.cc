#include "services/accounts/store/import_store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/accounts/domain/account_rules.h"

namespace crm::accounts {
namespace {

constexpr absl::string_view kCreditPrefix = "credit_code:";
constexpr absl::string_view kPhonePrefix = "phone:";

// JSON_TABLE columns are declared ascii where the accounts column is, so
// the join uses the unique index instead of converting every row.
constexpr char kExistingSql[] =
    "SELECT a.id, a.credit_code AS k, 1 AS is_credit FROM JSON_TABLE(?, "
    "'$[*]' COLUMNS (k VARCHAR(20) CHARACTER SET ascii PATH '$')) j"
    " JOIN accounts a ON a.credit_code = j.k"
    " UNION ALL "
    "SELECT a.id, a.person_phone AS k, 0 AS is_credit FROM JSON_TABLE(?, "
    "'$[*]' COLUMNS (k VARCHAR(20) CHARACTER SET ascii PATH '$')) j"
    " JOIN accounts a ON a.person_phone = j.k";

constexpr char kInsertAccountsSql[] =
    "INSERT INTO accounts (kind, name, name_norm, credit_code, phone, "
    "id_number, industry, address, lat, lng, region_code, type, status, tier,"
    " pool_id, owner_id, owner_org_path, owned_since, create_request_id,"
    " created_by, created_at, updated_at)"
    " SELECT j.kind, j.name, j.name_norm, j.credit_code, j.phone, j.id_number,"
    " j.industry, j.address, j.lat, j.lng, j.region_code, j.type, ?, ?,"
    " ?, NULL, '', NULL, NULL, ?, ?, ?"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "   ord FOR ORDINALITY,"
    "   kind INT PATH '$.kind',"
    "   name VARCHAR(200) PATH '$.name',"
    "   name_norm VARCHAR(200) PATH '$.name_norm',"
    "   credit_code VARCHAR(18) CHARACTER SET ascii PATH '$.credit_code',"
    "   phone VARCHAR(20) CHARACTER SET ascii PATH '$.phone',"
    "   id_number VARCHAR(32) CHARACTER SET ascii PATH '$.id_number',"
    "   industry VARCHAR(100) PATH '$.industry',"
    "   address VARCHAR(300) PATH '$.address',"
    "   lat DOUBLE PATH '$.lat',"
    "   lng DOUBLE PATH '$.lng',"
    "   region_code VARCHAR(32) CHARACTER SET ascii PATH '$.region_code',"
    "   type INT PATH '$.type')) j ORDER BY j.ord";

constexpr char kInsertGramsSql[] =
    "INSERT IGNORE INTO account_name_grams (gram, account_id)"
    " SELECT j.gram, j.account_id FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "   gram VARCHAR(16) PATH '$[0]', account_id BIGINT PATH '$[1]')) j";

constexpr char kInsertMovesSql[] =
    "INSERT INTO pool_moves (account_id, kind, from_owner_id, from_pool_id,"
    " to_owner_id, to_pool_id, actor_id, reason, request_id, at)"
    " SELECT j.account_id, ?, NULL, NULL, NULL, ?, ?, ?, NULL, ?"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (account_id BIGINT PATH '$')) j";

constexpr char kInsertContactsSql[] =
    "INSERT INTO contacts (account_id, name, title, phone, email, is_primary,"
    " created_at)"
    " SELECT j.account_id, j.name, '', j.phone, '', 1, ?"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (account_id BIGINT PATH '$[0]',"
    "   name VARCHAR(100) PATH '$[1]',"
    "   phone VARCHAR(20) CHARACTER SET ascii PATH '$[2]')) j";

}  // namespace

absl::StatusOr<std::map<std::string, int64_t>> ImportStore::ExistingKeys(
    db::Connection& c, const std::vector<std::string>& keys) {
  std::map<std::string, int64_t> out;
  nlohmann::json credits = nlohmann::json::array();
  nlohmann::json phones = nlohmann::json::array();
  for (const std::string& k : keys) {
    if (absl::StartsWith(k, kCreditPrefix))
      credits.push_back(k.substr(kCreditPrefix.size()));
    else if (absl::StartsWith(k, kPhonePrefix))
      phones.push_back(k.substr(kPhonePrefix.size()));
  }
  if (credits.empty() && phones.empty()) return out;
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(kExistingSql, {credits.dump(), phones.dump()}));
  for (const db::Row& r : rows) {
    out[absl::StrCat(r.Int("is_credit") ? kCreditPrefix : kPhonePrefix,
                     r.String("k"))] = r.Int("id");
  }
  return out;
}

absl::StatusOr<std::map<std::string, int64_t>> ImportStore::InsertBatch(
    db::Connection& c, const std::vector<const ImportRow*>& rows,
    int64_t pool_id, int64_t actor_id, absl::Time now) {
  std::map<std::string, int64_t> ids;
  if (rows.empty()) return ids;
  nlohmann::json docs = nlohmann::json::array();
  std::vector<std::string> keys;
  keys.reserve(rows.size());
  for (const ImportRow* row : rows) {
    const AccountRecord& d = row->draft;
    nlohmann::json j = {{"kind", static_cast<int>(d.kind)},
                        {"name", d.name},
                        {"name_norm", d.name_norm},
                        {"industry", d.industry},
                        {"address", d.address},
                        {"region_code", d.region_code},
                        {"type", static_cast<int>(d.type)}};
    // Absent keys read as NULL (JSON_TABLE's default ON EMPTY).
    if (d.credit_code) j["credit_code"] = *d.credit_code;
    if (d.phone) j["phone"] = *d.phone;
    if (d.id_number) j["id_number"] = *d.id_number;
    if (d.lat) j["lat"] = *d.lat;
    if (d.lng) j["lng"] = *d.lng;
    docs.push_back(std::move(j));
    keys.push_back(row->key);
  }
  RETURN_IF_ERROR(
      c.Exec(kInsertAccountsSql,
             {static_cast<int>(AccountStatus::kNew), static_cast<int>(Tier::kC),
              pool_id, actor_id, now, now, docs.dump()})
          .status());
  // The new ids, by the unique keys just inserted (auto-increment ids of a
  // multi-row INSERT ... SELECT are not guaranteed consecutive).
  ASSIGN_OR_RETURN(ids, ExistingKeys(c, keys));
  nlohmann::json grams = nlohmann::json::array();
  nlohmann::json moved = nlohmann::json::array();
  nlohmann::json contacts = nlohmann::json::array();
  for (const ImportRow* row : rows) {
    auto it = ids.find(row->key);
    if (it == ids.end())
      return absl::InternalError("imported account not found by its key");
    moved.push_back(it->second);
    for (std::string& g : NameGrams(row->draft.name_norm))
      grams.push_back(nlohmann::json::array({std::move(g), it->second}));
    if (row->contact.has_value()) {
      contacts.push_back(nlohmann::json::array(
          {it->second, row->contact->name, row->contact->phone}));
    }
  }
  if (!grams.empty())
    RETURN_IF_ERROR(c.Exec(kInsertGramsSql, {grams.dump()}).status());
  RETURN_IF_ERROR(c.Exec(kInsertMovesSql,
                         {static_cast<int>(MoveKind::kImport), pool_id,
                          actor_id, std::string("import"), now, moved.dump()})
                      .status());
  if (!contacts.empty())
    RETURN_IF_ERROR(
        c.Exec(kInsertContactsSql, {now, contacts.dump()}).status());
  return ids;
}

absl::StatusOr<std::optional<ImportStore::Job>> ImportStore::FindJob(
    int64_t requested_by, const std::string& request_id) {
  std::optional<Job> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query("SELECT file_name, pool_id, created_count, "
                    "duplicate_count, invalid_count, response FROM "
                    "import_jobs WHERE requested_by = ? AND request_id = ?",
                    {requested_by, request_id}));
        if (rows.empty()) return absl::OkStatus();
        const db::Row& r = rows.front();
        Job j;
        j.requested_by = requested_by;
        j.request_id = request_id;
        j.file_name = r.String("file_name");
        j.pool_id = r.Int("pool_id");
        j.created = r.Int("created_count");
        j.duplicates = r.Int("duplicate_count");
        j.invalid = r.Int("invalid_count");
        if (!absl::Base64Unescape(r.String("response"), &j.response))
          return absl::InternalError("stored import summary is corrupt");
        out = std::move(j);
        return absl::OkStatus();
      }));
  return out;
}

absl::Status ImportStore::SaveJob(db::Connection& c, const Job& job,
                                  absl::Time now) {
  return c
      .Exec(
          "INSERT IGNORE INTO import_jobs (requested_by, request_id, "
          "file_name, pool_id, created_count, duplicate_count, invalid_count,"
          " response, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {job.requested_by, job.request_id, job.file_name, job.pool_id,
           job.created, job.duplicates, job.invalid,
           absl::Base64Escape(job.response), now})
      .status();
}

absl::Status ImportStore::SaveJob(const Job& job, absl::Time now) {
  return db::RunInTransaction(
      *pool_, [&](db::Connection& c) { return SaveJob(c, job, now); });
}

}  // namespace crm::accounts

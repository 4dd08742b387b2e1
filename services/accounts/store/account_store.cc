#include "services/accounts/store/account_store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/accounts/store/account_audit.h"

namespace crm::accounts {

const char kAccountColumns[] =
    "a.id, a.kind, a.name, a.name_norm, a.credit_code, a.phone, a.id_number, "
    "a.industry,"
    " a.address, a.lat, a.lng, a.region_code, a.type, a.status, a.tier, "
    "a.signed_amount_minor,"
    " a.first_signed_at, a.pool_id, a.owner_id, a.owner_org_path, "
    "a.owned_since,"
    " a.last_follow_up_at, a.locked_by, a.locked_at, a.created_by, "
    "a.created_at, a.updated_at";

AccountRecord AccountFromRow(const db::Row& r) {
  AccountRecord a;
  a.id = r.Int("id");
  a.kind = static_cast<AccountKind>(r.Int("kind"));
  a.name = r.String("name");
  a.name_norm = r.String("name_norm");
  a.credit_code = r.OptString("credit_code");
  a.phone = r.OptString("phone");
  a.id_number = r.OptString("id_number");
  a.industry = r.String("industry");
  a.address = r.String("address");
  if (!r.IsNull("lat")) a.lat = r.Double("lat");
  if (!r.IsNull("lng")) a.lng = r.Double("lng");
  a.region_code = r.String("region_code");
  a.type = static_cast<CustomerType>(r.Int("type"));
  a.status = static_cast<AccountStatus>(r.Int("status"));
  a.tier = static_cast<Tier>(r.Int("tier"));
  a.signed_amount_minor = r.Int("signed_amount_minor");
  a.first_signed_at = r.OptTime("first_signed_at");
  a.pool_id = r.OptInt("pool_id");
  a.owner_id = r.OptInt("owner_id");
  a.owner_org_path = r.String("owner_org_path");
  a.owned_since = r.OptTime("owned_since");
  a.last_follow_up_at = r.OptTime("last_follow_up_at");
  a.locked_by = r.OptInt("locked_by");
  a.locked_at = r.OptTime("locked_at");
  a.created_by = r.Int("created_by");
  a.created_at = r.Time("created_at");
  a.updated_at = r.Time("updated_at");
  return a;
}

absl::StatusOr<AccountRecord> GetAccountOn(db::Connection& c, int64_t id,
                                           bool for_update) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat("SELECT ", kAccountColumns,
                                           " FROM accounts a WHERE a.id = ?",
                                           for_update ? " FOR UPDATE" : ""),
                              {id}, absl::StrCat("account ", id)));
  return AccountFromRow(row);
}

absl::Status InsertMove(db::Connection& c, const PoolMoveRecord& m,
                        const std::string& request_id) {
  return c
      .Exec(
          "INSERT INTO pool_moves (account_id, kind, from_owner_id, "
          "from_pool_id, to_owner_id,"
          " to_pool_id, actor_id, reason, request_id, at) VALUES (?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?)",
          {m.account_id, static_cast<int>(m.kind), m.from_owner_id,
           m.from_pool_id, m.to_owner_id, m.to_pool_id, m.actor_id, m.reason,
           request_id.empty() ? db::Param(nullptr) : db::Param(request_id),
           m.at})
      .status();
}

namespace {

absl::Status ReplaceGrams(db::Connection& c, int64_t id,
                          const std::vector<std::string>& grams) {
  RETURN_IF_ERROR(
      c.Exec("DELETE FROM account_name_grams WHERE account_id = ?", {id})
          .status());
  if (grams.empty()) return absl::OkStatus();
  // One statement for any number of grams (JSON_TABLE), so the prepared
  // statement cache holds one entry, not one per gram count.
  return c
      .Exec(
          "INSERT IGNORE INTO account_name_grams (gram, account_id)"
          " SELECT g.gram, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (gram "
          "VARCHAR(16) PATH '$')) g",
          {id, nlohmann::json(grams).dump()})
      .status();
}

}  // namespace

absl::StatusOr<AccountStore::CreateOutcome> AccountStore::Create(
    const AccountRecord& a, const std::vector<std::string>& grams,
    MoveKind kind, int64_t actor_id, const std::string& request_id) {
  return db::RunInTransactionFor<CreateOutcome>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<CreateOutcome> {
        CreateOutcome out;
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(absl::StrCat(
                          "SELECT ", kAccountColumns,
                          " FROM accounts a WHERE a.create_request_id = ?"),
                      {request_id}));
          if (!prior.empty()) {
            out.created = AccountFromRow(prior.front());
            return out;
          }
        }
        const absl::Time now = clock_->Now();
        const std::optional<std::string> person_phone =
            a.kind == AccountKind::kPerson ? a.phone : std::nullopt;
        auto inserted = c.Exec(
            "INSERT INTO accounts (kind, name, name_norm, credit_code, phone, "
            "id_number, industry,"
            " address, lat, lng, region_code, type, status, tier, pool_id, "
            "owner_id, owner_org_path,"
            " owned_since, create_request_id, created_by, created_at, "
            "updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?)",
            {static_cast<int>(a.kind),
             a.name,
             a.name_norm,
             a.credit_code,
             a.phone,
             a.id_number,
             a.industry,
             a.address,
             a.lat,
             a.lng,
             a.region_code,
             static_cast<int>(a.type),
             static_cast<int>(a.status),
             static_cast<int>(a.tier),
             a.pool_id,
             a.owner_id,
             a.owner_org_path,
             a.owner_id.has_value() ? db::Param(now) : db::Param(nullptr),
             request_id.empty() ? db::Param(nullptr) : db::Param(request_id),
             a.created_by,
             now,
             now});
        if (absl::IsAlreadyExists(inserted.status())) {
          // Which key clashed: look the holder up (under the same unique
          // index).
          ASSIGN_OR_RETURN(
              db::Rows holders,
              c.Query(
                  absl::StrCat("SELECT ", kAccountColumns,
                               " FROM accounts a WHERE a.credit_code = ?"
                               " OR a.person_phone = ? ORDER BY a.id LIMIT 1"),
                  {a.credit_code, person_phone}));
          if (holders.empty())
            return inserted.status();  // request_id race: caller retries
          out.existing = AccountFromRow(holders.front());
          out.clashing_key = out.existing->credit_code.has_value() &&
                                     out.existing->credit_code == a.credit_code
                                 ? "credit_code"
                                 : "phone";
          return out;
        }
        if (!inserted.ok()) return inserted.status();
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        RETURN_IF_ERROR(ReplaceGrams(c, id, grams));
        PoolMoveRecord move;
        move.account_id = id;
        move.kind = kind;
        move.to_owner_id = a.owner_id;
        move.to_pool_id = a.pool_id;
        move.actor_id = actor_id;
        move.at = now;
        RETURN_IF_ERROR(InsertMove(c, move, ""));
        ASSIGN_OR_RETURN(out.created, GetAccountOn(c, id, false));
        RETURN_IF_ERROR(AuditAccount(c, "create", nullptr, &*out.created, now));
        return out;
      });
}

absl::StatusOr<AccountRecord> AccountStore::Get(int64_t id) {
  std::optional<AccountRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetAccountOn(c, id, false));
        return absl::OkStatus();
      }));
  return *out;
}

absl::StatusOr<std::optional<AccountRecord>> AccountStore::FindByRequestId(
    const std::string& request_id) {
  std::optional<AccountRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(
                absl::StrCat("SELECT ", kAccountColumns,
                             " FROM accounts a WHERE a.create_request_id = ?"),
                {request_id}));
        if (!rows.empty()) out = AccountFromRow(rows.front());
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<AccountRecord>> AccountStore::FindExact(
    const std::optional<std::string>& credit_code,
    const std::optional<std::string>& phone) {
  std::vector<AccountRecord> out;
  if (!credit_code.has_value() && !phone.has_value()) return out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat("SELECT ", kAccountColumns,
                                 " FROM accounts a WHERE a.credit_code = ?"
                                 " UNION SELECT ",
                                 kAccountColumns,
                                 " FROM accounts a WHERE a.phone = ?"),
                    {credit_code, phone}));
        for (const db::Row& r : rows) out.push_back(AccountFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<AccountRecord>> AccountStore::FindExactAny(
    const std::vector<std::string>& credit_codes,
    const std::vector<std::string>& phones) {
  std::vector<AccountRecord> out;
  std::vector<std::string> parts;
  std::vector<db::Param> params;
  auto in = [&](const std::string& column,
                const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::string marks;
    for (const std::string& v : values) {
      absl::StrAppend(&marks, marks.empty() ? "?" : ", ?");
      params.push_back(v);
    }
    parts.push_back(absl::StrCat("SELECT ", kAccountColumns,
                                 " FROM accounts a WHERE a.", column, " IN (",
                                 marks, ")"));
  };
  in("credit_code", credit_codes);
  in("phone", phones);
  if (parts.empty()) return out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query(absl::StrJoin(parts, " UNION "), params));
        for (const db::Row& r : rows) out.push_back(AccountFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<AccountStore::GramHit>>
AccountStore::FindByNameGrams(const std::vector<std::string>& grams,
                              int limit) {
  ASSIGN_OR_RETURN(std::vector<std::vector<GramHit>> hits,
                   FindByNameGramsMany({grams}, limit));
  return std::move(hits.front());
}

absl::StatusOr<std::vector<std::vector<AccountStore::GramHit>>>
AccountStore::FindByNameGramsMany(
    const std::vector<std::vector<std::string>>& grams, int limit) {
  std::vector<std::vector<GramHit>> out(grams.size());
  // [{"d": draft index, "g": gram}, ...] for JSON_TABLE.
  nlohmann::json words = nlohmann::json::array();
  for (size_t d = 0; d < grams.size(); ++d)
    for (const std::string& g : grams[d]) words.push_back({{"d", d}, {"g", g}});
  if (words.empty()) return out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        // Per draft, the `limit` accounts sharing the most grams (ranked
        // after grouping), in one statement for the whole batch.
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(
                        "SELECT ", kAccountColumns,
                        ", h.draft, h.shared FROM ("
                        " SELECT w.draft, g.account_id, COUNT(*) AS shared,"
                        " ROW_NUMBER() OVER (PARTITION BY w.draft ORDER BY"
                        " COUNT(*) DESC, g.account_id) AS rn"
                        " FROM account_name_grams g"
                        " JOIN JSON_TABLE(?, '$[*]' COLUMNS (draft INT PATH"
                        " '$.d', gram VARCHAR(16) PATH '$.g')) w"
                        "   ON w.gram = g.gram"
                        " GROUP BY w.draft, g.account_id) h"
                        " JOIN accounts a ON a.id = h.account_id"
                        " WHERE h.rn <= ?"
                        " ORDER BY h.draft, h.shared DESC, a.id"),
                    {words.dump(), limit}));
        for (const db::Row& r : rows) {
          const int64_t d = r.Int("draft");
          if (d < 0 || d >= static_cast<int64_t>(out.size())) continue;
          out[d].push_back(
              {AccountFromRow(r), static_cast<int>(r.Int("shared"))});
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<AccountRecord>> AccountStore::List(
    const ListFilter& f, const auth::SqlPredicate& visibility) {
  std::string sql = absl::StrCat("SELECT ", kAccountColumns,
                                 " FROM accounts a WHERE a.id > ? AND (",
                                 visibility.sql, ")");
  std::vector<db::Param> params = {f.after_id};
  params.insert(params.end(), visibility.params.begin(),
                visibility.params.end());
  auto add = [&](const char* clause, db::Param p) {
    sql += clause;
    params.push_back(std::move(p));
  };
  if (f.owner_id) add(" AND a.owner_id = ?", *f.owner_id);
  if (!f.owner_subtree_path.empty()) {
    add(" AND a.owner_org_path LIKE ?",
        absl::StrCat(auth::EscapeLike(f.owner_subtree_path), "%"));
  }
  if (f.pool_id) add(" AND a.pool_id = ?", *f.pool_id);
  if (f.tier) add(" AND a.tier = ?", static_cast<int>(*f.tier));
  if (f.type) add(" AND a.type = ?", static_cast<int>(*f.type));
  if (f.status) add(" AND a.status = ?", static_cast<int>(*f.status));
  if (!f.region_code.empty()) add(" AND a.region_code = ?", f.region_code);
  if (f.follow_up_before)
    add(" AND a.last_follow_up_at < ?", *f.follow_up_before);
  if (f.follow_up_after)
    add(" AND a.last_follow_up_at >= ?", *f.follow_up_after);
  if (!f.name_prefix.empty())
    add(" AND a.name LIKE ?",
        absl::StrCat(auth::EscapeLike(f.name_prefix), "%"));
  add(" ORDER BY a.id LIMIT ?", f.limit);
  std::vector<AccountRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
        for (const db::Row& r : rows) out.push_back(AccountFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<AccountRecord> AccountStore::Update(int64_t id,
                                                   const Changes& ch) {
  return db::RunInTransactionFor<AccountRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<AccountRecord> {
        ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, id, true));
        auto updated = c.Exec(
            "UPDATE accounts SET name = ?, name_norm = ?, industry = ?, "
            "address = ?,"
            " region_code = ?, credit_code = ?, phone = ?, id_number = ?, lat "
            "= ?, lng = ?,"
            " type = ?, status = ?, updated_at = ? WHERE id = ?",
            {ch.name.value_or(a.name), ch.name_norm.value_or(a.name_norm),
             ch.industry.value_or(a.industry), ch.address.value_or(a.address),
             ch.region_code.value_or(a.region_code),
             ch.credit_code ? db::Param(*ch.credit_code)
                            : db::Param(a.credit_code),
             ch.phone ? db::Param(*ch.phone) : db::Param(a.phone),
             ch.id_number ? db::Param(*ch.id_number) : db::Param(a.id_number),
             ch.lat ? db::Param(*ch.lat) : db::Param(a.lat),
             ch.lng ? db::Param(*ch.lng) : db::Param(a.lng),
             static_cast<int>(ch.type.value_or(a.type)),
             static_cast<int>(ch.status.value_or(a.status)), clock_->Now(),
             id});
        if (absl::IsAlreadyExists(updated.status())) {
          return absl::AlreadyExistsError(
              "credit_code or phone: another account already has this value");
        }
        if (!updated.ok()) return updated.status();
        if (ch.grams) RETURN_IF_ERROR(ReplaceGrams(c, id, *ch.grams));
        ASSIGN_OR_RETURN(AccountRecord after, GetAccountOn(c, id, false));
        RETURN_IF_ERROR(AuditAccount(c, "update", &a, &after, clock_->Now()));
        return after;
      });
}

}  // namespace crm::accounts

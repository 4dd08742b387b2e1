#include "services/accounts/store/inbox_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::accounts::inbox_store {

namespace {

constexpr char kColumns[] =
    "id, user_id, kind, title, body, entity_type, entity_id, dedupe_key,"
    " source_event_id, created_at, read_at";

InboxMessage FromRow(const db::Row& r) {
  InboxMessage m;
  m.id = r.Int("id");
  m.user_id = r.Int("user_id");
  m.kind = r.String("kind");
  m.title = r.String("title");
  m.body = r.String("body");
  m.entity_type = r.String("entity_type");
  m.entity_id = r.String("entity_id");
  m.dedupe_key = r.String("dedupe_key");
  m.source_event_id = r.String("source_event_id");
  m.created_at = r.Time("created_at");
  m.read_at = r.OptTime("read_at");
  return m;
}

// At most `n` characters of UTF-8 text (never splits a character).
std::string Clip(const std::string& s, size_t n) {
  size_t chars = 0, i = 0;
  while (i < s.size()) {
    if (chars == n) return s.substr(0, i);
    const unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++chars;
  }
  return s;
}

}  // namespace

absl::StatusOr<bool> Post(db::Connection& c, InboxMessage m, absl::Time now) {
  if (m.user_id <= 0) return false;
  if (m.created_at == absl::Time()) m.created_at = now;
  ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("INSERT IGNORE INTO inbox_messages (user_id, kind, title, body,"
             " entity_type, entity_id, dedupe_key, source_event_id, created_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {m.user_id, m.kind, Clip(m.title, 255), Clip(m.body, 1024),
              m.entity_type, m.entity_id, m.dedupe_key.substr(0, 160),
              m.source_event_id, m.created_at}));
  return n == 1;
}

absl::StatusOr<std::vector<InboxMessage>> List(db::Connection& c,
                                               const ListFilter& f) {
  std::string sql = absl::StrCat("SELECT ", kColumns,
                                 " FROM inbox_messages WHERE user_id = ?");
  std::vector<db::Param> params = {f.user_id};
  if (f.unread_only) sql += " AND read_at IS NULL";
  if (!f.kind.empty()) {
    sql += " AND kind = ?";
    params.push_back(f.kind);
  }
  if (f.before_id > 0) {
    sql += " AND id < ?";
    params.push_back(f.before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(f.limit);
  ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
  std::vector<InboxMessage> out;
  out.reserve(rows.size());
  for (const db::Row& r : rows) out.push_back(FromRow(r));
  return out;
}

absl::StatusOr<std::map<std::string, int64_t>> UnreadByKind(db::Connection& c,
                                                            int64_t user_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT kind, COUNT(*) AS n FROM inbox_messages"
              " WHERE user_id = ? AND read_at IS NULL GROUP BY kind",
              {user_id}));
  std::map<std::string, int64_t> out;
  for (const db::Row& r : rows) out[r.String("kind")] = r.Int("n");
  return out;
}

absl::StatusOr<InboxMessage> MarkRead(db::Connection& c, int64_t user_id,
                                      int64_t id, absl::Time now) {
  RETURN_IF_ERROR(c.Exec("UPDATE inbox_messages SET read_at = ? WHERE id = ?"
                         " AND user_id = ? AND read_at IS NULL",
                         {now, id, user_id})
                      .status());
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat("SELECT ", kColumns,
                                           " FROM inbox_messages WHERE id = ?"
                                           " AND user_id = ?"),
                              {id, user_id}, absl::StrCat("message ", id)));
  return FromRow(row);
}

absl::StatusOr<int64_t> MarkAllRead(db::Connection& c, int64_t user_id,
                                    absl::Time now) {
  return c.Exec(
      "UPDATE inbox_messages SET read_at = ? WHERE user_id = ? AND"
      " read_at IS NULL",
      {now, user_id});
}

}  // namespace crm::accounts::inbox_store

// ImportAccounts: a spreadsheet (CSV or .xlsx) streamed into a public pool.
//
// Protocol: the first message is the ImportHeader, then the file's bytes in
// order. The file is parsed as the chunks arrive (common/import: CSV is
// never buffered whole; .xlsx is spooled to an anonymous temp file, since a
// zip is read from its end), mapped by header (domain/import_rows.h) and
// processed in batches of kBatchRows rows: each batch is one multi-row
// existence check and one multi-row insert (store/import_store.h), so
// memory holds one batch plus the unique keys seen so far in the file.
//
// Per row (`row` = the row number the spreadsheet shows; for CSV the line):
//   CREATED    into the pool, with a MoveKind::kImport history entry;
//   DUPLICATE  its credit code (company) or phone (person) is already held
//              by an account (account_id = that account), or by an earlier
//              row of the same file ("duplicate of row N", account_id = the
//              account that row created or duplicated);
//   INVALID    "<field>: <rule>", the same rules as CreateAccount.
// Similar names (fuzzy matches) never block an import: they only warn in the
// interactive CreateAccount, and a bulk upload has nobody to answer a
// warning. Exact keys are the only duplicates.
//
// Results: the counts always cover every row; `rows` lists at most
// kMaxListedRows non-created rows and at most kMaxListedRows created rows,
// in file order (so a 100k-row file answers with a bounded message, and its
// first thousand problems are never crowded out by successes).
//
// all_or_nothing=false (default): each batch commits on its own; a bad row
// only skips itself. all_or_nothing=true: the whole file runs in one
// transaction; after the first invalid or duplicate row nothing more is
// inserted (rows are still checked, so every problem is reported) and at the
// end the transaction is rolled back: created = 0 and no CREATED rows are
// listed. A file without problems commits once at the end.
//
// request_id: a finished import's response is stored (import_jobs, per
// caller); a retry with the same request_id returns it without reading the
// file again. An import that failed as a whole (bad header, unreadable file)
// stores nothing. Two imports of the same file running at once cannot
// create an account twice: the unique keys decide, the loser reports
// DUPLICATE.
//
// A file-level error (bad header, a broken CSV line, a corrupt .xlsx) fails
// the call with INVALID_ARGUMENT naming the place; without all_or_nothing,
// batches before it stay committed and the message says how many.
#include <unordered_map>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/import/header_map.h"
#include "common/import/open_table.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/domain/import_rows.h"
#include "services/accounts/store/import_store.h"

namespace crm::accounts {
namespace {

constexpr size_t kBatchRows = 500;
constexpr int kMaxListedRows = 1000;
constexpr int kMaxBatchAttempts = 3;

// The key's field name: "credit_code:..." -> "credit_code".
std::string KeyField(const std::string& key) {
  return key.substr(0, key.find(':'));
}

class ImportRun {
 public:
  ImportRun(int64_t pool_id, int64_t actor_id, absl::Time now,
            bool all_or_nothing, pb::ImportAccountsResponse* resp)
      : pool_id_(pool_id),
        actor_id_(actor_id),
        now_(now),
        all_or_nothing_(all_or_nothing),
        resp_(resp) {}

  // Processes one batch: on `tx` (all_or_nothing) or in a transaction of
  // its own from `pool`.
  absl::Status Flush(std::vector<ImportRow>& batch, db::ConnectionPool& pool,
                     db::Connection* tx) {
    if (batch.empty()) return absl::OkStatus();
    struct Pending {
      pb::ImportRowResult::Outcome outcome =
          pb::ImportRowResult::OUTCOME_UNSPECIFIED;
      int64_t account_id = 0;
      std::string error;
      bool in_file_ref = false;  // account_id comes from an earlier row
      int first_in_batch = -1;   // duplicate of this row of the batch
    };
    std::vector<Pending> out(batch.size());
    std::unordered_map<std::string, int> first_here;  // key -> batch index
    std::vector<const ImportRow*> candidates;
    std::vector<std::string> keys;
    for (size_t i = 0; i < batch.size(); ++i) {
      const ImportRow& r = batch[i];
      Pending& o = out[i];
      if (!r.error.empty()) {
        o.outcome = pb::ImportRowResult::OUTCOME_INVALID;
        o.error = r.error;
        continue;
      }
      if (auto it = seen_.find(r.key); it != seen_.end()) {
        o.outcome = pb::ImportRowResult::OUTCOME_DUPLICATE;
        o.account_id = it->second.account_id;
        o.in_file_ref = it->second.created_here;
        o.error = absl::StrCat(KeyField(r.key), ": duplicate of row ",
                               it->second.line);
        continue;
      }
      if (auto it = first_here.find(r.key); it != first_here.end()) {
        o.outcome = pb::ImportRowResult::OUTCOME_DUPLICATE;
        o.first_in_batch = it->second;
        o.error = absl::StrCat(KeyField(r.key), ": duplicate of row ",
                               batch[it->second].line);
        continue;
      }
      first_here[r.key] = static_cast<int>(i);
      candidates.push_back(&r);
      keys.push_back(r.key);
    }
    bool problems = candidates.size() < batch.size();

    std::map<std::string, int64_t> existing, created;
    auto db_work = [&](db::Connection& c) -> absl::Status {
      for (int attempt = 0; attempt < kMaxBatchAttempts; ++attempt) {
        existing.clear();
        created.clear();
        ASSIGN_OR_RETURN(existing, ImportStore::ExistingKeys(c, keys));
        std::vector<const ImportRow*> fresh;
        for (const ImportRow* r : candidates)
          if (!existing.contains(r->key)) fresh.push_back(r);
        const bool will_fail = failed_ || problems || !existing.empty();
        if (fresh.empty() || (all_or_nothing_ && will_fail))
          return absl::OkStatus();
        absl::StatusOr<std::map<std::string, int64_t>> ids =
            ImportStore::InsertBatch(c, fresh, pool_id_, actor_id_, now_);
        if (ids.ok()) {
          created = *std::move(ids);
          return absl::OkStatus();
        }
        // A concurrent create took a key between the check and the
        // insert (the statement was rolled back): check again.
        if (!absl::IsAlreadyExists(ids.status())) return ids.status();
      }
      return absl::AbortedError(
          "import batch kept clashing with concurrent creates; retry");
    };
    if (tx != nullptr) {
      RETURN_IF_ERROR(db_work(*tx));
    } else {
      RETURN_IF_ERROR(db::RunInTransaction(pool, db_work));
    }

    for (size_t i = 0; i < batch.size(); ++i) {
      const ImportRow& r = batch[i];
      Pending& o = out[i];
      if (o.outcome == pb::ImportRowResult::OUTCOME_UNSPECIFIED) {
        if (auto it = existing.find(r.key); it != existing.end()) {
          o.outcome = pb::ImportRowResult::OUTCOME_DUPLICATE;
          o.account_id = it->second;
          o.error = absl::StrCat(KeyField(r.key),
                                 ": already exists as account ", it->second);
          seen_[r.key] = Seen{r.line, it->second, false};
        } else if (auto c = created.find(r.key); c != created.end()) {
          o.outcome = pb::ImportRowResult::OUTCOME_CREATED;
          o.account_id = c->second;
          seen_[r.key] = Seen{r.line, c->second, true};
        } else {
          // Not inserted: all_or_nothing after a problem. Remembered so
          // later copies still count as in-file duplicates.
          seen_[r.key] = Seen{r.line, 0, true};
          continue;  // neither created nor a problem: not listed
        }
      } else if (o.first_in_batch >= 0) {
        const Seen& first = seen_[batch[o.first_in_batch].key];
        o.account_id = first.account_id;
        o.in_file_ref = first.created_here;
      }
      Record(r.line, o.outcome, o.account_id, o.error, o.in_file_ref);
    }
    batch.clear();
    return absl::OkStatus();
  }

  // all_or_nothing ended with problems: nothing was created.
  void DiscardCreated() {
    pb::ImportAccountsResponse kept;
    kept.set_duplicates(resp_->duplicates());
    kept.set_invalid(resp_->invalid());
    for (int i = 0; i < resp_->rows_size(); ++i) {
      const pb::ImportRowResult& r = resp_->rows(i);
      if (r.outcome() == pb::ImportRowResult::OUTCOME_CREATED) continue;
      pb::ImportRowResult* k = kept.add_rows();
      *k = r;
      if (in_file_ref_[i]) k->set_account_id(0);
    }
    *resp_ = std::move(kept);
  }

  bool failed() const { return failed_; }

 private:
  struct Seen {
    int64_t line = 0;
    int64_t account_id = 0;
    bool created_here = false;  // by this import (rolled back if it fails)
  };

  void Record(int64_t line, pb::ImportRowResult::Outcome outcome,
              int64_t account_id, const std::string& error, bool in_file_ref) {
    bool list = false;
    switch (outcome) {
      case pb::ImportRowResult::OUTCOME_CREATED:
        resp_->set_created(resp_->created() + 1);
        list = listed_created_++ < kMaxListedRows;
        break;
      case pb::ImportRowResult::OUTCOME_DUPLICATE:
        resp_->set_duplicates(resp_->duplicates() + 1);
        failed_ = true;
        list = listed_other_++ < kMaxListedRows;
        break;
      default:
        resp_->set_invalid(resp_->invalid() + 1);
        failed_ = true;
        list = listed_other_++ < kMaxListedRows;
        break;
    }
    if (!list) return;
    pb::ImportRowResult* r = resp_->add_rows();
    r->set_row(line);
    r->set_outcome(outcome);
    r->set_account_id(account_id);
    r->set_error(error);
    in_file_ref_.push_back(in_file_ref);
  }

  const int64_t pool_id_;
  const int64_t actor_id_;
  const absl::Time now_;
  const bool all_or_nothing_;
  pb::ImportAccountsResponse* const resp_;
  // Unique keys seen so far in the file (keys only, not rows).
  std::unordered_map<std::string, Seen> seen_;
  std::vector<bool> in_file_ref_;  // parallel to resp_->rows()
  int listed_created_ = 0, listed_other_ = 0;
  bool failed_ = false;  // any duplicate or invalid row so far
};

}  // namespace

grpc::Status AccountsServiceImpl::ImportAccounts(
    grpc::ServerContext* ctx,
    grpc::ServerReader<pb::ImportAccountsRequest>* reader,
    pb::ImportAccountsResponse* resp) {
  return ToGrpcStatus([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (p.scope == auth::DataScope::kSelf) {
      return absl::PermissionDeniedError(
          "only managers and admins may import accounts");
    }
    pb::ImportAccountsRequest first;
    if (!reader->Read(&first) || !first.has_header()) {
      return InvalidField("header",
                          "the first message must carry the ImportHeader");
    }
    const pb::ImportHeader header = first.header();
    if (header.file_name().empty() || header.file_name().size() > 255)
      return InvalidField("header.file_name", "required, at most 255 bytes");
    RETURN_IF_ERROR(
        validate::ValidateRequestId(header.request_id(), "header.request_id"));
    if (header.pool_id() < 0)
      return InvalidField("header.pool_id", "must not be negative");

    ImportStore store(pool_);
    if (!header.request_id().empty()) {
      ASSIGN_OR_RETURN(std::optional<ImportStore::Job> job,
                       store.FindJob(p.user_id, header.request_id()));
      if (job.has_value()) {
        if (!resp->ParseFromString(job->response))
          return absl::InternalError("stored import summary is corrupt");
        return absl::OkStatus();
      }
    }

    PoolRecord target;
    if (header.pool_id() > 0) {
      ASSIGN_OR_RETURN(target, pools_->Get(header.pool_id()));
      if (p.scope != auth::DataScope::kAll &&
          target.region_code != p.region_code) {
        return absl::PermissionDeniedError(
            absl::StrCat("pool ", target.id, " is in region \"",
                         target.region_code, "\", outside yours"));
      }
    } else {
      if (p.region_code.empty()) {
        return InvalidField("header.pool_id",
                            "required: you have no region to default to");
      }
      ASSIGN_OR_RETURN(target, pools_->RegionDefault(p.region_code));
    }

    importer::ChunkSource source =
        [reader]() -> absl::StatusOr<std::optional<std::string>> {
      pb::ImportAccountsRequest msg;
      if (!reader->Read(&msg)) return std::nullopt;
      if (msg.has_header()) {
        return InvalidField("header", "only the first message may carry it");
      }
      return std::move(*msg.mutable_chunk());
    };
    ASSIGN_OR_RETURN(std::unique_ptr<importer::TableReader> table,
                     importer::OpenTable(header.file_name(), source));
    ASSIGN_OR_RETURN(std::optional<importer::Row> head, table->Next());
    if (!head.has_value())
      return InvalidField("file", "is empty: expected a header row");
    ASSIGN_OR_RETURN(importer::HeaderMap map,
                     importer::HeaderMap::Create(*head, ImportFieldSpecs()));

    // all_or_nothing: one transaction over the whole file.
    std::optional<db::PooledConnection> conn;
    std::optional<db::Transaction> tx;
    if (header.all_or_nothing()) {
      ASSIGN_OR_RETURN(db::PooledConnection c, pool_->Borrow());
      conn.emplace(std::move(c));
      ASSIGN_OR_RETURN(db::Transaction t, db::Transaction::Begin(**conn));
      tx.emplace(std::move(t));
    }
    db::Connection* txc = conn.has_value() ? &**conn : nullptr;

    const absl::Time started = absl::Now();
    ImportRun run(target.id, p.user_id, clock_->Now(), header.all_or_nothing(),
                  resp);
    std::vector<ImportRow> batch;
    batch.reserve(kBatchRows);
    int64_t rows = 0;
    for (;;) {
      absl::StatusOr<std::optional<importer::Row>> next = table->Next();
      if (!next.ok()) {
        if (!header.all_or_nothing() && resp->created() > 0) {
          return absl::Status(
              next.status().code(),
              absl::StrCat(next.status().message(),
                           " (rows before it were imported: created ",
                           resp->created(), ", duplicates ", resp->duplicates(),
                           ", invalid ", resp->invalid(), ")"));
        }
        return next.status();
      }
      if (!next->has_value()) break;
      ++rows;
      batch.push_back(
          ParseImportRow(map.Map(std::move(**next)), target.region_code));
      if (batch.size() >= kBatchRows)
        RETURN_IF_ERROR(run.Flush(batch, *pool_, txc));
    }
    RETURN_IF_ERROR(run.Flush(batch, *pool_, txc));

    ImportStore::Job job;
    job.requested_by = p.user_id;
    job.request_id = header.request_id();
    job.file_name = header.file_name();
    job.pool_id = target.id;
    if (header.all_or_nothing()) {
      if (run.failed()) {
        tx.reset();  // rolls back
        run.DiscardCreated();
      }
    }
    job.created = resp->created();
    job.duplicates = resp->duplicates();
    job.invalid = resp->invalid();
    if (!job.request_id.empty()) job.response = resp->SerializeAsString();
    if (tx.has_value()) {
      // all_or_nothing success: the summary commits with the accounts.
      if (!job.request_id.empty())
        RETURN_IF_ERROR(ImportStore::SaveJob(*txc, job, clock_->Now()));
      RETURN_IF_ERROR(tx->Commit());
    } else if (!job.request_id.empty()) {
      RETURN_IF_ERROR(store.SaveJob(job, clock_->Now()));
    }
    log::Info("accounts import finished",
              {{"user", p.user_id},
               {"pool", target.id},
               {"rows", rows},
               {"created", resp->created()},
               {"duplicates", resp->duplicates()},
               {"invalid", resp->invalid()},
               {"all_or_nothing", header.all_or_nothing()},
               {"seconds", absl::ToDoubleSeconds(absl::Now() - started)}});
    return absl::OkStatus();
  }());
}

}  // namespace crm::accounts

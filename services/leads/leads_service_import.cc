// ImportLeads: a spreadsheet (CSV or .xlsx) streamed in, every row through
// the same cleansing, de-duplication and scoring as CreateLead.
//
// Protocol: the first message is the ImportLeadsHeader, then the file's
// bytes in order; parsed as the chunks arrive (common/import, exactly as
// accounts' import). Rows are processed in batches of kBatchRows: the valid
// rows of a batch that will not merge are checked against accounts with
// CheckDuplicatesBatch (split over at most
// LeadsConfig::account_check_concurrency parallel calls), then the batch is
// one transaction: the rows with free keys in multi-row inserts
// (LeadStore::InsertNewOn), then CreateOrMerge steps for the others, so a
// row duplicating an open lead (or an earlier row of the file) is MERGED
// into it.
//
// Per row: CREATED, EXISTING_CUSTOMER (created, routed to the account's
// owner), MERGED (lead_id = the open lead), INVALID ("<field>: <rule>").
// The counts cover every row; `rows` lists at most 1000 problems and 1000
// others. A finished import with a request_id is stored; a retry returns
// the stored summary. A file-level error fails the call with
// INVALID_ARGUMENT naming the place (batches before it stay committed);
// accounts unreachable fails it with UNAVAILABLE.
#include <map>
#include <set>

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
#include "services/leads/domain/import_rows.h"
#include "services/leads/leads_service.h"
#include "services/leads/store/import_store.h"

namespace crm::leads {
namespace {

constexpr size_t kBatchRows = 500;
constexpr int kMaxListedRows = 1000;
constexpr int kMaxBatchAttempts = 3;

using Outcome = pb::ImportLeadRowResult;

class ResultSink {
 public:
  explicit ResultSink(pb::ImportLeadsResponse* resp) : resp_(resp) {}
  void Add(int64_t line, Outcome::Outcome outcome, int64_t lead_id,
           const std::string& error) {
    bool problem = false;
    switch (outcome) {
      case Outcome::OUTCOME_CREATED:
        resp_->set_created(resp_->created() + 1);
        break;
      case Outcome::OUTCOME_EXISTING_CUSTOMER:
        resp_->set_created(resp_->created() + 1);
        resp_->set_existing_customers(resp_->existing_customers() + 1);
        break;
      case Outcome::OUTCOME_MERGED:
        resp_->set_merged(resp_->merged() + 1);
        break;
      default:
        resp_->set_invalid(resp_->invalid() + 1);
        problem = true;
    }
    int& listed = problem ? listed_problems_ : listed_others_;
    if (listed++ >= kMaxListedRows) return;
    Outcome* r = resp_->add_rows();
    r->set_row(line);
    r->set_outcome(outcome);
    r->set_lead_id(lead_id);
    r->set_error(error);
  }

 private:
  pb::ImportLeadsResponse* resp_;
  int listed_problems_ = 0, listed_others_ = 0;
};

}  // namespace

grpc::Status LeadsServiceImpl::ImportLeads(
    grpc::ServerContext* ctx,
    grpc::ServerReader<pb::ImportLeadsRequest>* reader,
    pb::ImportLeadsResponse* resp) {
  return ToGrpcStatus([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "import leads"));
    pb::ImportLeadsRequest first;
    if (!reader->Read(&first) || !first.has_header()) {
      return InvalidField("header",
                          "the first message must carry the ImportLeadsHeader");
    }
    const pb::ImportLeadsHeader header = first.header();
    if (header.file_name().empty() || header.file_name().size() > 255)
      return InvalidField("header.file_name", "required, at most 255 bytes");
    RETURN_IF_ERROR(
        validate::ValidateRequestId(header.request_id(), "header.request_id"));
    ImportStore jobs(pool_);
    if (!header.request_id().empty()) {
      ASSIGN_OR_RETURN(std::optional<std::string> done,
                       jobs.Find(p.user_id, header.request_id()));
      if (done.has_value()) {
        if (!resp->ParseFromString(*done))
          return absl::InternalError("stored import summary is corrupt");
        return absl::OkStatus();
      }
    }
    int64_t channel_id = header.channel_id(),
            campaign_id = header.campaign_id();
    ASSIGN_OR_RETURN(int quality,
                     ResolveSource("header.", &channel_id, &campaign_id));

    importer::ChunkSource source =
        [reader]() -> absl::StatusOr<std::optional<std::string>> {
      pb::ImportLeadsRequest msg;
      if (!reader->Read(&msg)) return std::nullopt;
      if (msg.has_header())
        return InvalidField("header", "only the first message may carry it");
      return std::move(*msg.mutable_chunk());
    };
    ASSIGN_OR_RETURN(std::unique_ptr<importer::TableReader> table,
                     importer::OpenTable(header.file_name(), source));
    ASSIGN_OR_RETURN(std::optional<importer::Row> head, table->Next());
    if (!head.has_value())
      return InvalidField("file", "is empty: expected a header row");
    ASSIGN_OR_RETURN(
        importer::HeaderMap map,
        importer::HeaderMap::Create(*head, LeadImportFieldSpecs()));
    if (!map.Has("company") && !map.Has("contact")) {
      return InvalidField(
          "header", "needs a company (公司名称) or contact (联系人) column");
    }
    if (!map.Has("phone") && !map.Has("email"))
      return InvalidField("header",
                          "needs a phone (电话) or email (邮箱) column");

    ResultSink sink(resp);
    const absl::Time started = absl::Now();

    auto flush = [&](std::vector<LeadImportRow>& batch) -> absl::Status {
      // Rows that will merge (their key is held by an open lead or by an
      // earlier row of the batch) skip the accounts check.
      std::vector<std::string> all_keys;
      for (const LeadImportRow& r : batch) {
        if (!r.error.empty()) continue;
        for (std::string& k : DedupKeys(r.draft))
          all_keys.push_back(std::move(k));
      }
      ASSIGN_OR_RETURN(std::set<std::string> held, leads_.HeldKeys(all_keys));
      std::vector<const LeadDraft*> to_check;
      std::vector<bool> checked(batch.size(), false);
      for (size_t i = 0; i < batch.size(); ++i) {
        if (!batch[i].error.empty()) continue;
        bool merges = false;
        const std::vector<std::string> keys = DedupKeys(batch[i].draft);
        for (const std::string& k : keys) merges = merges || held.contains(k);
        for (const std::string& k : keys) held.insert(k);
        if (merges) continue;
        checked[i] = true;
        to_check.push_back(&batch[i].draft);
      }
      ASSIGN_OR_RETURN(std::vector<std::optional<AccountMatch>> matches,
                       MatchAccounts(ctx, to_check));
      std::vector<LeadStore::NewLead> news(batch.size());
      size_t v = 0;
      for (size_t i = 0; i < batch.size(); ++i) {
        if (!batch[i].error.empty()) continue;
        LeadRecord& l = news[i].lead;
        l.d = batch[i].draft;
        l.channel_id = channel_id;
        l.campaign_id = campaign_id;
        l.score = ScoreOf(l.d, quality, 0, 0);
        l.created_by = p.user_id;
        news[i].keys = DedupKeys(l.d);
        std::optional<AccountMatch> m;
        if (checked[i]) m = matches[v++];
        if (m.has_value()) {
          l.existing_customer = true;
          l.account_id = m->account_id;
          if (m->owner.has_value()) {
            l.owner_id = m->owner->user_id;
            l.owner_org_path = m->owner->org_path;
          }
        }
        if (!l.owner_id.has_value()) {
          ASSIGN_OR_RETURN(l.pool_id, RegionPool(l.d.region_code));
        }
      }
      std::vector<LeadStore::Outcome> outcomes;
      absl::Status s;
      for (int attempt = 0; attempt < kMaxBatchAttempts; ++attempt) {
        s = db::RunInTransaction(*pool_, [&](db::Connection& c) {
          outcomes.assign(batch.size(), {});
          const absl::Time now = clock_->Now();
          const LeadStore::Capture cap{channel_id, campaign_id, "", p.user_id};
          // On the first attempt the rows whose keys were free (checked)
          // go in first, in one multi-row insert each for leads, keys,
          // captures, events and audit; the rows merging into them or into
          // open leads follow. A key taken meanwhile aborts the batch and
          // the retry takes every row through the locking lookup.
          std::vector<size_t> free_rows;
          std::vector<LeadStore::Insert> inserts;
          for (size_t i = 0; attempt == 0 && i < batch.size(); ++i) {
            if (!batch[i].error.empty() || !checked[i]) continue;
            free_rows.push_back(i);
            inserts.push_back(LeadStore::Insert{&news[i], cap});
          }
          ASSIGN_OR_RETURN(std::vector<LeadStore::Outcome> created,
                           LeadStore::InsertNewOn(c, inserts, now));
          std::vector<bool> done(batch.size(), false);
          for (size_t k = 0; k < free_rows.size(); ++k) {
            outcomes[free_rows[k]] = std::move(created[k]);
            done[free_rows[k]] = true;
          }
          for (size_t i = 0; i < batch.size(); ++i) {
            if (!batch[i].error.empty() || done[i]) continue;
            ASSIGN_OR_RETURN(outcomes[i],
                             LeadStore::CreateOrMergeOn(c, news[i], cap, now));
          }
          return absl::OkStatus();
        });
        if (!absl::IsAborted(s)) break;
      }
      RETURN_IF_ERROR(s);
      for (size_t i = 0; i < batch.size(); ++i) {
        if (!batch[i].error.empty()) {
          sink.Add(batch[i].line, Outcome::OUTCOME_INVALID, 0, batch[i].error);
        } else if (outcomes[i].merged) {
          sink.Add(batch[i].line, Outcome::OUTCOME_MERGED, outcomes[i].lead.id,
                   "");
        } else {
          sink.Add(batch[i].line,
                   outcomes[i].lead.existing_customer
                       ? Outcome::OUTCOME_EXISTING_CUSTOMER
                       : Outcome::OUTCOME_CREATED,
                   outcomes[i].lead.id, "");
        }
      }
      batch.clear();
      return absl::OkStatus();
    };

    std::vector<LeadImportRow> batch;
    batch.reserve(kBatchRows);
    int64_t rows = 0;
    for (;;) {
      absl::StatusOr<std::optional<importer::Row>> next = table->Next();
      if (!next.ok()) {
        if (rows > 0) {
          return absl::Status(
              next.status().code(),
              absl::StrCat(next.status().message(),
                           " (rows before it were imported: created ",
                           resp->created(), ", merged ", resp->merged(),
                           ", invalid ", resp->invalid(), ")"));
        }
        return next.status();
      }
      if (!next->has_value()) break;
      ++rows;
      batch.push_back(ParseLeadRow(map.Map(std::move(**next)), p.region_code));
      if (batch.size() >= kBatchRows) RETURN_IF_ERROR(flush(batch));
    }
    RETURN_IF_ERROR(flush(batch));
    if (!header.request_id().empty()) {
      RETURN_IF_ERROR(jobs.Save(p.user_id, header.request_id(),
                                header.file_name(), resp->SerializeAsString(),
                                clock_->Now()));
    }
    log::Info("leads import finished",
              {{"user", p.user_id},
               {"rows", rows},
               {"created", resp->created()},
               {"merged", resp->merged()},
               {"invalid", resp->invalid()},
               {"existing_customers", resp->existing_customers()},
               {"seconds", absl::ToDoubleSeconds(absl::Now() - started)}});
    return absl::OkStatus();
  }());
}

}  // namespace crm::leads

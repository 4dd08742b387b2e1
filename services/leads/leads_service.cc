#include "services/leads/leads_service.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/auth/data_scope.h"
#include "common/client/client.h"
#include "common/client/user_lookup.h"
#include "common/customfields/entity_fields.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "common/validate/text.h"
#include "services/leads/proto_convert.h"

namespace crm::leads {
namespace {

namespace idpb = crm::identity::v1;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kScoreShift = 40;  // page token of the score order

absl::Status NotFoundLead(int64_t id) {
  return absl::NotFoundError(absl::StrCat("lead ", id, " not found"));
}

}  // namespace

bool IsManager(const auth::Principal& p) {
  return p.scope != auth::DataScope::kSelf;
}

absl::Status RequireManager(const auth::Principal& p, std::string_view what) {
  if (IsManager(p)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only managers and admins may ", std::string(what)));
}

LeadsServiceImpl::LeadsServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<idpb::IdentityService::StubInterface> identity,
    std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts,
    std::shared_ptr<crm::opportunities::v1::OpportunitiesService::StubInterface>
        opportunities,
    std::shared_ptr<const Clock> clock, LeadsConfig config)
    : pool_(pool),
      redis_(redis),
      clock_(clock),
      config_(std::move(config)),
      locks_(redis != nullptr ? std::make_unique<redis::DistributedLock>(redis)
                              : nullptr),
      identity_(std::move(identity)),
      accounts_(std::move(accounts)),
      opportunities_(std::move(opportunities)),
      captures_(
          kMaxCaptureBatch,
          [this](const std::string&, const std::vector<CaptureJob>& jobs) {
            return CaptureBatch(jobs);
          },
          kCaptureBatchesInFlight),
      leads_(pool, clock),
      pools_(pool, clock),
      rules_(pool, clock),
      channels_(pool, clock),
      conversions_(pool, clock) {}

bool LeadsServiceImpl::Visible(const auth::Principal& p,
                               const LeadRecord& l) const {
  if (l.owner_id.has_value())
    return auth::CanSee(p, *l.owner_id, l.owner_org_path);
  return p.scope == auth::DataScope::kAll ||
         (!p.region_code.empty() && p.region_code == l.d.region_code);
}

absl::StatusOr<LeadRecord> LeadsServiceImpl::VisibleLead(
    const auth::Principal& p, int64_t id) {
  if (id <= 0) return InvalidField("lead_id", "must be a positive lead id");
  absl::StatusOr<LeadRecord> l = leads_.Get(id);
  if (l.ok() && Visible(p, *l)) return l;
  if (!l.ok() && !absl::IsNotFound(l.status())) return l.status();
  return NotFoundLead(id);
}

absl::Status LeadsServiceImpl::CheckWorkable(const auth::Principal& p,
                                             const LeadRecord& l) const {
  if (l.owner_id == p.user_id || IsManager(p)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only the lead's owner or a manager may change lead ", l.id,
                   l.owner_id.has_value() ? "" : " (claim it first)"));
}

absl::StatusOr<idpb::User> LeadsServiceImpl::LookupUser(
    grpc::ServerContext* ctx, int64_t id) {
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  return client::LookupUser(identity_.get(), &call, id);
}

absl::StatusOr<int> LeadsServiceImpl::ResolveSource(
    const std::string& prefix, int64_t* channel_id, int64_t* campaign_id,
    const CampaignRecord* known) {
  if (*channel_id < 0)
    return InvalidField(absl::StrCat(prefix, "channel_id"), "must be >= 0");
  if (*campaign_id < 0)
    return InvalidField(absl::StrCat(prefix, "campaign_id"), "must be >= 0");
  if (*campaign_id > 0) {
    absl::StatusOr<CampaignRecord> c =
        known != nullptr && known->id == *campaign_id
            ? absl::StatusOr<CampaignRecord>(*known)
            : channels_.GetCampaign(*campaign_id);
    if (absl::IsNotFound(c.status())) {
      return InvalidField(
          absl::StrCat(prefix, "campaign_id"),
          absl::StrCat("campaign ", *campaign_id, " does not exist"));
    }
    RETURN_IF_ERROR(c.status());
    if (*channel_id == 0) *channel_id = c->channel_id;
    if (c->channel_id != *channel_id) {
      return InvalidField(absl::StrCat(prefix, "campaign_id"),
                          absl::StrCat("campaign ", *campaign_id,
                                       " belongs to channel ", c->channel_id));
    }
  }
  if (*channel_id == 0) return -1;
  absl::StatusOr<ChannelRecord> ch = channels_.GetChannel(*channel_id);
  if (absl::IsNotFound(ch.status())) {
    return InvalidField(
        absl::StrCat(prefix, "channel_id"),
        absl::StrCat("channel ", *channel_id, " does not exist"));
  }
  RETURN_IF_ERROR(ch.status());
  return ch->quality;
}

Score LeadsServiceImpl::ScoreOf(const LeadDraft& d, int channel_quality,
                                int follow_ups, int replies) const {
  return ScoreLead(ScoreInputs{&d, channel_quality, follow_ups, replies},
                   config_.weights);
}

absl::StatusOr<int64_t> LeadsServiceImpl::RegionPool(
    const std::string& region) {
  {
    std::lock_guard<std::mutex> l(region_pools_mu_);
    auto it = region_pools_.find(region);
    if (it != region_pools_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(int64_t id, pools_.RegionDefaultId(region));
  std::lock_guard<std::mutex> l(region_pools_mu_);
  region_pools_[region] = id;
  return id;
}

absl::StatusOr<Score> LeadsServiceImpl::Rescore(const LeadRecord& l) {
  int quality = -1;
  if (l.channel_id > 0) {
    absl::StatusOr<ChannelRecord> ch = channels_.GetChannel(l.channel_id);
    if (ch.ok()) quality = ch->quality;
  }
  return ScoreOf(l.d, quality, l.follow_up_count, l.reply_count);
}

grpc::Status LeadsServiceImpl::CreateLead(grpc::ServerContext* ctx,
                                          const pb::CreateLeadRequest* req,
                                          pb::CreateLeadResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    if (req->keep() && p.user_id == 0)
      return InvalidField("keep", "only a user can keep a lead");
    LeadStore::NewLead in;
    LeadRecord& l = in.lead;
    l.d = DraftFromProto(req->lead());
    l.channel_id = req->lead().channel_id();
    l.campaign_id = req->lead().campaign_id();
    // The request_id and dedup-key lookups are one query, and the keys
    // exist only once the draft is cleansed; a retried capture still
    // returns its first result whatever its draft says now, so input
    // errors are reported only for a capture not seen before.
    absl::Status cleansed;
    std::optional<CampaignRecord> by_code;  // read once, reused below
    if (!req->lead().campaign_code().empty()) {
      // A landing-page form names its campaign by public code. Checked
      // first: the code column is ASCII, so a lookup with other bytes was
      // an SQL error (INTERNAL) instead of INVALID_ARGUMENT.
      cleansed =
          CheckCampaignCode(req->lead().campaign_code(), "lead.campaign_code");
      if (cleansed.ok()) {
        absl::StatusOr<CampaignRecord> cp =
            channels_.GetCampaignByCode(req->lead().campaign_code());
        if (absl::IsNotFound(cp.status())) {
          cleansed = InvalidField("lead.campaign_code", "no such campaign");
        } else {
          RETURN_IF_ERROR(cp.status());
          by_code = *cp;
          if (l.campaign_id == 0) l.campaign_id = cp->id;
          if (l.campaign_id != cp->id) {
            cleansed = InvalidField("lead.campaign_code",
                                    "names another campaign than campaign_id");
          }
          if (l.d.region_code.empty()) l.d.region_code = cp->region_code;
        }
      }
    }
    if (l.d.region_code.empty()) l.d.region_code = p.region_code;
    if (cleansed.ok()) cleansed = CleanseDraft(&l.d, "lead.");
    // Custom fields and field permissions (common/customfields); services
    // (web-form captures) may leave required custom fields out.
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("lead"));
    customfields::Values cf_values(req->lead().custom_fields().begin(),
                                   req->lead().custom_fields().end());
    if (cleansed.ok()) {
      cleansed = cf.CheckCreate(p, req->lead(), &cf_values,
                                /*enforce_required=*/!p.IsService());
    }
    if (cleansed.ok()) in.keys = DedupKeys(l.d);
    if (cleansed.ok()) {
      absl::StatusOr<int> quality =
          ResolveSource("lead.", &l.channel_id, &l.campaign_id,
                        by_code ? &*by_code : nullptr);
      if (quality.ok()) {
        l.score = ScoreOf(l.d, *quality, 0, 0);
      } else {
        cleansed = quality.status();
      }
    }
    l.created_by = p.user_id;
    // The rest (a retried request's first result, merge, accounts, pool,
    // the insert) runs in a batch with concurrent captures (ADR 0027).
    CaptureJob job;
    job.ctx = ctx;
    job.principal = &p;
    job.in = &in;
    job.cap = LeadStore::Capture{l.channel_id, l.campaign_id, req->request_id(),
                                 p.user_id};
    job.invalid = cleansed;
    job.keep = req->keep();
    job.pool_id = req->pool_id();
    job.cf = &cf;
    job.fields = &fields;
    job.cf_values = &cf_values;
    ASSIGN_OR_RETURN(CaptureOutcome r,
                     captures_.Submit(AuthorizationOf(*ctx), std::move(job)));
    RETURN_IF_ERROR(r.status());
    const LeadStore::Outcome& out = r->out;
    if (out.merged && !Visible(p, out.lead)) {
      // Merged into someone else's lead: say so without showing it.
      resp->mutable_lead()->set_id(out.lead.id);
      resp->mutable_lead()->set_status(
          static_cast<pb::LeadStatus>(out.lead.status));
    } else if (r->stored.has_value()) {
      // A new lead's values are the ones just stored: no read back.
      ToProto(out.lead, resp->mutable_lead());
      cf.Present(p, *r->stored, resp->mutable_lead());
    } else {
      ToProto(out.lead, resp->mutable_lead());
      RETURN_IF_ERROR(
          fields.PresentMany(cf, p, {{out.lead.id, resp->mutable_lead()}}));
    }
    resp->set_merged(out.merged);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::GetLead(grpc::ServerContext* ctx,
                                       const pb::GetLeadRequest* req,
                                       pb::Lead* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(LeadRecord l, VisibleLead(p, req->id()));
    ToProto(l, resp);
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("lead"));
    return fields.PresentMany(cf, p, {{l.id, resp}});
  });
}

grpc::Status LeadsServiceImpl::ListLeads(grpc::ServerContext* ctx,
                                         const pb::ListLeadsRequest* req,
                                         pb::ListLeadsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    LeadStore::ListFilter f;
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(),
                                               kDefaultPageSize, kMaxPageSize));
    f.by_score = req->order_by() == pb::LEAD_ORDER_SCORE_DESC;
    const std::string list = f.by_score ? "ListLeads.score" : "ListLeads";
    ASSIGN_OR_RETURN(int64_t after,
                     paging::DecodePageToken(list, req->page_token()));
    if (f.by_score) {
      f.after_score = static_cast<int>(after >> kScoreShift);
      f.after_id = after & ((int64_t{1} << kScoreShift) - 1);
    } else {
      f.after_id = after;
    }
    if (req->status() != pb::LEAD_STATUS_UNSPECIFIED) {
      if (!pb::LeadStatus_IsValid(req->status()))
        return InvalidField("status", "unknown status");
      f.status = static_cast<LeadStatus>(req->status());
    }
    if (req->owner_id() < 0 || req->pool_id() < 0 || req->channel_id() < 0 ||
        req->campaign_id() < 0) {
      return InvalidField("owner_id", "ids must not be negative");
    }
    if (req->mine_only()) f.owner_id = p.user_id;
    if (req->owner_id() > 0) f.owner_id = req->owner_id();
    if (req->pool_id() > 0) f.pool_id = req->pool_id();
    if (req->channel_id() > 0) f.channel_id = req->channel_id();
    if (req->campaign_id() > 0) f.campaign_id = req->campaign_id();
    if (req->region_code().size() > 32)
      return InvalidField("region_code", "at most 32 characters");
    f.region_code = req->region_code();
    f.pooled_only = req->pooled_only();
    auth::SqlPredicate visibility =
        auth::DataScopePredicate(p, "l.owner_id", "l.owner_org_path");
    if (p.scope != auth::DataScope::kAll) {
      visibility.sql =
          absl::StrCat("(", visibility.sql,
                       ") OR (l.pool_id IS NOT NULL AND l.region_code = ?)");
      visibility.params.push_back(p.region_code);
    }
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("lead"));
    ASSIGN_OR_RETURN(std::vector<auth::SqlPredicate> cf_filters,
                     cf.Filters({req->custom_field_filter().begin(),
                                 req->custom_field_filter().end()},
                                "l.id"));
    customfields::AndInto(&visibility, cf_filters);
    ASSIGN_OR_RETURN(std::vector<LeadRecord> page, leads_.List(f, visibility));
    std::vector<std::pair<int64_t, google::protobuf::Message*>> items;
    for (const LeadRecord& l : page) {
      pb::Lead* out = resp->add_leads();
      ToProto(l, out);
      items.push_back({l.id, out});
    }
    RETURN_IF_ERROR(fields.PresentMany(cf, p, items));
    if (static_cast<int>(page.size()) == f.limit) {
      const LeadRecord& last = page.back();
      resp->set_next_page_token(paging::EncodePageToken(
          list, f.by_score
                    ? (int64_t{last.score.total} << kScoreShift) | last.id
                    : last.id));
    }
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::UpdateLead(grpc::ServerContext* ctx,
                                          const pb::UpdateLeadRequest* req,
                                          pb::Lead* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    ASSIGN_OR_RETURN(LeadRecord cur, VisibleLead(p, req->lead().id()));
    RETURN_IF_ERROR(CheckWorkable(p, cur));
    if (!IsOpen(cur.status)) {
      return absl::FailedPreconditionError(
          absl::StrCat("lead ", cur.id, " is ", StatusName(cur.status),
                       "; only open leads can be changed"));
    }
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("lead"));
    customfields::Values cf_changes;
    std::vector<std::string> paths;
    RETURN_IF_ERROR(cf.CheckUpdate(
        p,
        {req->update_mask().paths().begin(), req->update_mask().paths().end()},
        {req->lead().custom_fields().begin(),
         req->lead().custom_fields().end()},
        &cf_changes, &paths));
    LeadDraft next = cur.d;
    const LeadDraft in = DraftFromProto(req->lead());
    for (const std::string& path : paths) {
      if (path == "company_name") {
        next.company_name = in.company_name;
      } else if (path == "contact_name") {
        next.contact_name = in.contact_name;
      } else if (path == "phone") {
        next.phone = in.phone;
      } else if (path == "email") {
        next.email = in.email;
      } else if (path == "region_code") {
        if (cur.pool_id.has_value()) {
          return absl::FailedPreconditionError(
              "a pooled lead keeps its pool's region; assign it first");
        }
        next.region_code = in.region_code;
      } else if (path == "city") {
        next.city = in.city;
      } else if (path == "notes") {
        next.notes = in.notes;
      } else if (path == "custom") {
        next.custom = in.custom;
      } else if (path == "industry") {
        next.industry = in.industry;
      } else if (path == "company_size") {
        next.company_size = in.company_size;
      } else if (path == "credit_code") {
        next.credit_code = in.credit_code;
      } else if (path == "kind") {
        next.kind = in.kind;
      } else {
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
      }
    }
    RETURN_IF_ERROR(CleanseDraft(&next, "lead."));
    LeadRecord scored = cur;
    scored.d = next;
    ASSIGN_OR_RETURN(Score score, Rescore(scored));
    ASSIGN_OR_RETURN(LeadRecord updated,
                     leads_.UpdateProfile(cur.id, next, score));
    if (!cf_changes.empty()) {
      RETURN_IF_ERROR(fields.store()
                          .PutValues("lead", cur.id, cf.defs(), cf_changes)
                          .status());
    }
    ToProto(updated, resp);
    return fields.PresentMany(cf, p, {{updated.id, resp}});
  });
}

grpc::Status LeadsServiceImpl::ChangeLeadStatus(
    grpc::ServerContext* ctx, const pb::ChangeLeadStatusRequest* req,
    pb::Lead* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    ASSIGN_OR_RETURN(LeadRecord cur, VisibleLead(p, req->lead_id()));
    RETURN_IF_ERROR(CheckWorkable(p, cur));
    if (!pb::LeadStatus_IsValid(req->status()) ||
        req->status() == pb::LEAD_STATUS_UNSPECIFIED) {
      return InvalidField("status", "required");
    }
    std::string reason = validate::CollapseSpaces(req->reason());
    ASSIGN_OR_RETURN(
        LeadRecord updated,
        leads_.ChangeStatus(cur.id, static_cast<LeadStatus>(req->status()),
                            reason, p.user_id));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::AddLeadFollowUp(
    grpc::ServerContext* ctx, const pb::AddLeadFollowUpRequest* req,
    pb::Lead* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(LeadRecord cur, VisibleLead(p, req->lead_id()));
    RETURN_IF_ERROR(CheckWorkable(p, cur));
    if (req->kind() == pb::FOLLOW_UP_KIND_UNSPECIFIED ||
        !pb::FollowUpKind_IsValid(req->kind())) {
      return InvalidField("kind", "required");
    }
    std::string content = validate::CollapseSpaces(req->content());
    if (content.empty() || validate::Utf8Length(content) > 2000)
      return InvalidField("content", "required, at most 2000 characters");
    int quality = -1;
    if (cur.channel_id > 0) {
      absl::StatusOr<ChannelRecord> ch = channels_.GetChannel(cur.channel_id);
      if (ch.ok()) quality = ch->quality;
    }
    ASSIGN_OR_RETURN(
        LeadRecord updated,
        leads_.AddFollowUp(cur.id, p.user_id, static_cast<int>(req->kind()),
                           content, req->replied(), [&](const LeadRecord& l) {
                             return ScoreOf(l.d, quality, l.follow_up_count,
                                            l.reply_count);
                           }));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::ListLeadHistory(
    grpc::ServerContext* ctx, const pb::ListLeadHistoryRequest* req,
    pb::ListLeadHistoryResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(LeadRecord l, VisibleLead(p, req->lead_id()));
    ASSIGN_OR_RETURN(
        int limit,
        paging::PageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(int64_t after, paging::DecodePageToken("ListLeadHistory",
                                                            req->page_token()));
    ASSIGN_OR_RETURN(std::vector<HistoryRecord> page,
                     leads_.History(l.id, after, limit));
    for (const HistoryRecord& h : page) ToProto(h, resp->add_entries());
    resp->set_next_page_token(
        paging::NextPageToken("ListLeadHistory", page, limit));
    return absl::OkStatus();
  });
}

}  // namespace crm::leads

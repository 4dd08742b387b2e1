// gRPC handlers of crm.leads.v1.LeadsService: validate, authorize, call the
// stores and domain rules, map to protobuf.
//
// Visibility (ADR 0002: what the caller may not see is NOT_FOUND): an owned
// lead follows the org-tree data scope of its owner (reps their own,
// managers their subtree, admins all); a pooled lead is visible to
// everyone selling in its region (and to admins).
//
// Handlers live in leads_service*.cc, one file per feature.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/auth/principal.h"
#include "common/clock/clock.h"
#include "common/customfields/entity_fields.h"
#include "common/db/pool.h"
#include "common/redis/lock.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/leads/v1/leads.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "services/leads/coalescer.h"
#include "services/leads/domain/scoring.h"
#include "services/leads/store/channel_store.h"
#include "services/leads/store/conversion_store.h"
#include "services/leads/store/lead_store.h"
#include "services/leads/store/pool_store.h"
#include "services/leads/store/rule_store.h"

namespace crm::leads {

namespace pb = crm::leads::v1;

struct LeadsConfig {
  ScoreWeights weights;
  // A lead not followed up this long after its assignment is recycled.
  absl::Duration recycle_after = absl::Hours(48);
  // How long a claim holds the Redis lock on the lead.
  absl::Duration claim_lock_ttl = absl::Seconds(5);
  // Parallel CheckDuplicatesBatch calls to accounts for one batch of
  // import rows (each call carries at least 50 drafts).
  int account_check_concurrency = 8;
  // Tests only: runs after each ConvertLead step is persisted ("account",
  // "contact", "opportunity"), to inject a failure between steps.
  std::function<void(const std::string& step)> after_convert_step;
};

// An existing account a capture matched (accounts' CheckDuplicates).
struct AccountMatch {
  int64_t account_id = 0;
  std::optional<Owner> owner;  // unset: pooled or not visible to the caller
};

class LeadsServiceImpl final : public pb::LeadsService::Service {
 public:
  // `redis` may be null (claims then rely on the database alone);
  // `identity` resolves users named in requests and `accounts` checks
  // captures against customers and receives conversions, `opportunities`
  // receives the opportunity of a conversion (may be null: then
  // create_opportunity is UNAVAILABLE), all called with the caller's own
  // token.
  LeadsServiceImpl(
      std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
          identity,
      std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface>
          accounts,
      std::shared_ptr<
          crm::opportunities::v1::OpportunitiesService::StubInterface>
          opportunities,
      std::shared_ptr<const Clock> clock, LeadsConfig config);

  // Capture and lead records: leads_service.cc.
  grpc::Status CreateLead(grpc::ServerContext*, const pb::CreateLeadRequest*,
                          pb::CreateLeadResponse*) override;
  grpc::Status GetLead(grpc::ServerContext*, const pb::GetLeadRequest*,
                       pb::Lead*) override;
  grpc::Status ListLeads(grpc::ServerContext*, const pb::ListLeadsRequest*,
                         pb::ListLeadsResponse*) override;
  grpc::Status UpdateLead(grpc::ServerContext*, const pb::UpdateLeadRequest*,
                          pb::Lead*) override;
  grpc::Status ChangeLeadStatus(grpc::ServerContext*,
                                const pb::ChangeLeadStatusRequest*,
                                pb::Lead*) override;
  grpc::Status AddLeadFollowUp(grpc::ServerContext*,
                               const pb::AddLeadFollowUpRequest*,
                               pb::Lead*) override;
  grpc::Status ListLeadHistory(grpc::ServerContext*,
                               const pb::ListLeadHistoryRequest*,
                               pb::ListLeadHistoryResponse*) override;
  // Import: leads_service_import.cc.
  grpc::Status ImportLeads(grpc::ServerContext*,
                           grpc::ServerReader<pb::ImportLeadsRequest>*,
                           pb::ImportLeadsResponse*) override;

  // Channels, campaigns, stats: leads_service_channels.cc.
  grpc::Status CreateChannel(grpc::ServerContext*,
                             const pb::CreateChannelRequest*,
                             pb::Channel*) override;
  grpc::Status ListChannels(grpc::ServerContext*,
                            const pb::ListChannelsRequest*,
                            pb::ListChannelsResponse*) override;
  grpc::Status UpdateChannel(grpc::ServerContext*,
                             const pb::UpdateChannelRequest*,
                             pb::Channel*) override;
  grpc::Status CreateCampaign(grpc::ServerContext*,
                              const pb::CreateCampaignRequest*,
                              pb::Campaign*) override;
  grpc::Status ListCampaigns(grpc::ServerContext*,
                             const pb::ListCampaignsRequest*,
                             pb::ListCampaignsResponse*) override;
  grpc::Status UpdateCampaign(grpc::ServerContext*,
                              const pb::UpdateCampaignRequest*,
                              pb::Campaign*) override;
  grpc::Status GetChannelStats(grpc::ServerContext*,
                               const pb::GetChannelStatsRequest*,
                               pb::GetChannelStatsResponse*) override;

  // Pools, claims, assignment rules: leads_service_assign.cc.
  grpc::Status CreateLeadPool(grpc::ServerContext*,
                              const pb::CreateLeadPoolRequest*,
                              pb::LeadPool*) override;
  grpc::Status ListLeadPools(grpc::ServerContext*,
                             const pb::ListLeadPoolsRequest*,
                             pb::ListLeadPoolsResponse*) override;
  grpc::Status ClaimLead(grpc::ServerContext*, const pb::ClaimLeadRequest*,
                         pb::Lead*) override;
  grpc::Status AssignLead(grpc::ServerContext*, const pb::AssignLeadRequest*,
                          pb::Lead*) override;
  grpc::Status CreateAssignmentRule(grpc::ServerContext*,
                                    const pb::CreateAssignmentRuleRequest*,
                                    pb::AssignmentRule*) override;
  grpc::Status ListAssignmentRules(grpc::ServerContext*,
                                   const pb::ListAssignmentRulesRequest*,
                                   pb::ListAssignmentRulesResponse*) override;
  grpc::Status UpdateAssignmentRule(grpc::ServerContext*,
                                    const pb::UpdateAssignmentRuleRequest*,
                                    pb::AssignmentRule*) override;
  grpc::Status DeleteAssignmentRule(grpc::ServerContext*,
                                    const pb::DeleteAssignmentRuleRequest*,
                                    pb::DeleteAssignmentRuleResponse*) override;
  grpc::Status AutoAssign(grpc::ServerContext*, const pb::AutoAssignRequest*,
                          pb::AutoAssignResponse*) override;
  // leads_service_recycle.cc.
  grpc::Status RunLeadRecycle(grpc::ServerContext*,
                              const pb::RunLeadRecycleRequest*,
                              pb::RunLeadRecycleResponse*) override;
  // leads_service_convert.cc.
  grpc::Status ConvertLead(grpc::ServerContext*, const pb::ConvertLeadRequest*,
                           pb::ConvertLeadResponse*) override;

  // CreateLead's capture batches so far: {batches, captures}.
  std::pair<int64_t, int64_t> CaptureCounts() const {
    return captures_.Counts();
  }

 private:
  bool Visible(const auth::Principal& p, const LeadRecord& l) const;
  // NOT_FOUND "lead <id> not found" when missing or invisible.
  absl::StatusOr<LeadRecord> VisibleLead(const auth::Principal& p, int64_t id);
  // The owner, or a manager who sees the lead; PERMISSION_DENIED otherwise.
  absl::Status CheckWorkable(const auth::Principal& p,
                             const LeadRecord& l) const;
  // An active user the caller may see, from identity.
  absl::StatusOr<crm::identity::v1::User> LookupUser(grpc::ServerContext* ctx,
                                                     int64_t id);
  // The channel/campaign ids of a capture, checked to exist and agree;
  // returns the channel quality (-1 without a channel).
  // Validates in.code / in.region_code into *cp; ALREADY_EXISTS when
  // another campaign (not self_id) has the code.
  absl::Status SetCampaignCode(const pb::Campaign& in, int64_t self_id,
                               CampaignRecord* cp);
  // `known`: the campaign already read (by code), not read again.
  absl::StatusOr<int> ResolveSource(const std::string& prefix,
                                    int64_t* channel_id, int64_t* campaign_id,
                                    const CampaignRecord* known = nullptr);
  Score ScoreOf(const LeadDraft& d, int channel_quality, int follow_ups,
                int replies) const;
  absl::StatusOr<Score> Rescore(const LeadRecord& l);
  // The region's default pool id, cached (pools are never deleted).
  absl::StatusOr<int64_t> RegionPool(const std::string& region);

  // leads_service_capture.cc: CreateLead's captures, coalesced into
  // batches (ADR 0027). A job points into its caller's frame, which waits
  // for the result.
  struct CaptureJob {
    grpc::ServerContext* ctx = nullptr;
    const auth::Principal* principal = nullptr;
    // Cleansed, source resolved, scored; owner and pool are set here.
    LeadStore::NewLead* in = nullptr;
    LeadStore::Capture cap;
    // An input error, reported unless the request_id has a first result.
    absl::Status invalid;
    bool keep = false;
    int64_t pool_id = 0;  // requested pool; 0 = the region's default
    const customfields::EntityContext* cf = nullptr;
    customfields::EntityFields* fields = nullptr;
    const customfields::Values* cf_values = nullptr;
  };
  struct CaptureResult {
    LeadStore::Outcome out;
    // The custom values written by this capture: a new lead's response
    // shows them without a read back. Unset: read them (merged, retried).
    std::optional<customfields::Values> stored;
  };
  using CaptureOutcome = absl::StatusOr<CaptureResult>;
  absl::StatusOr<std::vector<CaptureOutcome>> CaptureBatch(
      const std::vector<CaptureJob>& jobs);
  // Sets the owner (existing customer's, or the keeping caller) or the
  // pool of a capture about to be inserted.
  absl::Status PlaceCapture(const CaptureJob& job,
                            const std::optional<AccountMatch>& match);
  // One capture on its own (CreateOrMerge: merges, races, retries).
  CaptureOutcome CaptureOne(const CaptureJob& job);
  static constexpr size_t kMaxCaptureBatch = 100;
  // Batches of one caller running at once: while one waits for accounts or
  // the database, the next one's captures are already on their way.
  static constexpr int kCaptureBatchesInFlight = 2;

  // leads_service_accounts.cc: captures against existing accounts.
  // One result per draft: CheckDuplicatesBatch calls, at most
  // config_.account_check_concurrency in flight.
  absl::StatusOr<std::vector<std::optional<AccountMatch>>> MatchAccounts(
      grpc::ServerContext* ctx, const std::vector<const LeadDraft*>& drafts);
  // One CheckDuplicatesBatch call (1..kMaxCheckBatch drafts) with the given
  // authorization metadata; UNAVAILABLE (or UNAUTHENTICATED) on failure.
  static constexpr size_t kMaxCheckBatch = 500;
  absl::StatusOr<std::vector<crm::accounts::v1::DraftDuplicates>>
  CheckAccountsBatch(const std::string& authorization,
                     const std::vector<crm::accounts::v1::Account>& drafts);
  // Owners already looked up, by account id (within one import batch).
  using OwnerCache = std::map<int64_t, std::optional<Owner>>;
  // The match a check result means for `d` (GetAccount for the owner's
  // org path, through `owners` when given).
  absl::StatusOr<std::optional<AccountMatch>> ToMatch(
      grpc::ServerContext* ctx, const LeadDraft& d,
      const crm::accounts::v1::DraftDuplicates& r, OwnerCache* owners);

  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  LeadsConfig config_;
  std::unique_ptr<redis::DistributedLock> locks_;
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity_;
  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts_;
  std::shared_ptr<crm::opportunities::v1::OpportunitiesService::StubInterface>
      opportunities_;
  // CreateLead's captures, coalesced per authorization (ADR 0023, 0027).
  Coalescer<CaptureJob, CaptureOutcome> captures_;
  LeadStore leads_;
  PoolStore pools_;
  RuleStore rules_;
  ChannelStore channels_;
  ConversionStore conversions_;
  std::mutex region_pools_mu_;
  std::map<std::string, int64_t> region_pools_;  // guarded by the mutex
};

bool IsManager(const auth::Principal& p);
// The call's "authorization" metadata ("" without): captures are batched
// per authorization, and accounts is called with it.
std::string AuthorizationOf(const grpc::ServerContext& ctx);
absl::Status RequireManager(const auth::Principal& p, std::string_view what);

}  // namespace crm::leads

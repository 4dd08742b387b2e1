// Records <-> crm.opportunities.v1 messages.
#pragma once

#include "crm/opportunities/v1/opportunities.pb.h"
#include "services/opportunities/domain/pipeline.h"
#include "services/opportunities/store/records.h"

namespace crm::opportunities {

namespace pb = crm::opportunities::v1;

void ToProto(const PipelineDef& p, pb::Pipeline* out);
PipelineDef PipelineFromProto(const pb::Pipeline& in);
void ToProto(const LossReasonRecord& r, pb::LossReason* out);
void ToProto(const OpportunityRecord& o, pb::Opportunity* out);
void ToProto(const StageChangeRecord& h, pb::StageChange* out);

}  // namespace crm::opportunities

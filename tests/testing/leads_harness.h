// The leads service in-process on a fresh schema, beside AccountsHarness
// (identity + accounts + the small org tree: company > east > e1, e2;
// north > n1). Leads talks to accounts through an accounts endpoint of its
// own (the same accounts schema) that tests can stop and restart at the
// same address, to inject downstream failures. The opportunities service
// runs in-process too (its own schema, verifying accounts through the
// accounts harness as in OpportunitiesHarness), on an endpoint tests can
// stop and restart the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crm/leads/v1/leads.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "services/leads/leads_service.h"
#include "services/opportunities/opportunities_service.h"
#include "tests/testing/accounts_harness.h"

namespace crm::testing {

class LeadsHarness {
 public:
  // `redis_down`: leads gets a Redis that refuses connections, to show
  // that claims stay correct on the database alone.
  explicit LeadsHarness(leads::LeadsConfig config = {},
                        bool redis_down = false);
  ~LeadsHarness();

  crm::leads::v1::LeadsService::Stub& stub() { return *stub_; }
  leads::LeadsServiceImpl& service() { return *service_; }
  AccountsHarness& accounts() { return accounts_; }
  ManualClock& clock() { return accounts_.clock(); }
  TestSchema& schema() { return schema_; }
  redis::RedisPool* redis() const { return redis_->get(); }
  std::string address() const { return host_->address(); }

  AccountsHarness::Login User(const std::string& username,
                              const std::string& unit_key,
                              const std::string& role) {
    return accounts_.User(username, unit_key, role);
  }
  std::string Admin() { return accounts_.Admin(); }
  int64_t Unit(const std::string& key) const { return accounts_.Unit(key); }

  // The accounts endpoint leads calls: stop it (calls fail UNAVAILABLE)
  // and start it again on the same port.
  void StopAccounts();
  void StartAccounts();
  // The same for the opportunities endpoint leads calls.
  void StopOpportunities();
  void StartOpportunities();
  // A stub on the opportunities endpoint (while it runs).
  crm::opportunities::v1::OpportunitiesService::Stub& opportunities() {
    return *opportunities_stub_;
  }
  // The integer column of the one row `sql` returns on the opportunities
  // schema.
  int64_t OpportunitiesInt(const std::string& sql, const std::string& column,
                           const std::vector<db::Param>& params = {});

  // CreateLead on behalf of `token`.
  grpc::Status Create(const std::string& token,
                      const crm::leads::v1::Lead& lead,
                      crm::leads::v1::CreateLeadResponse* out,
                      const std::string& request_id = "", bool keep = false);
  // CreateLead expecting success; returns the lead.
  crm::leads::v1::Lead CreateOk(const std::string& token,
                                const crm::leads::v1::Lead& lead,
                                bool keep = false);
  grpc::Status Get(const std::string& token, int64_t id,
                   crm::leads::v1::Lead* out);
  grpc::Status Claim(const std::string& token, int64_t id,
                     crm::leads::v1::Lead* out = nullptr);
  grpc::Status FollowUp(const std::string& token, int64_t id,
                        bool replied = false,
                        crm::leads::v1::Lead* out = nullptr);

  // The integer column of the one row `sql` returns on the leads schema.
  int64_t QueryInt(const std::string& sql, const std::string& column,
                   const std::vector<db::Param>& params = {});

 private:
  AccountsHarness accounts_;
  std::unique_ptr<accounts::AccountsServiceImpl> accounts_service_;
  std::unique_ptr<server::ServiceHost> accounts_host_;
  int accounts_port_ = 0;
  TestSchema opportunities_schema_;
  std::unique_ptr<TestRedisPool> opportunities_redis_;
  std::unique_ptr<opportunities::OpportunitiesServiceImpl>
      opportunities_service_;
  std::unique_ptr<server::ServiceHost> opportunities_host_;
  int opportunities_port_ = 0;
  std::unique_ptr<crm::opportunities::v1::OpportunitiesService::Stub>
      opportunities_stub_;
  TestSchema schema_;
  std::unique_ptr<TestRedisPool> redis_;
  std::unique_ptr<redis::RedisPool> down_redis_;
  std::unique_ptr<leads::LeadsServiceImpl> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::leads::v1::LeadsService::Stub> stub_;
};

// A company lead draft in `region` with a phone and a contact.
crm::leads::v1::Lead CompanyLead(const std::string& company,
                                 const std::string& phone,
                                 const std::string& region = "east");

}  // namespace crm::testing

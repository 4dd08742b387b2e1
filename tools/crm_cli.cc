// crm-cli: a small gRPC client for operators and scripts (crmctl uses it).
//
//   crm-cli health ADDRESS                   exit 0 when SERVING
//   crm-cli login ADDRESS USERNAME PASSWORD  prints the LoginResponse (JSON)
//   crm-cli whoami ADDRESS ACCESS_TOKEN      prints the caller's principal
//   crm-cli seed-demo --identity=ADDRESS [--accounts=ADDRESS
//       [--opportunities=ADDRESS --orders=ADDRESS]]
//       --admin_username=U --admin_password=P
//     the demo org and users; with accounts the demo customers, then the
//     demo sales (opportunities and orders default to the identity host,
//     ports identity + 3 and + 4, as `crmctl up` lays them out).
#include <google/protobuf/util/json_util.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "common/client/client.h"
#include "common/config/config.h"
#include "common/status/status.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/demo_seed.h"
#include "tools/demo_seed_sales.h"

namespace {

namespace pb = crm::identity::v1;

int Usage() {
  std::fprintf(stderr,
               "usage:\n"
               "  crm-cli health ADDRESS\n"
               "  crm-cli login ADDRESS USERNAME PASSWORD\n"
               "  crm-cli whoami ADDRESS ACCESS_TOKEN\n"
               "  crm-cli seed-demo --identity=ADDRESS [--accounts=ADDRESS "
               "[--opportunities=ADDRESS --orders=ADDRESS]] "
               "--admin_username=U --admin_password=P\n");
  return 2;
}

int Fail(const grpc::Status& s) {
  std::fprintf(stderr, "error: %d %s\n", static_cast<int>(s.error_code()),
               s.error_message().c_str());
  return 1;
}

// host:port -> host:(port + offset); "" when `address` has no port.
std::string SiblingAddress(const std::string& address, int offset) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0) {
    return "";
  }
  return address.substr(0, colon + 1) + std::to_string(port + offset);
}

void PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  std::printf("%s", out.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  crm::ConfigReader config = crm::ConfigReader::FromMain(argc, argv);
  const std::vector<std::string>& args = config.positional();
  if (args.empty()) return Usage();
  const std::string& cmd = args[0];

  if (cmd == "health" && args.size() == 2) {
    auto stub =
        grpc::health::v1::Health::NewStub(crm::client::MakeChannel(args[1]));
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, "", absl::Seconds(2));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = stub->Check(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::printf(
        "%s\n",
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status())
            .c_str());
    return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0
                                                                           : 1;
  }
  if (cmd == "login" && args.size() == 4) {
    auto stub = pb::IdentityService::NewStub(crm::client::MakeChannel(args[1]));
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, "");
    pb::LoginRequest req;
    req.set_username(args[2]);
    req.set_password(args[3]);
    pb::LoginResponse resp;
    grpc::Status s = stub->Login(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    PrintJson(resp);
    return 0;
  }
  if (cmd == "whoami" && args.size() == 3) {
    auto stub = pb::IdentityService::NewStub(crm::client::MakeChannel(args[1]));
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, args[2]);
    crm::common::v1::Principal resp;
    grpc::Status s = stub->WhoAmI(&ctx, pb::WhoAmIRequest(), &resp);
    if (!s.ok()) return Fail(s);
    PrintJson(resp);
    return 0;
  }
  if (cmd == "seed-demo" && args.size() == 1) {
    const std::string address = config.String("identity", "127.0.0.1:50051");
    const std::string user = config.String("admin_username", "admin");
    const std::string password = config.RequiredString("admin_password", true);
    // Optional: also seed pools and customers into the accounts service.
    const std::string accounts_address = config.String("accounts", "");
    // With accounts: the demo sales figures too (default: the identity
    // host on the standard ports, identity + 3 and + 4, as crmctl uses).
    const std::string opportunities_address =
        config.String("opportunities", SiblingAddress(address, 3));
    const std::string orders_address =
        config.String("orders", SiblingAddress(address, 4));
    if (absl::Status s = config.Finish(); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 2;
    }
    auto stub = pb::IdentityService::NewStub(crm::client::MakeChannel(address));
    std::printf("demo users (password %s):\n", crm::tools::kDemoPassword);
    absl::Status s = crm::tools::SeedDemo(*stub, user, password);
    if (s.ok() && !accounts_address.empty()) {
      auto accounts = crm::accounts::v1::AccountsService::NewStub(
          crm::client::MakeChannel(accounts_address));
      std::printf("demo customers:\n");
      s = crm::tools::SeedDemoAccounts(*stub, *accounts, user, password);
      if (s.ok() && !opportunities_address.empty() && !orders_address.empty()) {
        auto opportunities =
            crm::opportunities::v1::OpportunitiesService::NewStub(
                crm::client::MakeChannel(opportunities_address));
        auto orders = crm::orders::v1::OrdersService::NewStub(
            crm::client::MakeChannel(orders_address));
        std::printf("demo sales:\n");
        s = crm::tools::SeedDemoSales(*stub, *accounts, *opportunities, *orders,
                                      user, password);
      }
    }
    if (!s.ok()) {
      std::fprintf(stderr, "seed-demo failed: %s\n", s.ToString().c_str());
      return 1;
    }
    return 0;
  }
  return Usage();
}

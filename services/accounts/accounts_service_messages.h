// The message center (issue 10, ADR 0073), hosted by the accounts process:
// crm.messages.v1.MessagesService over the inbox_messages table, and the
// consumers (group "inbox") that turn the suite's events into messages
// (domain/inbox_rules.h lists the mapping).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/client/manager_lookup.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/events/consumer.h"
#include "common/redis/redis_pool.h"
#include "crm/messages/v1/messages.grpc.pb.h"

namespace crm::accounts {

class MessagesServiceImpl final
    : public crm::messages::v1::MessagesService::Service {
 public:
  MessagesServiceImpl(std::shared_ptr<db::ConnectionPool> pool,
                      std::shared_ptr<const Clock> clock);

  grpc::Status ListMessages(
      grpc::ServerContext* ctx,
      const crm::messages::v1::ListMessagesRequest* req,
      crm::messages::v1::ListMessagesResponse* resp) override;
  grpc::Status GetUnreadCount(
      grpc::ServerContext* ctx,
      const crm::messages::v1::GetUnreadCountRequest* req,
      crm::messages::v1::UnreadCount* resp) override;
  grpc::Status MarkRead(grpc::ServerContext* ctx,
                        const crm::messages::v1::MarkReadRequest* req,
                        crm::messages::v1::Message* resp) override;
  grpc::Status MarkAllRead(
      grpc::ServerContext* ctx,
      const crm::messages::v1::MarkAllReadRequest* req,
      crm::messages::v1::MarkAllReadResponse* resp) override;

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

// Consumers of events:leads, events:orders, events:tickets and
// events:opportunities in group "inbox" (independent of the "accounts"
// group, so the inbox never delays the accounts' own reactions). One
// background thread polls the four without blocking reads (one Redis
// connection at a time, not four held in XREADGROUP BLOCK), every
// `idle_wait` when there was nothing to do.
class InboxConsumers {
 public:
  InboxConsumers(std::shared_ptr<db::ConnectionPool> pool,
                 redis::RedisPool* redis, std::shared_ptr<const Clock> clock,
                 std::string consumer_name = "",
                 absl::Duration idle_wait = absl::Seconds(1));
  ~InboxConsumers();

  // Who may decide an approval step (ApprovalStepWaiting from orders): the
  // lookup asks identity (must outlive this). Without one those events
  // post nothing.
  void ResolveApproversWith(client::ManagerLookup* lookup) {
    approvers_ = lookup;
  }

  void Start();
  void Stop();
  // One non-blocking pass over every stream: entries acknowledged.
  absl::StatusOr<int> PollOnce();

  // Posts the event's messages on `tx` (idempotent: dedupe keys).
  static absl::Status Apply(const events::Event& e, db::Connection& tx,
                            absl::Time now);

 private:
  // Apply, plus the events whose recipients need a lookup.
  absl::Status Handle(const events::Event& e, db::Connection& tx);

  std::shared_ptr<const Clock> clock_;
  client::ManagerLookup* approvers_ = nullptr;
  absl::Duration idle_wait_;
  std::vector<std::unique_ptr<events::StreamConsumer>> consumers_;
  events::BackgroundLoop loop_;  // last: stopped before the consumers go
};

}  // namespace crm::accounts

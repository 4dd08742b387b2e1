#include "common/redis/redis_pool.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace crm::redis {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

std::string Describe(const redisContext& c) { return std::string(c.errstr); }

// Runs one command on `c`. On a connection failure c->err stays set, which
// is how the pool later knows to drop the connection.
absl::StatusOr<Reply> Execute(redisContext* c,
                              const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidField("argv", "must name a command");
  if (c->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("redis: connection is broken: ", Describe(*c)));
  }
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  errno = 0;
  ReplyPtr reply(static_cast<redisReply*>(redisCommandArgv(
      c, static_cast<int>(args.size()), args.data(), lens.data())));
  const int saved_errno = errno;
  if (reply == nullptr) {
    // SO_RCVTIMEO expiry surfaces as a read error with EAGAIN.
    if (c->err == REDIS_ERR_IO &&
        (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
      return absl::DeadlineExceededError(
          absl::StrCat("redis: no reply to ", argv[0], " in time"));
    }
    return absl::UnavailableError(
        absl::StrCat("redis: ", argv[0], " failed: ", Describe(*c)));
  }
  Reply out = ConvertReply(*reply);
  if (out.type == Reply::Type::kError) return ErrorReplyToStatus(out.str);
  return out;
}

// An idle RESP2 connection never has anything to read. If it is readable
// the server closed it (restart, CLIENT KILL, idle timeout) or it is out of
// step; either way it must not be lent out.
bool LooksAlive(const redisContext& c) {
  if (c.err != 0) return false;
  pollfd p{};
  p.fd = c.fd;
  p.events = POLLIN;
  return poll(&p, 1, 0) == 0;
}

}  // namespace

void ContextDeleter::operator()(redisContext* context) const {
  redisFree(context);
}

// --- Lease ------------------------------------------------------------------

RedisPool::Lease::Lease(RedisPool* pool, ContextPtr context)
    : pool_(pool), context_(std::move(context)) {}

RedisPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      context_(std::move(other.context_)) {}

RedisPool::Lease& RedisPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    ReturnToPool();
    pool_ = std::exchange(other.pool_, nullptr);
    context_ = std::move(other.context_);
  }
  return *this;
}

RedisPool::Lease::~Lease() { ReturnToPool(); }

void RedisPool::Lease::ReturnToPool() {
  if (pool_ != nullptr && context_ != nullptr) {
    pool_->Return(std::move(context_));
  }
  pool_ = nullptr;
  context_.reset();
}

absl::StatusOr<Reply> RedisPool::Lease::Command(
    const std::vector<std::string>& argv) {
  if (context_ == nullptr) {
    return absl::FailedPreconditionError("redis: lease was moved from");
  }
  return Execute(context_.get(), argv);
}

absl::StatusOr<Reply> RedisPool::Lease::CommandWithTimeout(
    const std::vector<std::string>& argv, absl::Duration timeout) {
  if (context_ == nullptr) {
    return absl::FailedPreconditionError("redis: lease was moved from");
  }
  // A failed setsockopt sets context_->err, so Execute reports it and the
  // connection is dropped rather than kept with the wrong timeout.
  redisSetTimeout(context_.get(), absl::ToTimeval(timeout));
  absl::StatusOr<Reply> reply = Execute(context_.get(), argv);
  if (context_->err == 0) {
    redisSetTimeout(context_.get(),
                    absl::ToTimeval(pool_->options().command_timeout));
  }
  return reply;
}

absl::StatusOr<int64_t> RedisPool::Lease::ClientId() {
  ASSIGN_OR_RETURN(Reply reply, Command({"CLIENT", "ID"}));
  return reply.AsInteger();
}

// --- RedisPool --------------------------------------------------------------

absl::StatusOr<std::unique_ptr<RedisPool>> RedisPool::Create(
    RedisOptions options) {
  RETURN_IF_ERROR(options.Validate());
  return absl::WrapUnique(new RedisPool(std::move(options)));
}

RedisPool::RedisPool(RedisOptions options) : options_(std::move(options)) {}

RedisPool::~RedisPool() = default;

std::string RedisPool::Key(std::string_view key) const {
  return absl::StrCat(options_.key_prefix,
                      absl::string_view(key.data(), key.size()));
}

RedisPool::Stats RedisPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Stats{.open = open_, .idle = static_cast<int>(idle_.size())};
}

absl::StatusOr<ContextPtr> RedisPool::Connect() const {
  const std::string where = absl::StrCat(options_.host, ":", options_.port);
  ContextPtr c(
      redisConnectWithTimeout(options_.host.c_str(), options_.port,
                              absl::ToTimeval(options_.connect_timeout)));
  if (c == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("redis: cannot allocate a connection to ", where));
  }
  if (c->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("redis: cannot connect to ", where, ": ", Describe(*c)));
  }
  if (redisSetTimeout(c.get(), absl::ToTimeval(options_.command_timeout)) !=
      REDIS_OK) {
    return absl::UnavailableError(
        absl::StrCat("redis: cannot set timeout: ", Describe(*c)));
  }
  // Keepalive notices a peer that vanished without closing (host down,
  // network cut), which the idle check alone cannot see.
  redisEnableKeepAlive(c.get());
  if (!options_.password.empty()) {
    absl::StatusOr<Reply> auth = Execute(c.get(), {"AUTH", options_.password});
    if (!auth.ok()) {
      // The status text is Redis's, which never echoes the password.
      return absl::Status(auth.status().code(),
                          absl::StrCat("redis: AUTH to ", where,
                                       " failed: ", auth.status().message()));
    }
  }
  if (options_.db != 0) {
    absl::StatusOr<Reply> select =
        Execute(c.get(), {"SELECT", absl::StrCat(options_.db)});
    if (!select.ok()) {
      return absl::Status(
          select.status().code(),
          absl::StrCat("redis: SELECT ", options_.db, " on ", where,
                       " failed: ", select.status().message()));
    }
  }
  return c;
}

absl::StatusOr<RedisPool::Lease> RedisPool::Borrow(absl::Duration wait) {
  // Bounded so that InfiniteDuration cannot overflow the clock arithmetic.
  const absl::Duration bounded = std::min(wait, absl::Hours(24 * 365));
  const auto deadline =
      std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(bounded);
  std::vector<ContextPtr> dead;  // closed after the lock is released
  absl::Cleanup log_dead = [&dead] {
    if (!dead.empty()) {
      log::Info("redis: dropped idle connections closed by the server",
                {{"count", dead.size()}});
    }
  };
  {
    std::unique_lock<std::mutex> lock(mu_);
    bool timed_out = false;
    while (true) {
      while (!idle_.empty()) {
        ContextPtr c = std::move(idle_.back());
        idle_.pop_back();
        if (LooksAlive(*c)) return Lease(this, std::move(c));
        dead.push_back(std::move(c));
        --open_;
      }
      if (open_ < options_.pool_size) {
        ++open_;  // reserve the slot; connect outside the lock
        break;
      }
      if (timed_out) {
        return absl::ResourceExhaustedError(
            absl::StrCat("redis: all ", options_.pool_size,
                         " pooled connections are busy (waited ",
                         absl::FormatDuration(wait), ")"));
      }
      timed_out =
          returned_.wait_until(lock, deadline) == std::cv_status::timeout;
    }
  }
  absl::StatusOr<ContextPtr> c = Connect();
  if (!c.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    returned_.notify_one();  // a waiter may now open a connection itself
    return c.status();
  }
  return Lease(this, *std::move(c));
}

void RedisPool::Return(ContextPtr context) {
  const bool broken = context == nullptr || context->err != 0;
  if (broken && context != nullptr) {
    log::Warn("redis: dropping broken connection",
              {{"error", Describe(*context)}});
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (broken) {
      --open_;
    } else {
      idle_.push_back(std::move(context));
    }
  }
  returned_.notify_one();
  // A broken context, if any, is closed here, outside the lock.
}

absl::StatusOr<Reply> RedisPool::Command(const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(Lease lease, Borrow(options_.command_timeout));
  return lease.Command(argv);
}

}  // namespace crm::redis

#include "common/log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace crm::log {
namespace {

spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("crm");
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return *logger;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* Name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

bool SetLevel(std::string_view level) {
  if (level == "debug")
    Logger().set_level(spdlog::level::debug);
  else if (level == "info")
    Logger().set_level(spdlog::level::info);
  else if (level == "warn")
    Logger().set_level(spdlog::level::warn);
  else if (level == "error")
    Logger().set_level(spdlog::level::err);
  else
    return false;
  return true;
}

void Write(Level level, std::string_view msg, const nlohmann::json& fields) {
  spdlog::logger& logger = Logger();
  if (!logger.should_log(ToSpd(level))) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                absl::UTCTimeZone());
  line["level"] = Name(level);
  line["msg"] = std::string(msg);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it)
      line[it.key()] = it.value();
  }
  // Replace invalid UTF-8 rather than throw: a log line must never crash a
  // server.
  logger.log(
      ToSpd(level), "{}",
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace crm::log

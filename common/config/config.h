// Start-up configuration from flags and environment, validated up front.
//
// Each setting has a name such as "db_port". It is read from the flag
// --db_port=VALUE or, failing that, from the environment variable
// CRM_DB_PORT; a flag wins over the environment. Every problem (unknown
// flag, bad number, out of range, missing required value) is collected and
// reported together by Finish(), so an operator fixes them in one go.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm {

class ConfigReader {
 public:
  using EnvLookup =
      std::function<std::optional<std::string>(const std::string&)>;

  // `args` are the command-line arguments without the program name.
  ConfigReader(std::vector<std::string> args, EnvLookup env);
  // Reads the real process arguments and environment.
  static ConfigReader FromMain(int argc, char** argv);

  std::string String(const std::string& name, const std::string& default_value);
  // Required and non-empty; `secret` keeps the value out of Describe().
  std::string RequiredString(const std::string& name, bool secret = false);
  // One of `allowed` (the default must be one); anything else is an error.
  std::string OneOf(const std::string& name, const std::string& default_value,
                    const std::vector<std::string>& allowed);
  std::string Secret(const std::string& name, const std::string& default_value);
  int64_t Int(const std::string& name, int64_t default_value, int64_t min,
              int64_t max);
  bool Bool(const std::string& name, bool default_value);
  // Durations are written as absl durations: "15m", "30s", "720h".
  absl::Duration Duration(const std::string& name,
                          absl::Duration default_value);

  // Reports a problem found by the caller's own parsing of a value,
  // "<name>: <rule>" (shown by Finish() with the others).
  void AddError(std::string message);

  // OK, or INVALID_ARGUMENT listing every problem, including flags that no
  // one asked for (a typo in a flag must not be silently ignored).
  absl::Status Finish() const;

  // "name=value" for every setting read, secrets masked, for the start-up log.
  std::string Describe() const;

  // Positional (non-flag) arguments, e.g. a subcommand.
  const std::vector<std::string>& positional() const { return positional_; }

  static std::string EnvName(const std::string& name);

 private:
  std::optional<std::string> Lookup(const std::string& name);
  void Record(const std::string& name, const std::string& value, bool secret);

  std::map<std::string, std::string> flags_;
  std::vector<std::string> positional_;
  EnvLookup env_;
  std::set<std::string> used_;
  std::vector<std::string> errors_;
  std::vector<std::string> described_;
};

}  // namespace crm

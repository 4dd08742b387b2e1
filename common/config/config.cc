#include "common/config/config.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace crm {

ConfigReader::ConfigReader(std::vector<std::string> args, EnvLookup env)
    : env_(std::move(env)) {
  for (const std::string& arg : args) {
    if (arg.rfind("--", 0) != 0) {
      positional_.push_back(arg);
      continue;
    }
    const std::string body = arg.substr(2);
    const size_t eq = body.find('=');
    if (eq == std::string::npos) {
      // A bare --flag means true, so booleans read naturally.
      flags_[body] = "true";
    } else {
      flags_[body.substr(0, eq)] = body.substr(eq + 1);
    }
  }
}

ConfigReader ConfigReader::FromMain(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ConfigReader(
      std::move(args),
      [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      });
}

std::string ConfigReader::EnvName(const std::string& name) {
  return "CRM_" + absl::AsciiStrToUpper(name);
}

std::optional<std::string> ConfigReader::Lookup(const std::string& name) {
  used_.insert(name);
  if (auto it = flags_.find(name); it != flags_.end()) return it->second;
  if (env_) return env_(EnvName(name));
  return std::nullopt;
}

void ConfigReader::Record(const std::string& name, const std::string& value,
                          bool secret) {
  described_.push_back(
      absl::StrCat(name, "=", secret ? (value.empty() ? "" : "***") : value));
}

std::string ConfigReader::String(const std::string& name,
                                 const std::string& default_value) {
  std::string v = Lookup(name).value_or(default_value);
  Record(name, v, false);
  return v;
}

std::string ConfigReader::Secret(const std::string& name,
                                 const std::string& default_value) {
  std::string v = Lookup(name).value_or(default_value);
  Record(name, v, true);
  return v;
}

void ConfigReader::AddError(std::string message) {
  errors_.push_back(std::move(message));
}

std::string ConfigReader::OneOf(const std::string& name,
                                const std::string& default_value,
                                const std::vector<std::string>& allowed) {
  std::string value = String(name, default_value);
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    errors_.push_back(absl::StrCat(name, ": must be one of ",
                                   absl::StrJoin(allowed, ", "), ", not \"",
                                   value, "\""));
  }
  return value;
}

std::string ConfigReader::RequiredString(const std::string& name, bool secret) {
  std::optional<std::string> v = Lookup(name);
  if (!v.has_value() || v->empty()) {
    errors_.push_back(absl::StrCat(name, ": required (flag --", name,
                                   " or env ", EnvName(name), ")"));
    return "";
  }
  Record(name, *v, secret);
  return *v;
}

int64_t ConfigReader::Int(const std::string& name, int64_t default_value,
                          int64_t min, int64_t max) {
  std::optional<std::string> raw = Lookup(name);
  int64_t v = default_value;
  if (raw.has_value()) {
    if (!absl::SimpleAtoi(*raw, &v)) {
      errors_.push_back(absl::StrCat(name, ": not an integer: \"", *raw, "\""));
      return default_value;
    }
  }
  if (v < min || v > max) {
    errors_.push_back(
        absl::StrCat(name, ": ", v, " is outside [", min, ", ", max, "]"));
    return default_value;
  }
  Record(name, absl::StrCat(v), false);
  return v;
}

bool ConfigReader::Bool(const std::string& name, bool default_value) {
  std::optional<std::string> raw = Lookup(name);
  bool v = default_value;
  if (raw.has_value() && !absl::SimpleAtob(*raw, &v)) {
    errors_.push_back(absl::StrCat(name, ": not a boolean: \"", *raw, "\""));
    return default_value;
  }
  Record(name, v ? "true" : "false", false);
  return v;
}

absl::Duration ConfigReader::Duration(const std::string& name,
                                      absl::Duration default_value) {
  std::optional<std::string> raw = Lookup(name);
  absl::Duration v = default_value;
  if (raw.has_value() && !absl::ParseDuration(*raw, &v)) {
    errors_.push_back(absl::StrCat(
        name, ": not a duration (e.g. 30s, 15m, 720h): \"", *raw, "\""));
    return default_value;
  }
  if (v < absl::ZeroDuration()) {
    errors_.push_back(absl::StrCat(name, ": must not be negative"));
    return default_value;
  }
  Record(name, absl::FormatDuration(v), false);
  return v;
}

absl::Status ConfigReader::Finish() const {
  std::vector<std::string> problems = errors_;
  for (const auto& [flag, value] : flags_) {
    if (!used_.count(flag))
      problems.push_back(absl::StrCat("--", flag, ": unknown flag"));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
}

std::string ConfigReader::Describe() const {
  return absl::StrJoin(described_, " ");
}

}  // namespace crm

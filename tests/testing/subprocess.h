// A child process for end-to-end tests: started with extra environment
// variables, output appended to a log file, killed when the object dies.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace crm::testing {

class Subprocess {
 public:
  Subprocess(std::string binary, std::vector<std::string> args,
             std::map<std::string, std::string> env, std::string log_path);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool Start();
  // Sends `signal` and waits up to `timeout`; returns the exit status as
  // from waitpid, or -1 if it did not exit in time (then it is SIGKILLed).
  int Stop(int signal, absl::Duration timeout);
  bool Running();
  pid_t pid() const { return pid_; }
  std::string ReadLog() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::map<std::string, std::string> env_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

}  // namespace crm::testing

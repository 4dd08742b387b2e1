// crm-bench-report: turns the result records the benchmarks appended to a
// JSON-lines file (CRM_BENCH_OUT) into build/bench/results.md and
// results.json, with the machine and the MariaDB settings of the run.
// Called by `deploy/crmctl bench`; see tests/testing/bench_report.h.
//
//   crm-bench-report --in=FILE --out-dir=DIR [--started-at=..]
//     [--elapsed-s=..] [--flush-log=..] [--mariadb-version=..]
//     [--buffer-pool=..] [--filter=..] [--commit=..] [--load-avg=..]
//     [--failed=a,b]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/testing/bench_report.h"

namespace bench = crm::testing::bench;

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "usage: %s --in=FILE --out-dir=DIR [...]\n",
                   argv[0]);
      return 2;
    }
    args[a.substr(2, eq - 2)] = a.substr(eq + 1);
  }
  if (args["in"].empty() || args["out-dir"].empty()) {
    std::fprintf(stderr, "--in and --out-dir are required\n");
    return 2;
  }
  std::vector<nlohmann::json> records;
  std::ifstream in(args["in"]);
  std::string line;
  int bad = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      ++bad;
      continue;
    }
    records.push_back(std::move(j));
  }
  bench::RunInfo run;
  run.started_at = args["started-at"];
  run.elapsed_s = std::atof(args["elapsed-s"].c_str());
  run.flush_log = args["flush-log"].empty() ? "?" : args["flush-log"];
  run.mariadb_version = args["mariadb-version"];
  run.buffer_pool = args["buffer-pool"];
  run.filter = args["filter"];
  run.git_commit = args["commit"];
  for (auto f : absl::StrSplit(args["failed"], ',', absl::SkipEmpty()))
    run.failed.emplace_back(f);
  nlohmann::json report = bench::ReportJson(records, run, bench::ThisMachine());
  report["load_avg_at_start"] = args["load-avg"];
  std::string markdown = bench::ReportMarkdown(report);
  if (!args["load-avg"].empty()) {
    // After the machine line: other work on a shared machine moves figures.
    const size_t at = markdown.find("\n- MariaDB");
    if (at != std::string::npos)
      markdown.insert(at, absl::StrCat("\n- Load average when the run began: ",
                                       args["load-avg"],
                                       " (other work on the machine moves "
                                       "the figures; ratios less so)"));
  }
  const std::string dir = args["out-dir"];
  std::ofstream json(dir + "/results.json");
  json << report.dump(2) << "\n";
  std::ofstream md(dir + "/results.md");
  md << markdown;
  if (!json || !md) {
    std::fprintf(stderr, "could not write the report into %s\n", dir.c_str());
    return 1;
  }
  std::printf("%s", markdown.c_str());
  if (bad > 0) std::fprintf(stderr, "%d unreadable record lines\n", bad);
  return 0;
}

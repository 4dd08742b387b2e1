// Hostile text for create calls (tests/integration/hostile_*_test.cc): every
// string field of a create request, one at a time, gets SQL metacharacters,
// emoji, right-to-left scripts, NUL, 4-byte UTF-8, bidi overrides and very
// long values. Each call must either succeed and read back exactly what was
// sent, or fail with a clean INVALID_ARGUMENT naming the field; and the row
// count of the resource's table must move by exactly one or not at all.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/test_db.h"

namespace crm::testing {

struct HostileValue {
  std::string label;  // for failure messages ("sql", "emoji", ...)
  std::string text;
};

// The hostile values every text field is tried with.
std::vector<HostileValue> HostileTexts();

struct CreateCase {
  // A valid request, different for every `n` (unique names, phones ...).
  std::function<std::unique_ptr<google::protobuf::Message>(int n)> draft;
  // Sends the request; on success sets *id to the new record's id.
  std::function<grpc::Status(const google::protobuf::Message& request,
                             int64_t* id)>
      create;
  // Reads the record back (as the creator).
  std::function<grpc::Status(int64_t id, google::protobuf::Message* out)> get;
  // An empty message of the type `get` fills.
  std::function<std::unique_ptr<google::protobuf::Message>()> new_resource;
  // Rows of the resource's table (to prove a rejected call left no trace).
  std::function<int64_t()> count;
  // Request field paths not to touch ("lead.phone"), e.g. keys the draft
  // needs unique; every other string field is tried.
  std::set<std::string> skip;
};

struct HostileReport {
  int calls = 0;
  int accepted = 0;
  int rejected = 0;
  std::vector<std::string> fields;  // the field paths tried
};

// Runs every string field (of the request and of its singular message
// fields, one level down; repeated string fields get one element) with
// every HostileTexts() value. Failures are reported with gtest EXPECTs.
// An accepted value must read back exactly in the resource's field of the
// same name, unless a plain probe value ("probe" + n) does not read back
// either (a field the create call ignores or normalizes).
HostileReport RunHostileCreates(const CreateCase& c);

// SELECT COUNT(*) of `table` in `schema` (-1 with a failure on error).
int64_t CountRows(TestSchema& schema, const std::string& table);

}  // namespace crm::testing

#include "tests/testing/hostile_input.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace crm::testing {

namespace pb = google::protobuf;

std::vector<HostileValue> HostileTexts() {
  std::string very_long;
  for (int i = 0; i < 5000; ++i) very_long += "长";  // 15,000 bytes
  return {
      {"sql-quote", "Robert'); DROP TABLE users;--"},
      {"sql-meta", "x\\' OR 1=1 -- %_\\\\ \" ` ;"},
      {"emoji", "😀🚀 👨‍👩‍👧 Co"},
      {"rtl", "שלום مرحبا"},
      {"4-byte", "𠀀𪚥𝄞 公司"},
      {"nul", std::string("a\0b", 3)},
      {"bidi-override", "\u202Egnp.exe"},
      {"very-long", very_long},
      {"huge", std::string(70000, 'x')},
  };
}

namespace {

struct FieldRef {
  std::string path;
  const pb::FieldDescriptor* outer = nullptr;  // null for top-level fields
  const pb::FieldDescriptor* field = nullptr;
};

std::vector<FieldRef> StringFields(const pb::Descriptor* d,
                                   const std::set<std::string>& skip) {
  std::vector<FieldRef> out;
  auto add = [&](const pb::FieldDescriptor* outer,
                 const pb::FieldDescriptor* f) {
    if (f->type() != pb::FieldDescriptor::TYPE_STRING || f->is_map()) return;
    std::string path = outer == nullptr
                           ? f->name()
                           : absl::StrCat(outer->name(), ".", f->name());
    if (skip.count(path) > 0) return;
    out.push_back({path, outer, f});
  };
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE && !f->is_repeated() &&
        f->message_type()->full_name().rfind("google.protobuf.", 0) != 0) {
      for (int j = 0; j < f->message_type()->field_count(); ++j) {
        add(f, f->message_type()->field(j));
      }
    } else {
      add(nullptr, f);
    }
  }
  return out;
}

void SetField(pb::Message* m, const FieldRef& ref, const std::string& value) {
  pb::Message* target = m;
  if (ref.outer != nullptr) {
    target = m->GetReflection()->MutableMessage(m, ref.outer);
  }
  const pb::Reflection* r = target->GetReflection();
  if (ref.field->is_repeated()) {
    r->ClearField(target, ref.field);
    r->AddString(target, ref.field, value);
  } else {
    r->SetString(target, ref.field, value);
  }
}

// The resource's field named like the request field (for read-back), or
// null. Nested request fields ("lead.city") map to the resource's "city";
// a nested message of the resource ("amount.currency_code") too.
const pb::FieldDescriptor* ResourceField(const pb::Message& resource,
                                         const FieldRef& ref,
                                         const pb::Message** holder) {
  *holder = &resource;
  const pb::Descriptor* d = resource.GetDescriptor();
  if (ref.outer != nullptr &&
      ref.outer->message_type() != resource.GetDescriptor()) {
    const pb::FieldDescriptor* sub = d->FindFieldByName(ref.outer->name());
    if (sub == nullptr || sub->type() != pb::FieldDescriptor::TYPE_MESSAGE ||
        sub->is_repeated()) {
      return nullptr;
    }
    *holder = &resource.GetReflection()->GetMessage(resource, sub);
    d = sub->message_type();
  }
  const pb::FieldDescriptor* f = d->FindFieldByName(ref.field->name());
  if (f == nullptr || f->type() != pb::FieldDescriptor::TYPE_STRING ||
      f->is_repeated() != ref.field->is_repeated()) {
    return nullptr;
  }
  return f;
}

std::string ReadBack(const pb::Message& holder, const pb::FieldDescriptor* f) {
  const pb::Reflection* r = holder.GetReflection();
  if (f->is_repeated()) {
    return r->FieldSize(holder, f) == 1 ? r->GetRepeatedString(holder, f, 0)
                                        : std::string("<not one element>");
  }
  return r->GetString(holder, f);
}

std::string Show(const std::string& s) {
  if (s.size() <= 60) return s;
  return absl::StrCat(s.substr(0, 40), "...(", s.size(), " bytes)");
}

}  // namespace

HostileReport RunHostileCreates(const CreateCase& c) {
  HostileReport report;
  int n = 0;
  std::unique_ptr<pb::Message> first = c.draft(n);
  for (const FieldRef& ref : StringFields(first->GetDescriptor(), c.skip)) {
    report.fields.push_back(ref.path);
    // Does a plain value read back? (Otherwise the field is ignored or
    // normalized by create, and only a clean outcome is required.)
    bool round_trips = false;
    {
      std::unique_ptr<pb::Message> req = c.draft(++n);
      const std::string probe = absl::StrCat("probe", n);
      SetField(req.get(), ref, probe);
      int64_t id = 0;
      if (c.create(*req, &id).ok()) {
        std::unique_ptr<pb::Message> got = c.new_resource();
        const pb::Message* holder = nullptr;
        if (c.get(id, got.get()).ok()) {
          const pb::FieldDescriptor* f = ResourceField(*got, ref, &holder);
          round_trips = f != nullptr && ReadBack(*holder, f) == probe;
        }
      }
    }
    for (const HostileValue& v : HostileTexts()) {
      std::unique_ptr<pb::Message> req = c.draft(++n);
      SetField(req.get(), ref, v.text);
      const int64_t before = c.count();
      int64_t id = 0;
      const grpc::Status s = c.create(*req, &id);
      const int64_t after = c.count();
      ++report.calls;
      const std::string where =
          absl::StrCat(ref.path, " = ", v.label, " \"", Show(v.text), "\"");
      if (s.ok()) {
        ++report.accepted;
        EXPECT_EQ(after, before + 1) << where;
        std::unique_ptr<pb::Message> got = c.new_resource();
        const grpc::Status g = c.get(id, got.get());
        EXPECT_TRUE(g.ok()) << where << ": " << g.error_message();
        if (!g.ok()) continue;
        const pb::Message* holder = nullptr;
        const pb::FieldDescriptor* f = ResourceField(*got, ref, &holder);
        if (round_trips && f != nullptr) {
          EXPECT_EQ(ReadBack(*holder, f), v.text)
              << where << " was accepted but reads back differently";
        }
      } else {
        ++report.rejected;
        EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << where << ": " << s.error_code() << " " << s.error_message();
        EXPECT_EQ(after, before) << where << " left a row behind";
        // The message names a field and leaks no SQL or server detail.
        for (const char* leak : {"SQLSTATE", "MariaDB", "MySQL", "syntax"}) {
          EXPECT_EQ(s.error_message().find(leak), std::string::npos)
              << where << ": " << s.error_message();
        }
        EXPECT_NE(s.error_message().find(':'), std::string::npos)
            << where << ": " << s.error_message();
      }
    }
  }
  return report;
}

int64_t CountRows(TestSchema& schema, const std::string& table) {
  auto conn = schema.Pool()->Borrow();
  EXPECT_TRUE(conn.ok()) << conn.status();
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(
      absl::StrCat("SELECT COUNT(*) AS c FROM ", table), {}, "count");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? row->Int("c") : -1;
}

}  // namespace crm::testing

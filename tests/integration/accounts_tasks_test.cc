// Task center against real MariaDB and Redis: CreateTask, DispatchTasks,
// ListMyTasks, CompleteTask, with their validation and permissions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "common/db/pool.h"
#include "common/validate/credit_code.h"
#include "services/identity/proto_convert.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using testing::AccountsHarness;
using ::testing::HasSubstr;

std::string CreditCode(int n) { return testing::CreditCode(n, "91320000MA1"); }

class TasksTest : public ::testing::Test {
 protected:
  int64_t NewAccount(const std::string& token, int n,
                     const std::string& region = "east") {
    return h_.CreateAccountOk(
        token, testing::CompanyDraft(absl::StrCat("任务测试客户", n, "号"),
                                     CreditCode(n), region));
  }

  google::protobuf::Timestamp In(absl::Duration d) {
    google::protobuf::Timestamp t;
    identity::ToTimestamp(h_.clock().Now() + d, &t);
    return t;
  }

  grpc::Status CreateTask(const std::string& token, pb::Task task,
                          pb::Task* out, const std::string& request_id = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateTaskRequest req;
    *req.mutable_task() = std::move(task);
    req.set_request_id(request_id);
    return h_.stub().CreateTask(&ctx, req, out);
  }

  pb::Task Draft(const std::string& title, absl::Duration due_in,
                 int64_t assignee = 0, int64_t account = 0) {
    pb::Task t;
    t.set_title(title);
    *t.mutable_due_time() = In(due_in);
    t.set_assignee_id(assignee);
    t.set_account_id(account);
    return t;
  }

  grpc::Status List(const std::string& token, pb::ListTasksResponse* out,
                    bool include_done = false, int page_size = 0,
                    const std::string& page_token = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListMyTasksRequest req;
    req.set_include_done(include_done);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    return h_.stub().ListMyTasks(&ctx, req, out);
  }

  grpc::Status Complete(const std::string& token, int64_t id,
                        pb::Task* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CompleteTaskRequest req;
    req.set_id(id);
    pb::Task ignored;
    return h_.stub().CompleteTask(&ctx, req, out ? out : &ignored);
  }

  grpc::Status Dispatch(const std::string& token,
                        const std::vector<int64_t>& accounts,
                        const std::vector<int64_t>& assignees,
                        pb::DispatchTasksResponse* out,
                        const std::string& request_id = "",
                        const std::string& title = "本周回访") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::DispatchTasksRequest req;
    for (int64_t id : accounts) req.add_account_ids(id);
    for (int64_t id : assignees) req.add_assignee_ids(id);
    req.set_title(title);
    *req.mutable_due_time() = In(absl::Hours(72));
    req.set_request_id(request_id);
    return h_.stub().DispatchTasks(&ctx, req, out);
  }

  AccountsHarness h_;
};

TEST_F(TasksTest, CreateForMyselfWithValidation) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t account = NewAccount(rep.token, 1);
  pb::Task t;
  grpc::Status s =
      CreateTask(rep.token, Draft("回访客户", absl::Hours(24), 0, account), &t);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(t.id(), 0);
  EXPECT_EQ(t.assignee_id(), rep.user_id);
  EXPECT_EQ(t.account_id(), account);
  EXPECT_EQ(t.kind(), "manual");
  EXPECT_EQ(t.status(), pb::TASK_STATUS_OPEN);
  EXPECT_FALSE(t.overdue());

  struct Bad {
    pb::Task task;
    std::string field;
  };
  pb::Task no_due = Draft("x", absl::Hours(1));
  no_due.clear_due_time();
  pb::Task bad_kind = Draft("x", absl::Hours(1));
  bad_kind.set_kind("churn_risk");
  std::string long_title;
  for (int i = 0; i < 201; ++i) long_title += "长";
  for (const Bad& b : std::vector<Bad>{
           {Draft("", absl::Hours(1)), "task.title"},
           {Draft("   ", absl::Hours(1)), "task.title"},
           {Draft(long_title, absl::Hours(1)), "task.title"},
           {no_due, "task.due_time"},
           {bad_kind, "task.kind"},
           {Draft("x", absl::Hours(1), -3), "task.assignee_id"},
           {Draft("x", absl::Hours(1), 0, -1), "account_id"},
       }) {
    s = CreateTask(rep.token, b.task, &t);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.field;
    EXPECT_THAT(s.error_message(), HasSubstr(b.field));
  }
  // Exactly 200 characters is fine.
  ASSERT_TRUE(CreateTask(rep.token,
                         Draft(long_title.substr(0, 600), absl::Hours(1)), &t)
                  .ok());
  s = CreateTask(rep.token, Draft("x", absl::Hours(1)), &t,
                 std::string(65, 'r'));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));

  // An account the rep cannot see is NOT_FOUND.
  auto north = h_.User("rep.n", "n1", "sales_rep");
  const int64_t hidden = NewAccount(north.token, 2, "north");
  s = CreateTask(rep.token, Draft("x", absl::Hours(1), 0, hidden), &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TasksTest, RequestIdMakesCreateIdempotent) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  pb::Task first, second;
  ASSERT_TRUE(
      CreateTask(rep.token, Draft("打电话", absl::Hours(5)), &first, "req-1")
          .ok());
  ASSERT_TRUE(
      CreateTask(rep.token, Draft("打电话", absl::Hours(5)), &second, "req-1")
          .ok());
  EXPECT_EQ(first.id(), second.id());
  // The same request id from another user is another task.
  auto other = h_.User("rep.b", "e1", "sales_rep");
  pb::Task theirs;
  ASSERT_TRUE(
      CreateTask(other.token, Draft("打电话", absl::Hours(5)), &theirs, "req-1")
          .ok());
  EXPECT_NE(theirs.id(), first.id());
  pb::ListTasksResponse list;
  ASSERT_TRUE(List(rep.token, &list).ok());
  EXPECT_EQ(list.tasks_size(), 1);
}

TEST_F(TasksTest, OnlyManagersAssignToOthersWithinScope) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto peer = h_.User("rep.b", "e1", "sales_rep");
  auto lead = h_.User("lead.e1", "e1", "sales_manager");
  auto north = h_.User("rep.n", "n1", "sales_rep");
  pb::Task t;
  grpc::Status s = CreateTask(
      rep.token, Draft("帮我跟进", absl::Hours(2), peer.user_id), &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = CreateTask(lead.token, Draft("跟进一下", absl::Hours(2), rep.user_id),
                 &t);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(t.assignee_id(), rep.user_id);
  s = CreateTask(lead.token, Draft("越权", absl::Hours(2), north.user_id), &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = CreateTask(lead.token, Draft("不存在", absl::Hours(2), 987654), &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TasksTest, ListOpenFirstByDueWithOverdueAndPaging) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  std::map<std::string, int64_t> ids;
  for (auto [title, hours] : std::vector<std::pair<std::string, int>>{
           {"d", 40}, {"a", 1}, {"c", 30}, {"b", 20}, {"e", 50}}) {
    pb::Task t;
    ASSERT_TRUE(
        CreateTask(rep.token, Draft(title, absl::Hours(hours)), &t).ok());
    ids[title] = t.id();
  }
  ASSERT_TRUE(Complete(rep.token, ids["b"]).ok());
  h_.clock().Advance(absl::Hours(2));  // "a" is overdue now
  rep = h_.User("rep.a", "e1", "sales_rep");

  pb::ListTasksResponse page;
  ASSERT_TRUE(List(rep.token, &page).ok());
  std::vector<std::string> titles;
  for (const pb::Task& t : page.tasks()) titles.push_back(t.title());
  EXPECT_EQ(titles, (std::vector<std::string>{"a", "c", "d", "e"}));
  EXPECT_TRUE(page.tasks(0).overdue());
  EXPECT_FALSE(page.tasks(1).overdue());

  // With done ones, in pages of two: open first, then done.
  titles.clear();
  std::string token;
  int pages = 0;
  do {
    pb::ListTasksResponse p;
    grpc::Status s = List(rep.token, &p, true, 2, token);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const pb::Task& t : p.tasks()) titles.push_back(t.title());
    token = p.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(titles, (std::vector<std::string>{"a", "c", "d", "e", "b"}));

  pb::ListTasksResponse bad;
  EXPECT_EQ(List(rep.token, &bad, false, -1).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(List(rep.token, &bad, false, 0, "garbage").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Another user's tasks are not listed.
  auto other = h_.User("rep.b", "e1", "sales_rep");
  ASSERT_TRUE(List(other.token, &bad).ok());
  EXPECT_EQ(bad.tasks_size(), 0);
}

TEST_F(TasksTest, CompleteOnlyByAssigneeIdempotentNotWhenCancelled) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto lead = h_.User("lead.e1", "e1", "sales_manager");
  auto other = h_.User("rep.x", "e2", "sales_rep");
  pb::Task t;
  ASSERT_TRUE(
      CreateTask(lead.token, Draft("拜访", absl::Hours(3), rep.user_id), &t)
          .ok());
  EXPECT_EQ(Complete(lead.token, t.id()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Complete(other.token, t.id()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Complete(rep.token, 0).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Complete(rep.token, 99999).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::Task done, again;
  ASSERT_TRUE(Complete(rep.token, t.id(), &done).ok());
  EXPECT_EQ(done.status(), pb::TASK_STATUS_DONE);
  ASSERT_TRUE(Complete(rep.token, t.id(), &again).ok());
  EXPECT_EQ(again.status(), pb::TASK_STATUS_DONE);

  pb::Task cancelled;
  ASSERT_TRUE(
      CreateTask(rep.token, Draft("取消的", absl::Hours(3)), &cancelled).ok());
  auto pool = h_.schema().Pool();
  auto conn = pool->Borrow();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(
      (*conn)
          ->Exec("UPDATE tasks SET status = 3 WHERE id = ?", {cancelled.id()})
          .ok());
  grpc::Status s = Complete(rep.token, cancelled.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("cancelled"));
}

TEST_F(TasksTest, DispatchSplitsEvenlyInDocumentedOrder) {
  auto lead = h_.User("lead.east", "east", "sales_manager");
  auto r1 = h_.User("rep.1", "e1", "sales_rep");
  auto r2 = h_.User("rep.2", "e2", "sales_rep");
  auto r3 = h_.User("rep.3", "e1", "sales_rep");
  std::vector<int64_t> accounts;
  for (int i = 0; i < 10; ++i)
    accounts.push_back(NewAccount(lead.token, 100 + i));
  std::vector<int64_t> shuffled(accounts.rbegin(), accounts.rend());
  pb::DispatchTasksResponse out;
  grpc::Status s = Dispatch(lead.token, shuffled,
                            {r2.user_id, r1.user_id, r3.user_id}, &out, "d-1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.tasks_size(), 10);
  std::map<int64_t, std::vector<int64_t>> by;
  for (const pb::Task& t : out.tasks()) {
    EXPECT_EQ(t.kind(), "dispatch");
    EXPECT_EQ(t.title(), "本周回访");
    by[t.assignee_id()].push_back(t.account_id());
  }
  // 10 over 3 -> 4, 3, 3; the first named assignee gets the smallest ids.
  EXPECT_EQ(by[r2.user_id], (std::vector<int64_t>{accounts[0], accounts[1],
                                                  accounts[2], accounts[3]}));
  EXPECT_EQ(by[r1.user_id],
            (std::vector<int64_t>{accounts[4], accounts[5], accounts[6]}));
  EXPECT_EQ(by[r3.user_id],
            (std::vector<int64_t>{accounts[7], accounts[8], accounts[9]}));

  // A retry returns the same tasks and creates nothing new.
  pb::DispatchTasksResponse retry;
  ASSERT_TRUE(Dispatch(lead.token, accounts,
                       {r2.user_id, r1.user_id, r3.user_id}, &retry, "d-1")
                  .ok());
  ASSERT_EQ(retry.tasks_size(), 10);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(retry.tasks(i).id(), out.tasks(i).id());
  r1 = h_.User("rep.1", "e1", "sales_rep");
  pb::ListTasksResponse mine;
  ASSERT_TRUE(List(r1.token, &mine).ok());
  EXPECT_EQ(mine.tasks_size(), 3);
}

TEST_F(TasksTest, DispatchPermissionsAndAllOrNothing) {
  auto lead = h_.User("lead.e1", "e1", "sales_manager");
  auto rep = h_.User("rep.1", "e1", "sales_rep");
  auto north = h_.User("rep.n", "n1", "sales_rep");
  const int64_t mine = NewAccount(lead.token, 200);
  const int64_t theirs = NewAccount(north.token, 201, "north");
  pb::DispatchTasksResponse out;
  EXPECT_EQ(Dispatch(rep.token, {mine}, {rep.user_id}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = Dispatch(lead.token, {mine, theirs}, {rep.user_id}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat(theirs)));
  s = Dispatch(lead.token, {mine}, {north.user_id}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("assignee_ids"));
  EXPECT_EQ(Dispatch(lead.token, {}, {rep.user_id}, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Dispatch(lead.token, {mine, mine}, {rep.user_id}, &out).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Dispatch(lead.token, {mine}, {}, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Dispatch(lead.token, {mine}, {rep.user_id}, &out, "", "").error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // Nothing was created by the failed attempts.
  rep = h_.User("rep.1", "e1", "sales_rep");
  pb::ListTasksResponse list;
  ASSERT_TRUE(List(rep.token, &list).ok());
  EXPECT_EQ(list.tasks_size(), 0);
}

}  // namespace
}  // namespace crm::accounts

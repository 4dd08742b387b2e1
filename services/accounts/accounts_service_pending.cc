// Handlers not built yet: each answers UNIMPLEMENTED until its feature file
// (see accounts_service.h) replaces it. Remove a group here when you add it.
#include "services/accounts/accounts_service.h"

namespace crm::accounts {
namespace {
grpc::Status NotYet(const char* what) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      std::string(what) + " is not built yet");
}
}  // namespace

// ---- group: contacts, follow-ups, visits, nearby
grpc::Status AccountsServiceImpl::AddContact(grpc::ServerContext*,
                                             const pb::AddContactRequest*,
                                             pb::Contact*) {
  return NotYet("AddContact");
}
grpc::Status AccountsServiceImpl::UpdateContact(grpc::ServerContext*,
                                                const pb::UpdateContactRequest*,
                                                pb::Contact*) {
  return NotYet("UpdateContact");
}
grpc::Status AccountsServiceImpl::DeleteContact(grpc::ServerContext*,
                                                const pb::DeleteContactRequest*,
                                                pb::DeleteContactResponse*) {
  return NotYet("DeleteContact");
}
grpc::Status AccountsServiceImpl::ListContacts(grpc::ServerContext*,
                                               const pb::ListContactsRequest*,
                                               pb::ListContactsResponse*) {
  return NotYet("ListContacts");
}
grpc::Status AccountsServiceImpl::AddFollowUp(grpc::ServerContext*,
                                              const pb::AddFollowUpRequest*,
                                              pb::FollowUp*) {
  return NotYet("AddFollowUp");
}
grpc::Status AccountsServiceImpl::ListFollowUps(grpc::ServerContext*,
                                                const pb::ListFollowUpsRequest*,
                                                pb::ListFollowUpsResponse*) {
  return NotYet("ListFollowUps");
}
grpc::Status AccountsServiceImpl::CheckInVisit(grpc::ServerContext*,
                                               const pb::CheckInVisitRequest*,
                                               pb::Visit*) {
  return NotYet("CheckInVisit");
}
grpc::Status AccountsServiceImpl::ListNearbyAccounts(
    grpc::ServerContext*, const pb::ListNearbyAccountsRequest*,
    pb::ListNearbyAccountsResponse*) {
  return NotYet("ListNearbyAccounts");
}
// ---- end group

// ---- group: tasks, recycling, anomalies
grpc::Status AccountsServiceImpl::CreateTask(grpc::ServerContext*,
                                             const pb::CreateTaskRequest*,
                                             pb::Task*) {
  return NotYet("CreateTask");
}
grpc::Status AccountsServiceImpl::DispatchTasks(grpc::ServerContext*,
                                                const pb::DispatchTasksRequest*,
                                                pb::DispatchTasksResponse*) {
  return NotYet("DispatchTasks");
}
grpc::Status AccountsServiceImpl::ListMyTasks(grpc::ServerContext*,
                                              const pb::ListMyTasksRequest*,
                                              pb::ListTasksResponse*) {
  return NotYet("ListMyTasks");
}
grpc::Status AccountsServiceImpl::CompleteTask(grpc::ServerContext*,
                                               const pb::CompleteTaskRequest*,
                                               pb::Task*) {
  return NotYet("CompleteTask");
}
grpc::Status AccountsServiceImpl::RunRecycle(grpc::ServerContext*,
                                             const pb::RunRecycleRequest*,
                                             pb::RunRecycleResponse*) {
  return NotYet("RunRecycle");
}
grpc::Status AccountsServiceImpl::ListPoolAnomalies(
    grpc::ServerContext*, const pb::ListPoolAnomaliesRequest*,
    pb::ListPoolAnomaliesResponse*) {
  return NotYet("ListPoolAnomalies");
}
// ---- end group

// ---- group: import
grpc::Status AccountsServiceImpl::ImportAccounts(
    grpc::ServerContext*, grpc::ServerReader<pb::ImportAccountsRequest>*,
    pb::ImportAccountsResponse*) {
  return NotYet("ImportAccounts");
}
// ---- end group

}  // namespace crm::accounts

// GrpcBridge calls for packages several backends serve (ADR 0090): route by
// the request's entity_type, or fan ListAudit by actor out to every audit
// backend and merge the replies newest first with one composite keyset
// cursor.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crm/audit/v1/audit.pb.h"
#include "services/gateway/grpc_bridge.h"
#include "services/gateway/shared_routes.h"

namespace crm::gateway {

namespace pb = google::protobuf;
namespace auditpb = crm::audit::v1;

namespace {

constexpr int kDefaultAuditPage = 50;
constexpr int kMaxAuditPage = 200;

BridgeReply FromStatus(const grpc::Status& s) {
  return ErrorReply(s.error_code(), s.error_message());
}

// a is newer than b (time, then the backend order breaks ties).
bool Newer(const auditpb::AuditEntry& a, size_t a_backend,
           const auditpb::AuditEntry& b, size_t b_backend) {
  if (a.at().seconds() != b.at().seconds())
    return a.at().seconds() > b.at().seconds();
  if (a.at().nanos() != b.at().nanos()) return a.at().nanos() > b.at().nanos();
  return a_backend < b_backend;
}

// One backend's list, read lazily page by page.
struct Stream {
  std::string backend;
  std::string page_token;  // the token the current page was read with
  std::vector<auditpb::AuditEntry> entries;
  size_t next = 0;  // index of the next unconsumed entry
  std::string next_page_token;
  bool done = false;
};

}  // namespace

BridgeReply GrpcBridge::CallShared(const pb::MethodDescriptor* method,
                                   const pb::Message& request,
                                   const CallOptions& options) const {
  const std::string package = method->service()->file()->package();
  std::optional<EntityTypeField> field = FindEntityType(request);
  if (!field) {
    return ErrorReply(
        grpc::StatusCode::UNIMPLEMENTED,
        absl::StrCat(method->full_name(),
                     " has no entity_type, so the gateway cannot pick the "
                     "service that owns it; call it over gRPC"));
  }
  if (field->value.empty()) {
    if (package == kAuditPackage && method->name() == "ListAudit")
      return ListAuditFanOut(method, request, options);
    return ErrorReply(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat(field->path,
                     ": required (the gateway routes by it); one of ",
                     KnownEntityTypes()));
  }
  std::optional<std::string> backend = BackendForEntityType(field->value);
  if (!backend) {
    return ErrorReply(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat(field->path, ": unknown entity type \"",
                                   field->value.substr(0, 64), "\"; one of ",
                                   KnownEntityTypes()));
  }
  std::unique_ptr<pb::Message> response = NewMessage(method->output_type());
  if (response == nullptr) {
    return ErrorReply(grpc::StatusCode::NOT_FOUND,
                      absl::StrCat(method->output_type()->full_name(),
                                   " is not linked into the gateway"));
  }
  grpc::Status s =
      CallBackend(method, request, *backend, options, response.get());
  if (!s.ok()) return FromStatus(s);
  return RenderReply(*response);
}

BridgeReply GrpcBridge::ListAuditFanOut(const pb::MethodDescriptor* method,
                                        const pb::Message& request,
                                        const CallOptions& options) const {
  auditpb::ListAuditRequest base;
  base.ParseFromString(request.SerializeAsString());
  if (base.page_size() < 0) {
    return ErrorReply(grpc::StatusCode::INVALID_ARGUMENT,
                      "page_size: must not be negative");
  }
  const int page_size = base.page_size() == 0
                            ? kDefaultAuditPage
                            : std::min(base.page_size(), kMaxAuditPage);
  std::vector<std::string> backends;
  for (const std::string& b : AuditBackends()) {
    if (channels_.count(b) != 0) backends.push_back(b);
  }
  if (backends.empty()) {
    return ErrorReply(grpc::StatusCode::UNAVAILABLE,
                      "no audit backend address configured");
  }

  AuditCursor cursor;
  if (base.page_token().empty()) {
    cursor.actor_id = base.actor_id();
    cursor.page_size = page_size;
    for (const std::string& b : backends) cursor.streams.push_back({b});
  } else {
    absl::StatusOr<AuditCursor> decoded =
        DecodeAuditCursor(base.page_token(), base.actor_id(), backends);
    if (!decoded.ok()) {
      return ErrorReply(grpc::StatusCode::INVALID_ARGUMENT,
                        std::string(decoded.status().message()));
    }
    cursor = *std::move(decoded);
  }

  // Reads one page of a backend's own list.
  auto fetch = [&](Stream& s, const std::string& token) -> grpc::Status {
    auditpb::ListAuditRequest req = base;
    req.set_page_size(cursor.page_size);
    req.set_page_token(token);
    auditpb::ListAuditResponse resp;
    grpc::Status st = CallBackend(method, req, s.backend, options, &resp);
    if (!st.ok()) {
      if (st.error_code() == grpc::StatusCode::UNAVAILABLE) {
        return grpc::Status(
            st.error_code(),
            absl::StrCat(s.backend, " audit log: ", st.error_message()));
      }
      return st;
    }
    s.page_token = token;
    s.entries.assign(resp.entries().begin(), resp.entries().end());
    s.next = 0;
    s.next_page_token = resp.next_page_token();
    return grpc::Status::OK;
  };

  std::vector<Stream> streams;
  for (const AuditStreamCursor& c : cursor.streams) {
    Stream s;
    s.backend = c.backend;
    s.done = c.done;
    if (!s.done) {
      grpc::Status st = fetch(s, c.token);
      if (!st.ok()) return FromStatus(st);
      s.next = std::min(static_cast<size_t>(c.skip), s.entries.size());
    }
    streams.push_back(std::move(s));
  }
  // The stream's next entry, reading its following page when the current
  // one is used up; nullptr when the backend has no more.
  auto head = [&](Stream& s, grpc::Status* st) -> const auditpb::AuditEntry* {
    while (!s.done && s.next == s.entries.size()) {
      if (s.next_page_token.empty()) {
        s.done = true;
        break;
      }
      *st = fetch(s, s.next_page_token);
      if (!st->ok()) return nullptr;
    }
    return s.done ? nullptr : &s.entries[s.next];
  };

  auditpb::ListAuditResponse merged;
  while (merged.entries_size() < page_size) {
    int best = -1;
    const auditpb::AuditEntry* best_entry = nullptr;
    for (size_t i = 0; i < streams.size(); ++i) {
      grpc::Status st;
      const auditpb::AuditEntry* e = head(streams[i], &st);
      if (!st.ok()) return FromStatus(st);
      if (e == nullptr) continue;
      if (best_entry == nullptr ||
          Newer(*e, i, *best_entry, static_cast<size_t>(best))) {
        best = static_cast<int>(i);
        best_entry = e;
      }
    }
    if (best_entry == nullptr) break;
    *merged.add_entries() = *best_entry;
    ++streams[best].next;
  }

  AuditCursor out;
  out.actor_id = base.actor_id();
  out.page_size = cursor.page_size;
  bool more = false;
  for (const Stream& s : streams) {
    AuditStreamCursor c{s.backend};
    if (s.done) {
      c.done = true;
    } else if (s.next == s.entries.size()) {
      // Used up this page: resume at the next one (or nothing is left).
      c.token = s.next_page_token;
      c.done = s.next_page_token.empty();
    } else {
      c.token = s.page_token;
      c.skip = static_cast<int>(s.next);
    }
    more = more || !c.done;
    out.streams.push_back(std::move(c));
  }
  if (more) merged.set_next_page_token(EncodeAuditCursor(out));
  return RenderReply(merged);
}

}  // namespace crm::gateway

// Contacts of an account (1..n, exactly one primary while there are any).
//
// Who may do what:
//   * read (ListContacts): whoever can see the account (Visible);
//   * change (Add/Update/DeleteContact): a privately owned account's owner
//     side, i.e. whoever its data scope lets see it (the owner, managers
//     above the owner, admins); an account in a public pool only managers
//     and admins who can see it (PERMISSION_DENIED for reps, who may read);
//   * a contact of an account the caller cannot see is NOT_FOUND.
//
// Primary contact: the first contact of an account becomes primary;
// primary=true on add or update makes a contact primary and demotes the
// old one in the same transaction; un-marking the primary is refused (make
// another contact primary instead). Deleting the primary auto-promotes the
// oldest remaining contact, so a delete never needs a second round trip
// and the account never has contacts without a primary. Deleting the last
// contact is allowed: accounts are created without contacts, so "no
// contacts" is a state the account can be in anyway, and keeping a person
// who left the company as a contact would be worse.
#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/customfields/entity_fields.h"
#include "common/status/status.h"
#include "common/validate/email.h"
#include "common/validate/phone.h"
#include "common/validate/request_id.h"
#include "common/validate/text.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/store/contact_store.h"
#include "services/identity/proto_convert.h"

namespace crm::accounts {
namespace {

constexpr size_t kMaxNameChars = 100;

// The caller may change this account's contacts (see the file comment).
absl::Status MayEditContacts(const auth::Principal& p, const AccountRecord& a,
                             bool visible) {
  if (!visible) return NotFoundAccount(a.id);
  if (!a.owner_id.has_value() && !IsManager(p)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "account ", a.id,
        " is in a public pool: only managers and admins may change its "
        "contacts"));
  }
  return absl::OkStatus();
}

// Validates and normalizes the editable fields in place.
absl::Status NormalizeContact(ContactRecord* c) {
  RETURN_IF_ERROR(
      validate::ValidateName(&c->name, "contact.name", kMaxNameChars));
  if (!c->title.empty()) {
    RETURN_IF_ERROR(
        validate::ValidateName(&c->title, "contact.title", kMaxNameChars));
  }
  if (!c->phone.empty()) {
    ASSIGN_OR_RETURN(c->phone,
                     validate::NormalizePhone(c->phone, "contact.phone"));
  }
  if (!c->email.empty()) {
    ASSIGN_OR_RETURN(c->email,
                     validate::NormalizeEmail(c->email, "contact.email"));
  }
  if (c->phone.empty() && c->email.empty()) {
    return InvalidField("contact.phone", "a contact needs a phone or an email");
  }
  return absl::OkStatus();
}

void ToProto(const ContactRecord& r, pb::Contact* out) {
  out->set_id(r.id);
  out->set_account_id(r.account_id);
  out->set_name(r.name);
  out->set_title(r.title);
  out->set_phone(r.phone);
  out->set_email(r.email);
  out->set_primary(r.primary);
  identity::ToTimestamp(r.created_at, out->mutable_create_time());
}

}  // namespace

grpc::Status AccountsServiceImpl::AddContact(grpc::ServerContext* ctx,
                                             const pb::AddContactRequest* req,
                                             pb::Contact* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    const pb::Contact& in = req->contact();
    if (in.account_id() <= 0)
      return InvalidField("contact.account_id",
                          "must be a positive account id");
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, in.account_id()));
    RETURN_IF_ERROR(MayEditContacts(p, a, true));
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("contact"));
    customfields::Values values(in.custom_fields().begin(),
                                in.custom_fields().end());
    RETURN_IF_ERROR(cf.CheckCreate(p, in, &values));
    ContactRecord c;
    c.account_id = a.id;
    c.name = in.name();
    c.title = in.title();
    c.phone = in.phone();
    c.email = in.email();
    c.primary = in.primary();
    RETURN_IF_ERROR(NormalizeContact(&c));
    ContactStore store(pool_, clock_);
    ASSIGN_OR_RETURN(
        ContactRecord added,
        store.Add(c, req->request_id(), [&](const AccountRecord& locked) {
          return MayEditContacts(p, locked, Visible(p, locked));
        }));
    ASSIGN_OR_RETURN(values, fields.store().PutValues("contact", added.id,
                                                      cf.defs(), values));
    ToProto(added, resp);
    cf.Present(p, values, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::UpdateContact(
    grpc::ServerContext* ctx, const pb::UpdateContactRequest* req,
    pb::Contact* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    const pb::Contact& in = req->contact();
    if (in.id() <= 0)
      return InvalidField("contact.id", "must be a positive contact id");
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    ContactStore store(pool_, clock_);
    auto current = store.Get(in.id());
    const absl::Status hidden =
        absl::NotFoundError(absl::StrCat("contact ", in.id(), " not found"));
    if (absl::IsNotFound(current.status())) return hidden;
    if (!current.ok()) return current.status();
    auto account = VisibleAccount(p, current->account_id);
    if (absl::IsNotFound(account.status())) return hidden;
    if (!account.ok()) return account.status();
    RETURN_IF_ERROR(MayEditContacts(p, *account, true));
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("contact"));
    customfields::Values cf_changes;
    std::vector<std::string> paths;
    RETURN_IF_ERROR(cf.CheckUpdate(
        p,
        {req->update_mask().paths().begin(), req->update_mask().paths().end()},
        {in.custom_fields().begin(), in.custom_fields().end()}, &cf_changes,
        &paths));
    ContactRecord next = *current;
    for (const std::string& path : paths) {
      if (path == "name")
        next.name = in.name();
      else if (path == "title")
        next.title = in.title();
      else if (path == "phone")
        next.phone = in.phone();
      else if (path == "email")
        next.email = in.email();
      else if (path == "primary")
        next.primary = in.primary();
      else
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
    }
    RETURN_IF_ERROR(NormalizeContact(&next));
    ASSIGN_OR_RETURN(ContactRecord updated,
                     store.Update(next, [&](const AccountRecord& locked) {
                       return MayEditContacts(p, locked, Visible(p, locked));
                     }));
    if (!cf_changes.empty()) {
      RETURN_IF_ERROR(
          fields.store()
              .PutValues("contact", updated.id, cf.defs(), cf_changes)
              .status());
    }
    ToProto(updated, resp);
    return fields.PresentMany(cf, p, {{updated.id, resp}});
  });
}

grpc::Status AccountsServiceImpl::DeleteContact(
    grpc::ServerContext* ctx, const pb::DeleteContactRequest* req,
    pb::DeleteContactResponse*) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (req->id() <= 0)
      return InvalidField("id", "must be a positive contact id");
    const absl::Status hidden =
        absl::NotFoundError(absl::StrCat("contact ", req->id(), " not found"));
    ContactStore store(pool_, clock_);
    auto deleted = store.Delete(req->id(), [&](const AccountRecord& locked) {
      absl::Status s = MayEditContacts(p, locked, Visible(p, locked));
      return absl::IsNotFound(s) ? hidden : s;
    });
    if (absl::IsNotFound(deleted.status())) return hidden;
    return deleted.status();
  });
}

grpc::Status AccountsServiceImpl::ListContacts(
    grpc::ServerContext* ctx, const pb::ListContactsRequest* req,
    pb::ListContactsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    ContactStore store(pool_, clock_);
    ASSIGN_OR_RETURN(std::vector<ContactRecord> contacts, store.List(a.id));
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("contact"));
    std::vector<std::pair<int64_t, google::protobuf::Message*>> items;
    for (const ContactRecord& c : contacts) {
      pb::Contact* out = resp->add_contacts();
      ToProto(c, out);
      items.push_back({c.id, out});
    }
    return fields.PresentMany(cf, p, items);
  });
}

}  // namespace crm::accounts

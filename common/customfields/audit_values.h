// Custom field values in the audit log (common/audit): the field-by-field
// diff of API messages cannot see them (the stores diff records that carry
// no custom fields, and values are written after the entity row), so the
// one place that writes values, CustomFieldStore::PutValuesOn, records their
// changes itself, for every entity type (ADR 0085). Pure.
#pragma once

#include <vector>

#include "common/audit/audit.h"
#include "common/customfields/definition.h"

namespace crm::customfields {

// The keys whose value differs between `before` and `after`, as audit field
// changes named "custom_fields.<key>" (old/new absent when the key has no
// value), in key order. Values of fields defined `sensitive` in `defs` are
// masked (validate::MaskValue), as field permissions show them.
std::vector<audit::FieldChange> ValueChanges(
    const std::vector<Definition>& defs, const Values& before,
    const Values& after);

}  // namespace crm::customfields

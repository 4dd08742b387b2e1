# Script mode: writes OUT, a .cc defining crm::db::Migration list FUNC from
# every *.sql in DIR. Run at build time by crm_embed_migrations().
file(GLOB files ${DIR}/*.sql)
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name ${f} NAME)
  string(REGEX MATCH "^[0-9]+" version ${name})
  file(READ ${f} sql)
  string(APPEND body "      {\"${version}\", \"${name}\", R\"crmsql(${sql})crmsql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from ${DIR}; do not edit.
#include \"common/db/migrations.h\"

namespace crm {
const std::vector<db::Migration>& ${FUNC}() {
  static const std::vector<db::Migration> migrations = {
${body}  };
  return migrations;
}
}  // namespace crm
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)

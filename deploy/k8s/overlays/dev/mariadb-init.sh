# Sourced by the MariaDB image's entrypoint on the first start (empty data
# dir): one schema crm_<svc> and one user crm_<svc> granted only that schema,
# with the passwords of the crm-db-<svc> Secrets (DB_PASSWORD_<SVC>).
for svc in identity leads accounts opportunities orders tickets; do
  var="DB_PASSWORD_$(printf '%s' "$svc" | tr '[:lower:]' '[:upper:]')"
  eval "pw=\${$var}"
  docker_process_sql <<SQL
CREATE DATABASE IF NOT EXISTS \`crm_${svc}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'crm_${svc}'@'%' IDENTIFIED BY '${pw}';
GRANT ALL PRIVILEGES ON \`crm_${svc}\`.* TO 'crm_${svc}'@'%';
SQL
done

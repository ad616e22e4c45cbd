#!/usr/bin/env bash
# Builds a real WordPress site (Debian's `wordpress` package, PHP CLI, no web
# server) at http://wp.example.test, fills it with Arabic and English news
# content, and exports it with WordPress's own exporter.
#
#   tests/wordpress/make-site.sh OUT_DIR
#
# OUT_DIR gets:
#   export-1.xml      WXR of the populated site (export_wp())
#   expected-1.json   what WordPress says about the site at that point
#   edit-summary.json what edit.php changed, by id
#   export-2.xml      WXR after the later edits
#   expected.json     what WordPress says about the final site
#   uploads/          a copy of wp-content/uploads (the image files)
#
# Re-runnable: drops and recreates its own database, user, config file and
# wp-content directory every time. Needs root (apt-get, /etc/wordpress) and a
# running MariaDB/MySQL that root can reach without a password.
#
# Environment overrides:
#   SAHIFA_WP_DB        database and user name        (default sahifa_wp)
#   SAHIFA_WP_DB_HOST   DB_HOST for WordPress          (default localhost: the socket)
#   SAHIFA_WP_MYSQL     admin client command           (default "mysql --user=root")
#   SAHIFA_WP_CONTENT   the site's WP_CONTENT_DIR      (default /var/lib/sahifa-wordpress/wp.example.test/wp-content)

set -euo pipefail

die() { echo "make-site.sh: ERROR: $*" >&2; exit 1; }
log() { echo "make-site.sh: $*" >&2; }

[[ $# -eq 1 && -n "$1" ]] || die "usage: $0 OUT_DIR"
[[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, writes /etc/wordpress)"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOST=wp.example.test
DB=${SAHIFA_WP_DB:-sahifa_wp}
DB_HOST=${SAHIFA_WP_DB_HOST:-localhost}
MYSQL=${SAHIFA_WP_MYSQL:-mysql --user=root}
CONTENT=${SAHIFA_WP_CONTENT:-/var/lib/sahifa-wordpress/$HOST/wp-content}
CONFIG=/etc/wordpress/config-$HOST.php
DB_PASSWORD=sahifa-wp-test-only      # a throwaway test site on localhost
ADMIN_PASSWORD=sahifa-admin-test-only

[[ $DB =~ ^[A-Za-z0-9_]{1,32}$ ]] || die "SAHIFA_WP_DB must be [A-Za-z0-9_]{1,32}, got '$DB'"
case $CONTENT in /|/usr*|/etc*|/var/lib/wordpress*|'') die "refusing SAHIFA_WP_CONTENT=$CONTENT" ;; esac

mkdir -p "$1" || die "cannot create $1"
OUT=$(cd "$1" && pwd)

START=$SECONDS
step_start=$SECONDS
step() { log "$1 ($((SECONDS - step_start))s)"; step_start=$SECONDS; }

# --- 1. Packages -------------------------------------------------------------
# `wordpress` depends on `apache2 | httpd`; apt pulls in apache2, which is not
# needed (and not started where policy-rc.d forbids it): only PHP CLI is used.
PACKAGES=(wordpress wordpress-l10n php-cli php-mysql php-xml php-gd php-mbstring)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v mysql >/dev/null || missing+=(default-mysql-client)
if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
fi
command -v php >/dev/null || die "php not found after installing php-cli"
[[ -f /usr/share/wordpress/wp-load.php ]] || die "/usr/share/wordpress/wp-load.php missing: is the wordpress package installed?"
[[ -f /usr/share/wordpress/wp-content/languages/ar.mo ]] || die "Arabic translation (wordpress-l10n) missing"
php -r 'exit(extension_loaded("mysqli") && extension_loaded("gd") && extension_loaded("dom") ? 0 : 1);' \
    || die "PHP lacks mysqli, gd or dom (php-mysql, php-gd, php-xml)"
WP_VERSION=$(php -r 'include "/usr/share/wordpress/wp-includes/version.php"; echo $wp_version;')
step "packages ready: WordPress $WP_VERSION, PHP $(php -r 'echo PHP_VERSION;')"

# --- 2. Database -------------------------------------------------------------
$MYSQL -e 'SELECT 1' >/dev/null 2>&1 \
    || die "cannot reach MariaDB/MySQL with '$MYSQL' (is the server running? set SAHIFA_WP_MYSQL)"
$MYSQL <<SQL || die "creating database $DB failed"
DROP DATABASE IF EXISTS \`$DB\`;
CREATE DATABASE \`$DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
CREATE USER IF NOT EXISTS '$DB'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$DB'@'localhost';
GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$DB'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
step "database $DB recreated"

# --- 3. Config and wp-content ------------------------------------------------
# Debian's /usr/share/wordpress/wp-config.php loads
# /etc/wordpress/config-<HTTP_HOST>.php; bootstrap.php sets HTTP_HOST.
rm -rf "$CONTENT"
mkdir -p "$CONTENT"/{uploads,plugins,themes}
# The Arabic translation comes from Debian's wordpress-l10n (ar.mo), so the
# site's language is a real "ar" (WordPress refuses WPLANG without it).
ln -s /usr/share/wordpress/wp-content/languages "$CONTENT/languages"
mkdir -p /etc/wordpress
salt() { php -r 'echo bin2hex(random_bytes(32));'; }
(
    umask 027
    cat >"$CONFIG.tmp" <<PHP
<?php
/* Written by tests/wordpress/make-site.sh (Sahifa): a throwaway test site. */
define('DB_NAME', '$DB');
define('DB_USER', '$DB');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', '$DB_HOST');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', 'http://$HOST');
define('WP_SITEURL', 'http://$HOST');
define('WP_CONTENT_DIR', '$CONTENT');
define('WP_CONTENT_URL', 'http://$HOST/wp-content');
define('AUTH_KEY', '$(salt)');
define('SECURE_AUTH_KEY', '$(salt)');
define('LOGGED_IN_KEY', '$(salt)');
define('NONCE_KEY', '$(salt)');
define('AUTH_SALT', '$(salt)');
define('SECURE_AUTH_SALT', '$(salt)');
define('LOGGED_IN_SALT', '$(salt)');
define('NONCE_SALT', '$(salt)');
/* Everything runs through PHP CLI: no cron spawning, no outgoing HTTP. */
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
define('FS_METHOD', 'direct');
\$table_prefix = 'wp_';
PHP
)
mv "$CONFIG.tmp" "$CONFIG"
chgrp www-data "$CONFIG" 2>/dev/null || true
step "wrote $CONFIG, wp-content at $CONTENT"

# --- 4. Install, populate, export, edit, export --------------------------------
wp() { php -d display_errors=stderr -d memory_limit=512M "$HERE/$1" "${@:2}" || die "$1 failed"; }

rm -rf "$OUT/uploads"
rm -f "$OUT"/export-1.xml "$OUT"/export-2.xml "$OUT"/expected-1.json "$OUT"/expected.json "$OUT"/edit-summary.json

wp install.php "$ADMIN_PASSWORD"
step "wp_install() done"
wp populate.php
step "populated"
wp export.php "$OUT/export-1.xml"
wp expected.php "$OUT/expected-1.json"
step "export-1.xml written"
wp edit.php "$OUT/edit-summary.json"
step "edited"
wp export.php "$OUT/export-2.xml"
wp expected.php "$OUT/expected.json"
step "export-2.xml and expected.json written"

cp -r "$CONTENT/uploads" "$OUT/uploads"
chown -R www-data:www-data "$CONTENT" 2>/dev/null || true

WXR=$(sed -n 's:.*<wp\:wxr_version>\(.*\)</wp\:wxr_version>.*:\1:p' "$OUT/export-1.xml")
log "done in $((SECONDS - START))s: WordPress $WP_VERSION, WXR $WXR, output in $OUT"
ls -l "$OUT" >&2

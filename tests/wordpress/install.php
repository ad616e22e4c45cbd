<?php
/**
 * Runs WordPress's own installer, wp_install(), on the empty database that
 * make-site.sh created. Usage: php install.php ADMIN_PASSWORD
 */

define( 'SAHIFA_WP_INSTALLING', true );
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$password = sahifa_arg( 'php install.php ADMIN_PASSWORD' );

if ( is_blog_installed() ) {
	throw new RuntimeException( 'WordPress is already installed in ' . DB_NAME . ': make-site.sh should have dropped it' );
}

// As wp-admin/install.php does when a language is picked: load the Arabic
// translation first, so the defaults wp_install() writes (the default
// category "غير مصنف", ...) are the Arabic ones.
if ( ! in_array( 'ar', get_available_languages(), true ) ) {
	throw new RuntimeException( 'Arabic translation not found in ' . WP_LANG_DIR . ' (apt-get install wordpress-l10n)' );
}
if ( ! load_default_textdomain( 'ar' ) ) {
	throw new RuntimeException( 'load_default_textdomain(ar) failed' );
}
$GLOBALS['wp_locale'] = new WP_Locale();

$result = wp_install( 'صحيفة الاختبار', 'admin', 'admin@wp.example.test', true, '', wp_slash( $password ), 'ar' );
if ( empty( $result['user_id'] ) ) {
	throw new RuntimeException( 'wp_install() made no admin user: ' . $GLOBALS['wpdb']->last_error );
}

if ( 'ar' !== get_option( 'WPLANG' ) ) {
	throw new RuntimeException( 'the site language is not "ar" (WPLANG=' . var_export( get_option( 'WPLANG' ), true ) . '): is wordpress-l10n installed and WP_CONTENT_DIR/languages linked?' );
}

if ( ! is_blog_installed() ) {
	throw new RuntimeException( 'wp_install() returned but the site is not installed' );
}

fwrite( STDERR, sprintf( "install.php: WordPress %s installed at %s (admin user id %d)\n", $GLOBALS['wp_version'], get_option( 'siteurl' ), $result['user_id'] ) );

<?php
/**
 * Shared bootstrap for the PHP CLI scripts in tests/wordpress/.
 *
 * Loads Debian's WordPress (/usr/share/wordpress) for the site
 * http://wp.example.test without a web server:
 *   - Debian's wp-config.php picks /etc/wordpress/config-<HTTP_HOST>.php,
 *     so HTTP_HOST (and the other request variables WordPress reads) are
 *     faked here before wp-load.php is required;
 *   - wp_mail() is replaced (pluggable) so nothing tries to send mail;
 *   - every failure throws, and the exception handler prints a clear
 *     message on stderr and exits 1, so make-site.sh fails loudly.
 *
 * Define SAHIFA_WP_INSTALLING before requiring this file to load WordPress
 * on an empty database (install.php does).
 */

error_reporting( E_ALL );
ini_set( 'display_errors', 'stderr' );

$GLOBALS['sahifa_script'] = basename( $_SERVER['argv'][0] ?? $_SERVER['SCRIPT_NAME'] ?? 'wordpress' );

set_exception_handler(
	static function ( Throwable $e ) {
		fwrite(
			STDERR,
			sprintf(
				"%s: ERROR: %s\n  at %s:%d\n",
				$GLOBALS['sahifa_script'],
				$e->getMessage(),
				$e->getFile(),
				$e->getLine()
			)
		);
		exit( 1 );
	}
);

// PHP warnings/notices from *our* scripts are bugs: turn them into exceptions.
// (WordPress core lowers error_reporting itself once loaded; see below.)
set_error_handler(
	static function ( $severity, $message, $file, $line ) {
		if ( ! ( error_reporting() & $severity ) ) {
			return false;
		}
		if ( strpos( $file, __DIR__ ) !== 0 ) {
			// Inside WordPress core: WordPress 6.1 on PHP 8.2 emits harmless
			// deprecations; drop those, print anything else on stderr and go on.
			if ( in_array( $severity, array( E_DEPRECATED, E_USER_DEPRECATED ), true ) ) {
				return true;
			}
			return false;
		}
		throw new ErrorException( $message, 0, $severity, $file, $line );
	}
);

$sahifa_host = getenv( 'SAHIFA_WP_HOST' ) ?: 'wp.example.test';

$_SERVER['HTTP_HOST']       = $sahifa_host;
$_SERVER['SERVER_NAME']     = $sahifa_host;
$_SERVER['SERVER_PORT']     = '80';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['SCRIPT_NAME']     = '/index.php';

if ( ! file_exists( "/etc/wordpress/config-{$sahifa_host}.php" ) ) {
	throw new RuntimeException( "/etc/wordpress/config-{$sahifa_host}.php is missing: run tests/wordpress/make-site.sh" );
}

// Pluggable: WordPress only defines wp_mail() if it does not exist yet.
function wp_mail( $to, $subject, $message, $headers = '', $attachments = array() ) {
	return true;
}

if ( defined( 'SAHIFA_WP_INSTALLING' ) ) {
	define( 'WP_INSTALLING', true );
}

require '/usr/share/wordpress/wp-load.php';

// WordPress lowered error_reporting in wp_debug_mode(); our own scripts stay strict.
error_reporting( E_ALL );

if ( ! defined( 'SAHIFA_WP_INSTALLING' ) && ! is_blog_installed() ) {
	throw new RuntimeException( 'WordPress is not installed in the database: run tests/wordpress/make-site.sh' );
}

/** Throws if $result is a WP_Error, false or 0, or if the last query failed. */
function sahifa_must( $result, string $what ) {
	global $wpdb;
	if ( is_wp_error( $result ) ) {
		throw new RuntimeException( "$what failed: " . $result->get_error_code() . ': ' . $result->get_error_message() );
	}
	if ( false === $result || 0 === $result ) {
		$db = $wpdb->last_error ? " (database: {$wpdb->last_error})" : '';
		throw new RuntimeException( "$what failed$db" );
	}
	if ( '' !== $wpdb->last_error ) {
		throw new RuntimeException( "$what: database error: {$wpdb->last_error}" );
	}
	return $result;
}

/** Writes $data as pretty, unescaped-Unicode JSON to $path. */
function sahifa_write_json( string $path, $data ): void {
	$json = json_encode( $data, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR );
	if ( false === file_put_contents( $path, $json . "\n" ) ) {
		throw new RuntimeException( "cannot write $path" );
	}
}

/** The first CLI argument, required. */
function sahifa_arg( string $usage ): string {
	$arg = $_SERVER['argv'][1] ?? '';
	if ( '' === $arg ) {
		throw new RuntimeException( "usage: $usage" );
	}
	return $arg;
}

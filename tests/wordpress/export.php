<?php
/**
 * Exports the whole site with WordPress's own exporter, export_wp() from
 * wp-admin/includes/export.php (what Tools > Export > "All content" runs),
 * then checks the file parses as XML and looks like a WXR.
 *
 * Usage: php export.php OUT.xml
 */

require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/export.php';

$out = sahifa_arg( 'php export.php OUT.xml' );

ob_start();
export_wp( array( 'content' => 'all' ) );
$xml = ob_get_clean();

if ( false === file_put_contents( $out, $xml ) ) {
	throw new RuntimeException( "cannot write $out" );
}

// Sanity checks: well-formed XML with the parts an importer needs.
$doc  = new DOMDocument();
$prev = libxml_use_internal_errors( true );
if ( ! $doc->loadXML( $xml, LIBXML_NONET | LIBXML_PARSEHUGE ) ) {
	$errors = array_map( static fn( $e ) => trim( $e->message ) . ' (line ' . $e->line . ')', libxml_get_errors() );
	throw new RuntimeException( "$out is not well-formed XML: " . implode( '; ', array_slice( $errors, 0, 5 ) ) );
}
libxml_use_internal_errors( $prev );

$wp    = 'http://wordpress.org/export/' . WXR_VERSION . '/';
$count = static fn( string $name ) => $doc->getElementsByTagNameNS( $wp, $name )->length;
$items = $doc->getElementsByTagName( 'item' )->length;
$types = array();
foreach ( $doc->getElementsByTagNameNS( $wp, 'post_type' ) as $node ) {
	$types[ $node->textContent ] = ( $types[ $node->textContent ] ?? 0 ) + 1;
}
ksort( $types );

$checks = array(
	'wp:wxr_version'  => $count( 'wxr_version' ) === 1,
	'items'           => $items > 0,
	'wp:comment'      => $count( 'comment' ) > 0,
	'wp:postmeta'     => $count( 'postmeta' ) > 0,
	'wp:author'       => $count( 'author' ) > 0,
	'wp:category'     => $count( 'category' ) > 0,
	'attachment'      => ( $types['attachment'] ?? 0 ) > 0,
	'wp:attachment_url' => $count( 'attachment_url' ) > 0,
	'percent-encoded Arabic slug' => (bool) preg_match( '#<wp:post_name><!\[CDATA\[%d[89a-f]%#i', $xml ),
);
foreach ( $checks as $what => $ok ) {
	if ( ! $ok ) {
		throw new RuntimeException( "$out has no $what" );
	}
}

fwrite(
	STDERR,
	sprintf(
		"export.php: %s: WXR %s, %d bytes, %d items (%s), %d comments\n",
		$out,
		$doc->getElementsByTagNameNS( $wp, 'wxr_version' )->item( 0 )->textContent,
		strlen( $xml ),
		$items,
		implode( ', ', array_map( static fn( $k, $v ) => "$k $v", array_keys( $types ), $types ) ),
		$count( 'comment' )
	)
);

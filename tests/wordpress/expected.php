<?php
/**
 * Writes, as JSON, what WordPress itself says about the site: the facts an
 * import of the WXR export must reproduce. Everything comes from WordPress's
 * database through its own functions (get_permalink, is_sticky, ...).
 *
 * Usage: php expected.php OUT.json
 */

require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/export.php'; // For WXR_VERSION.

global $wpdb, $wp_version;

$out = sahifa_arg( 'php expected.php OUT.json' );

/** "أخبار/سياسة/شؤون-خليجية": decoded slugs from the root down. */
function sahifa_term_path( WP_Term $term ): string {
	$parts = array( urldecode( $term->slug ) );
	foreach ( get_ancestors( $term->term_id, $term->taxonomy, 'taxonomy' ) as $ancestor_id ) {
		array_unshift( $parts, urldecode( get_term( $ancestor_id, $term->taxonomy )->slug ) );
	}
	return implode( '/', $parts );
}

function sahifa_nullable_date( string $date ): ?string {
	return '0000-00-00 00:00:00' === $date ? null : $date;
}

// ---------------------------------------------------------------------------
// Posts and pages (every status but auto-draft; no revisions, no menu items).
// ---------------------------------------------------------------------------

$ids   = $wpdb->get_col( "SELECT ID FROM {$wpdb->posts} WHERE post_type IN ('post', 'page') AND post_status <> 'auto-draft' ORDER BY ID" );
$posts = array();
foreach ( $ids as $id ) {
	$post = get_post( (int) $id );
	$cats = array();
	$tags = array();
	if ( 'post' === $post->post_type ) {
		foreach ( wp_get_post_categories( $post->ID, array( 'fields' => 'all' ) ) as $term ) {
			$cats[] = sahifa_term_path( $term );
		}
		sort( $cats );
		$tags = wp_get_post_tags( $post->ID, array( 'fields' => 'names' ) );
		sort( $tags );
	}
	$seo = array();
	foreach ( array( '_yoast_wpseo_title', '_yoast_wpseo_metadesc', '_yoast_wpseo_focuskw', 'rank_math_title', 'rank_math_description', 'rank_math_focus_keyword' ) as $key ) {
		if ( metadata_exists( 'post', $post->ID, $key ) ) {
			$seo[ $key ] = get_post_meta( $post->ID, $key, true );
		}
	}
	$thumb   = (int) get_post_thumbnail_id( $post );
	$posts[] = array(
		'ID'                => $post->ID,
		'post_type'         => $post->post_type,
		'post_status'       => $post->post_status,
		'post_title'        => $post->post_title,
		'post_name'         => $post->post_name,
		'post_name_decoded' => urldecode( $post->post_name ),
		'post_author'       => get_the_author_meta( 'user_login', $post->post_author ),
		'post_date'         => $post->post_date,
		'post_date_gmt'     => sahifa_nullable_date( $post->post_date_gmt ),
		'post_modified_gmt' => sahifa_nullable_date( $post->post_modified_gmt ),
		'post_excerpt'      => $post->post_excerpt,
		'post_password'     => $post->post_password,
		'post_parent'       => $post->post_parent,
		'menu_order'        => $post->menu_order,
		'post_format'       => 'post' === $post->post_type ? ( get_post_format( $post ) ?: 'standard' ) : null,
		'categories'        => $cats,
		'tags'              => $tags,
		'sticky'            => 'post' === $post->post_type && is_sticky( $post->ID ),
		'featured_image'    => $thumb ?: null,
		'comment_count'     => (int) $post->comment_count,
		'comment_status'    => $post->comment_status,
		'permalink'         => get_permalink( $post ),
		'old_slugs'         => array_values( get_post_meta( $post->ID, '_wp_old_slug' ) ),
		'seo'               => (object) $seo,
		'content_sha1'      => sha1( $post->post_content ),
	);
}

// ---------------------------------------------------------------------------
// Attachments.
// ---------------------------------------------------------------------------

$attachments = array();
foreach ( $wpdb->get_col( "SELECT ID FROM {$wpdb->posts} WHERE post_type = 'attachment' ORDER BY ID" ) as $id ) {
	$a             = get_post( (int) $id );
	$meta          = wp_get_attachment_metadata( $a->ID );
	$attachments[] = array(
		'ID'                => $a->ID,
		'post_title'        => $a->post_title,
		'post_name'         => $a->post_name,
		'post_parent'       => $a->post_parent,
		'post_mime_type'    => $a->post_mime_type,
		'post_date_gmt'     => $a->post_date_gmt,
		'caption'           => $a->post_excerpt,
		'alt'               => get_post_meta( $a->ID, '_wp_attachment_image_alt', true ),
		'url'               => wp_get_attachment_url( $a->ID ),
		'_wp_attached_file' => get_post_meta( $a->ID, '_wp_attached_file', true ),
		'width'             => $meta['width'] ?? null,
		'height'            => $meta['height'] ?? null,
		'sizes'             => array_keys( $meta['sizes'] ?? array() ),
	);
}

// ---------------------------------------------------------------------------
// Comments (every status).
// ---------------------------------------------------------------------------

/** One comment row; `in_wxr` is false for spam, which export_wp() leaves out. */
function sahifa_comment_row( WP_Comment $cm ): array {
	return array(
		'comment_ID'           => (int) $cm->comment_ID,
		'comment_post_ID'      => (int) $cm->comment_post_ID,
		'comment_parent'       => (int) $cm->comment_parent,
		'comment_approved'     => $cm->comment_approved,
		'comment_type'         => $cm->comment_type,
		'comment_author'       => $cm->comment_author,
		'comment_author_email' => $cm->comment_author_email,
		'comment_author_url'   => $cm->comment_author_url,
		'comment_author_IP'    => $cm->comment_author_IP,
		'comment_date_gmt'     => $cm->comment_date_gmt,
		'user_id'              => (int) $cm->user_id,
		'comment_content'      => $cm->comment_content,
		'in_wxr'               => 'spam' !== $cm->comment_approved,
	);
}

// get_comments( 'all' ) means approved + pending; the other statuses are
// asked for apart ("post-trashed": comments of a trashed post).
$comments = array();
foreach ( array( 'all', 'spam', 'trash', 'post-trashed' ) as $status ) {
	foreach ( get_comments( array( 'status' => $status, 'type' => 'all' ) ) as $cm ) {
		$comments[] = sahifa_comment_row( $cm );
	}
}
usort( $comments, static fn( $a, $b ) => $a['comment_ID'] <=> $b['comment_ID'] );
$raw_comment_total = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->comments}" );
if ( count( $comments ) !== $raw_comment_total ) {
	throw new RuntimeException( 'listed ' . count( $comments ) . " comments but the table has $raw_comment_total" );
}

// ---------------------------------------------------------------------------
// Terms, users, menu.
// ---------------------------------------------------------------------------

$categories = array();
foreach ( get_terms( array( 'taxonomy' => 'category', 'hide_empty' => false, 'orderby' => 'term_id' ) ) as $t ) {
	$categories[] = array(
		'term_id'      => $t->term_id,
		'name'         => $t->name,
		'slug'         => $t->slug,
		'slug_decoded' => urldecode( $t->slug ),
		'path'         => sahifa_term_path( $t ),
		'parent'       => $t->parent,
		'description'  => $t->description,
		'count'        => $t->count,
	);
}

$tags = array();
foreach ( get_terms( array( 'taxonomy' => 'post_tag', 'hide_empty' => false, 'orderby' => 'term_id' ) ) as $t ) {
	$tags[] = array(
		'term_id'      => $t->term_id,
		'name'         => $t->name,
		'slug'         => $t->slug,
		'slug_decoded' => urldecode( $t->slug ),
		'count'        => $t->count,
	);
}

$users = array();
foreach ( get_users( array( 'orderby' => 'ID' ) ) as $u ) {
	$users[] = array(
		'ID'           => $u->ID,
		'user_login'   => $u->user_login,
		'display_name' => $u->display_name,
		'user_email'   => $u->user_email,
		'roles'        => array_values( $u->roles ),
	);
}

$menus = array();
foreach ( wp_get_nav_menus() as $m ) {
	$items = array();
	foreach ( wp_get_nav_menu_items( $m->term_id ) as $item ) {
		$items[] = array(
			'ID'         => $item->ID,
			'title'      => $item->title,
			'type'       => $item->type,
			'object'     => $item->object,
			'object_id'  => (int) $item->object_id,
			'parent'     => (int) $item->menu_item_parent,
			'menu_order' => $item->menu_order,
			'url'        => $item->url,
		);
	}
	$menus[] = array(
		'term_id' => $m->term_id,
		'name'    => $m->name,
		'slug'    => $m->slug,
		'items'   => $items,
	);
}

// ---------------------------------------------------------------------------
// Counts.
// ---------------------------------------------------------------------------

$by_status = static function ( array $rows, string $field ): array {
	$n = array();
	foreach ( $rows as $r ) {
		$n[ (string) $r[ $field ] ] = ( $n[ (string) $r[ $field ] ] ?? 0 ) + 1;
	}
	ksort( $n );
	return $n;
};
$of_type   = static fn( string $type ) => array_values( array_filter( $posts, static fn( $p ) => $p['post_type'] === $type ) );

$comment_counts = array();
foreach ( (array) wp_count_comments() as $k => $v ) {
	$comment_counts[ $k ] = (int) $v;
}

$counts = array(
	'posts'                 => count( $of_type( 'post' ) ),
	'pages'                 => count( $of_type( 'page' ) ),
	'attachments'           => count( $attachments ),
	'comments'              => count( $comments ),
	'categories'            => count( $categories ),
	'tags'                  => count( $tags ),
	'users'                 => count( $users ),
	'nav_menu_items'        => array_sum( array_map( static fn( $m ) => count( $m['items'] ), $menus ) ),
	'posts_by_status'       => $by_status( $of_type( 'post' ), 'post_status' ),
	'pages_by_status'       => $by_status( $of_type( 'page' ), 'post_status' ),
	'comments_by_status'    => $by_status( $comments, 'comment_approved' ),
	'comments_by_type'      => $by_status( $comments, 'comment_type' ),
	'wp_count_comments'     => $comment_counts,
	'sticky_posts'          => array_map( 'intval', get_option( 'sticky_posts', array() ) ),
);

sahifa_write_json(
	$out,
	array(
		'site'        => array(
			'name'                => get_option( 'blogname' ),
			'description'         => get_option( 'blogdescription' ),
			'home'                => home_url(),
			'siteurl'             => site_url(),
			'language'            => get_bloginfo( 'language' ),
			'timezone_string'     => get_option( 'timezone_string' ),
			'permalink_structure' => get_option( 'permalink_structure' ),
			'wordpress_version'   => $wp_version,
			'wxr_version'         => WXR_VERSION,
			'default_category'    => (int) get_option( 'default_category' ),
			'page_for_privacy_policy' => (int) get_option( 'wp_page_for_privacy_policy' ),
		),
		'counts'      => $counts,
		'users'       => $users,
		'categories'  => $categories,
		'tags'        => $tags,
		'posts'       => $posts,
		'attachments' => $attachments,
		'comments'    => $comments,
		'menus'       => $menus,
		'fixture_ids' => get_option( 'sahifa_fixture' ),
	)
);

fwrite( STDERR, sprintf( "expected.php: %s: %d posts, %d pages, %d attachments, %d comments\n", $out, $counts['posts'], $counts['pages'], $counts['attachments'], $counts['comments'] ) );

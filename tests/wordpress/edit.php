<?php
/**
 * "Keep publishing in WordPress during the switch": what the newsroom does
 * between the first export (export-1.xml) and the second (export-2.xml).
 *
 *   1. edits an already-published post: new title and content (the slug,
 *      as WordPress does, stays the same);
 *   2. publishes a new post;
 *   3. approves a pending comment;
 *   4. adds a new approved comment (a reply).
 *   5. renames the slug of the English post, so WordPress records the old one
 *      in `_wp_old_slug` (what it uses to redirect old URLs).
 *
 * Usage: php edit.php SUMMARY.json   (writes what changed, by id)
 */

require __DIR__ . '/bootstrap.php';

$out     = sahifa_arg( 'php edit.php SUMMARY.json' );
$fixture = get_option( 'sahifa_fixture' );
if ( ! is_array( $fixture ) ) {
	throw new RuntimeException( 'option sahifa_fixture is missing: run populate.php first' );
}
$p     = $fixture['posts'];
$users = $fixture['users'];
$cat   = $fixture['categories'];
$c     = $fixture['comments'];

wp_set_current_user( 1 );

// The edit happens "now": the post's modified date moves, its date does not.
// 1. Edit the published oil-price post.
$edited_id  = $p['oil'];
$before     = get_post( $edited_id );
$slug_before = $before->post_name;
sahifa_must(
	wp_update_post(
		wp_slash(
			array(
				'ID'           => $edited_id,
				'post_title'   => 'أسعار النفط تقفز 5% بعد قرار أوبك+ (محدّث)',
				'post_content' => "ارتفعت أسعار النفط بنحو <strong>5%</strong> عند الإغلاق بعد أن أعلن تحالف أوبك+ تمديد خفض الإنتاج حتى نهاية العام.\n\n"
					. "تحديث: أكدت وكالة الطاقة الدولية أن السوق سيشهد عجزاً في المعروض خلال الربع المقبل.\n\n"
					. "<!--more-->\n\n"
					. "وقال محللون في دبي إن القرار \"كان متوقعاً\" لكنه جاء أكبر من التقديرات.",
			)
		),
		true
	),
	'wp_update_post(oil)'
);
$after = get_post( $edited_id );
if ( $after->post_name !== $slug_before ) {
	throw new RuntimeException( "editing the title changed the slug ($slug_before -> {$after->post_name})" );
}

// 2. A new published post (dated now).
$new_id = (int) sahifa_must(
	wp_insert_post(
		wp_slash(
			array(
				'post_title'    => 'الكويت تعلن تشكيل حكومة جديدة',
				'post_status'   => 'publish',
				'post_author'   => $users['layla'],
				'post_category' => array( $cat['gulf'] ),
				'tags_input'    => array( 'الخليج', 'الكويت' ),
				'post_excerpt'  => 'مرسوم أميري بتشكيل الحكومة الجديدة.',
				'post_content'  => "<!-- wp:paragraph -->\n<p>صدر مرسوم أميري اليوم بتشكيل الحكومة الكويتية الجديدة برئاسة رئيس الوزراء.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>وتضم الحكومة خمسة عشر وزيراً بينهم ثلاثة وجوه جديدة.</p>\n<!-- /wp:paragraph -->",
			)
		),
		true
	),
	'wp_insert_post(new)'
);

// 3. Approve the pending reply on the oil post.
$approved_id = $c['oil_pending'];
sahifa_must( wp_set_comment_status( $approved_id, 'approve', true ), 'wp_set_comment_status(approve)' );

// 4. A new comment, replying to the one just approved.
$comment_gmt    = gmdate( 'Y-m-d H:i:s' );
$new_comment_id = (int) sahifa_must(
	wp_insert_comment(
		wp_slash(
			array(
				'comment_post_ID'      => $edited_id,
				'comment_author'       => 'عمر الخطيب',
				'comment_author_email' => get_userdata( $users['omar'] )->user_email,
				'comment_author_url'   => '',
				'comment_author_IP'    => '198.51.100.8',
				'comment_content'      => 'شكراً سلمى، حدّثنا الخبر بأرقام الإغلاق.',
				'comment_parent'       => $approved_id,
				'comment_approved'     => 1,
				'comment_type'         => 'comment',
				'user_id'              => $users['omar'],
				'comment_date'         => get_date_from_gmt( $comment_gmt ),
				'comment_date_gmt'     => $comment_gmt,
				'comment_agent'        => 'Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0',
			)
		)
	),
	'wp_insert_comment(new)'
);

// 5. Rename the English post's slug: WordPress keeps the old one in _wp_old_slug.
$renamed_id = $p['english'];
$old_slug   = get_post_field( 'post_name', $renamed_id );
sahifa_must( wp_update_post( array( 'ID' => $renamed_id, 'post_name' => 'gulf-startups-arabic-llms' ), true ), 'wp_update_post(rename slug)' );
if ( ! in_array( $old_slug, get_post_meta( $renamed_id, '_wp_old_slug' ), true ) ) {
	throw new RuntimeException( 'WordPress did not record _wp_old_slug' );
}

$fixture['posts']['new_after_export_1']       = $new_id;
$fixture['comments']['new_after_export_1']    = $new_comment_id;
update_option( 'sahifa_fixture', $fixture, false );

sahifa_write_json(
	$out,
	array(
		'edited_post'      => array(
			'id'           => $edited_id,
			'title_before' => $before->post_title,
			'title_after'  => $after->post_title,
			'post_name'    => $after->post_name,
		),
		'new_post'         => array(
			'id'        => $new_id,
			'title'     => get_post_field( 'post_title', $new_id ),
			'post_name' => get_post_field( 'post_name', $new_id ),
		),
		'approved_comment' => $approved_id,
		'new_comment'      => array(
			'id'      => $new_comment_id,
			'post_id' => $edited_id,
			'parent'  => $approved_id,
		),
		'renamed_slug'     => array(
			'id'       => $renamed_id,
			'old_slug' => $old_slug,
			'new_slug' => get_post_field( 'post_name', $renamed_id ),
		),
	)
);

fwrite( STDERR, "edit.php: edited post $edited_id, new post $new_id, approved comment $approved_id, new comment $new_comment_id, renamed slug of post $renamed_id\n" );

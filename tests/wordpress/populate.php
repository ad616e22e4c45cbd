<?php
/**
 * Fills the freshly installed site with realistic Arabic and English news
 * content, using WordPress's own APIs only (no SQL), so the WXR that
 * export_wp() writes afterwards is what a real site would produce.
 *
 * Usage: php populate.php
 *
 * Writes the ids it created into the option `sahifa_fixture` (edit.php and
 * expected.php read it; options are not part of a WXR export).
 */

require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

global $wpdb, $wp_rewrite;

if ( ! function_exists( 'imagecreatetruecolor' ) ) {
	throw new RuntimeException( 'PHP GD is missing (apt-get install php-gd)' );
}

// ---------------------------------------------------------------------------
// Site settings.
// ---------------------------------------------------------------------------

update_option( 'blogname', 'صحيفة الاختبار' );
update_option( 'blogdescription', 'أخبار الخليج والعالم على مدار الساعة' );
update_option( 'timezone_string', 'Asia/Riyadh' ); // UTC+3 all year, no DST.
update_option( 'gmt_offset', '' );
update_option( 'date_format', 'j F Y' );
update_option( 'time_format', 'g:i a' );
update_option( 'posts_per_page', 10 );
update_option( 'default_comment_status', 'open' );
update_option( 'thread_comments', 1 );
update_option( 'thread_comments_depth', 5 );
update_option( 'comment_moderation', 0 );
update_option( 'uploads_use_yearmonth_folders', 1 );

$wp_rewrite->set_permalink_structure( '/%year%/%monthnum%/%day%/%postname%/' );
$wp_rewrite->flush_rules( false );

// Start from a clean slate: wp_install() made "Hello world!", "Sample Page",
// the "Privacy Policy" draft and one comment.
foreach ( get_posts(
	array(
		'post_type'   => 'any',
		'post_status' => 'any',
		'numberposts' => -1,
		'fields'      => 'ids',
	)
) as $default_id ) {
	sahifa_must( wp_delete_post( $default_id, true ), "deleting default post $default_id" );
}
// The default category (id 1, named by the Arabic translation) stays.

/** Local (Asia/Riyadh) date string -> post_date + post_date_gmt. */
function sahifa_dates( string $local ): array {
	return array(
		'post_date'     => $local,
		'post_date_gmt' => get_gmt_from_date( $local ),
	);
}

/** Local date -> comment_date + comment_date_gmt. */
function sahifa_comment_dates( string $local ): array {
	return array(
		'comment_date'     => $local,
		'comment_date_gmt' => get_gmt_from_date( $local ),
	);
}

// ---------------------------------------------------------------------------
// Users: the admin plus three authors with Arabic display names.
// ---------------------------------------------------------------------------

$admin_id = 1;
sahifa_must(
	wp_update_user(
		array(
			'ID'           => $admin_id,
			'display_name' => 'فريق التحرير',
			'first_name'   => 'فريق',
			'last_name'    => 'التحرير',
			'nickname'     => 'التحرير',
		)
	),
	'updating admin'
);
// Authoring as the admin, like an editor in wp-admin: the admin has
// unfiltered_html, so kses leaves block comments and shortcodes alone.
wp_set_current_user( $admin_id );

$users = array();
foreach ( array(
	'layla' => array( 'ليلى حسن', 'ليلى', 'حسن', 'layla.hassan@wp.example.test', 'editor', 'محررة الشؤون السياسية، تغطي أخبار الخليج منذ عام 2010.' ),
	'omar'  => array( 'عمر الخطيب', 'عمر', 'الخطيب', 'omar.alkhatib@wp.example.test', 'author', 'مراسل اقتصادي في دبي.' ),
	'noor'  => array( 'نور الدين سعيد', 'نور الدين', 'سعيد', 'noor.saeed@wp.example.test', 'author', 'Sports and technology reporter.' ),
) as $login => $u ) {
	$users[ $login ] = sahifa_must(
		wp_insert_user(
			array(
				'user_login'      => $login,
				'user_pass'       => wp_generate_password( 20 ),
				'user_email'      => $u[3],
				'display_name'    => $u[0],
				'first_name'      => $u[1],
				'last_name'       => $u[2],
				'nickname'        => $u[1],
				'role'            => $u[4],
				'description'     => $u[5],
				'user_url'        => 'https://wp.example.test/author/' . $login . '/',
				'user_registered' => '2022-12-01 08:00:00',
			)
		),
		"wp_insert_user($login)"
	);
}

// ---------------------------------------------------------------------------
// Categories (nested, Arabic names: WordPress percent-encodes the slugs) and
// an English one.
// ---------------------------------------------------------------------------

function sahifa_term( string $name, string $taxonomy, array $args = array() ): int {
	$t = sahifa_must( wp_insert_term( $name, $taxonomy, $args ), "wp_insert_term($name)" );
	return (int) $t['term_id'];
}

$cat             = array();
$cat['news']     = sahifa_term( 'أخبار', 'category', array( 'description' => 'آخر الأخبار المحلية والدولية' ) );
$cat['politics'] = sahifa_term( 'سياسة', 'category', array( 'parent' => $cat['news'] ) );
$cat['gulf']     = sahifa_term( 'شؤون خليجية', 'category', array( 'parent' => $cat['politics'], 'description' => 'أخبار دول مجلس التعاون' ) );
$cat['economy']  = sahifa_term( 'اقتصاد', 'category', array( 'parent' => $cat['news'] ) );
$cat['sport']    = sahifa_term( 'رياضة', 'category' );
$cat['tech']     = sahifa_term( 'Technology', 'category', array( 'description' => 'Tech news in English' ) );
$cat['default']  = (int) get_option( 'default_category' );

// ---------------------------------------------------------------------------
// Images: real JPEG/PNG bytes made with GD in wp-content/uploads/2024/05,
// registered as attachments with WordPress's metadata and resized copies.
// ---------------------------------------------------------------------------

$upload = wp_upload_dir( '2024/05' );
if ( ! empty( $upload['error'] ) ) {
	throw new RuntimeException( 'wp_upload_dir: ' . $upload['error'] );
}

function sahifa_image( string $dir, string $name, int $w, int $h, array $from, array $to, string $label ): string {
	$im = imagecreatetruecolor( $w, $h );
	for ( $y = 0; $y < $h; $y++ ) {
		$f = $y / max( 1, $h - 1 );
		$c = imagecolorallocate(
			$im,
			(int) ( $from[0] + ( $to[0] - $from[0] ) * $f ),
			(int) ( $from[1] + ( $to[1] - $from[1] ) * $f ),
			(int) ( $from[2] + ( $to[2] - $from[2] ) * $f )
		);
		imageline( $im, 0, $y, $w - 1, $y, $c );
	}
	$white = imagecolorallocate( $im, 255, 255, 255 );
	imagefilledrectangle( $im, (int) ( $w * 0.1 ), (int) ( $h * 0.6 ), (int) ( $w * 0.9 ), (int) ( $h * 0.62 ), $white );
	imagefilledellipse( $im, (int) ( $w * 0.75 ), (int) ( $h * 0.3 ), (int) ( $h * 0.3 ), (int) ( $h * 0.3 ), $white );
	imagestring( $im, 5, 20, 20, $label, $white );
	$path = trailingslashit( $dir ) . $name;
	$ok   = str_ends_with( $name, '.png' ) ? imagepng( $im, $path ) : imagejpeg( $im, $path, 85 );
	imagedestroy( $im );
	if ( ! $ok ) {
		throw new RuntimeException( "GD could not write $path" );
	}
	return $path;
}

function sahifa_attachment( string $file, string $title, string $caption, string $alt, string $local_date, int $author ): int {
	$type = wp_check_filetype( basename( $file ) );
	$id   = sahifa_must(
		wp_insert_attachment(
			array(
				'post_title'     => $title,
				'post_excerpt'   => $caption, // The caption.
				'post_content'   => '',
				'post_status'    => 'inherit',
				'post_mime_type' => $type['type'],
				'post_author'    => $author,
				'guid'           => wp_upload_dir( '2024/05' )['url'] . '/' . basename( $file ),
			) + sahifa_dates( $local_date ),
			$file,
			0,
			true
		),
		"wp_insert_attachment($file)"
	);
	// wp_insert_attachment() stored _wp_attached_file ("2024/05/name.jpg");
	// this adds _wp_attachment_metadata and the thumbnail/medium files.
	$meta = wp_generate_attachment_metadata( $id, $file );
	if ( empty( $meta['width'] ) ) {
		throw new RuntimeException( "wp_generate_attachment_metadata($file) made no metadata" );
	}
	wp_update_attachment_metadata( $id, $meta );
	update_post_meta( $id, '_wp_attachment_image_alt', $alt );
	if ( get_post_meta( $id, '_wp_attached_file', true ) !== '2024/05/' . basename( $file ) ) {
		throw new RuntimeException( "_wp_attached_file of $file is not 2024/05/" . basename( $file ) );
	}
	return $id;
}

$img            = array();
$img['summit']  = sahifa_attachment(
	sahifa_image( $upload['path'], 'gulf-summit.jpg', 1200, 675, array( 10, 60, 110 ), array( 200, 170, 90 ), 'GULF SUMMIT' ),
	'قادة الخليج في قمة الرياض',
	'صورة جماعية لقادة دول المجلس',
	'قادة دول الخليج يقفون لالتقاط صورة جماعية',
	'2024-05-12 10:15:00',
	$users['layla']
);
$img['stadium'] = sahifa_attachment(
	sahifa_image( $upload['path'], 'stadium.png', 800, 450, array( 20, 120, 40 ), array( 120, 200, 120 ), 'STADIUM' ),
	'الاستاد الجديد',
	'الاستاد الجديد من الجو',
	'ملعب كرة قدم أخضر من الأعلى',
	'2024-05-20 18:40:00',
	$users['noor']
);
$img['market']  = sahifa_attachment(
	sahifa_image( $upload['path'], 'oil-market-chart.jpg', 640, 360, array( 60, 20, 20 ), array( 240, 200, 60 ), 'OIL +4%' ),
	'oil market chart',
	'',
	'Brent crude price chart',
	'2024-05-28 07:05:00',
	$users['omar']
);

$summit_url  = wp_get_attachment_url( $img['summit'] );
$stadium_url = wp_get_attachment_url( $img['stadium'] );
$market_url  = wp_get_attachment_url( $img['market'] );
$summit_lg   = wp_get_attachment_image_src( $img['summit'], 'large' )[0];

// ---------------------------------------------------------------------------
// Posts.
// ---------------------------------------------------------------------------

function sahifa_post( array $args ): int {
	$args += array(
		'post_type'   => 'post',
		'post_status' => 'publish',
	);
	return (int) sahifa_must( wp_insert_post( wp_slash( $args ), true ), 'wp_insert_post(' . $args['post_title'] . ')' );
}

$p = array();

// 1. Gutenberg, featured image, Yoast meta, excerpt, threaded comments.
$p['summit'] = sahifa_post(
	array(
		'post_title'    => 'قمة الرياض تبحث مستقبل التعاون الخليجي',
		'post_author'   => $users['layla'],
		'post_excerpt'  => 'القادة يتفقون على خارطة طريق للتكامل الاقتصادي والأمن البحري.',
		'post_category' => array( $cat['gulf'], $cat['politics'] ),
		'tags_input'    => array( 'الخليج', 'قمة الرياض', 'GCC' ),
		'post_content'  => <<<HTML
<!-- wp:paragraph -->
<p>اختتمت في <strong>الرياض</strong> أعمال القمة الخليجية الرابعة والأربعين بمشاركة قادة دول مجلس التعاون، وسط توقعات بإطلاق مشاريع مشتركة جديدة.</p>
<!-- /wp:paragraph -->

<!-- wp:heading -->
<h2>ملفات على الطاولة</h2>
<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>ناقش القادة ملفات الأمن البحري والربط الكهربائي والسكك الحديدية، إضافة إلى <a href="https://www.gcc-sg.org/">الاتحاد الجمركي</a>.</p>
<!-- /wp:paragraph -->

<!-- wp:image {"id":{$img['summit']},"sizeSlug":"large","linkDestination":"none"} -->
<figure class="wp-block-image size-large"><img src="{$summit_lg}" alt="قادة دول الخليج يقفون لالتقاط صورة جماعية" class="wp-image-{$img['summit']}"/><figcaption class="wp-element-caption">صورة جماعية لقادة دول المجلس</figcaption></figure>
<!-- /wp:image -->

<!-- wp:list -->
<ul><!-- wp:list-item -->
<li>الربط الكهربائي الخليجي</li>
<!-- /wp:list-item -->

<!-- wp:list-item -->
<li>مشروع سكة حديد الخليج</li>
<!-- /wp:list-item --></ul>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><!-- wp:paragraph -->
<p>«أمن الخليج كلٌّ لا يتجزأ».</p>
<!-- /wp:paragraph --><cite>البيان الختامي</cite></blockquote>
<!-- /wp:quote -->
HTML,
		'meta_input'    => array(
			'_yoast_wpseo_title'    => 'قمة الرياض: مستقبل التعاون الخليجي %%sep%% %%sitename%%',
			'_yoast_wpseo_metadesc' => 'تفاصيل القمة الخليجية في الرياض وأبرز الملفات التي ناقشها القادة.',
			'_yoast_wpseo_focuskw'  => 'قمة الرياض',
		),
	) + sahifa_dates( '2023-03-14 09:30:00' )
);
sahifa_must( set_post_thumbnail( $p['summit'], $img['summit'] ), 'set_post_thumbnail(summit)' );

// 2. Classic editor: blank-line paragraphs, no <p>, a <!--more-->, Rank Math meta.
$p['oil'] = sahifa_post(
	array(
		'post_title'    => 'أسعار النفط ترتفع بعد قرار أوبك+',
		'post_author'   => $users['omar'],
		'post_category' => array( $cat['economy'] ),
		'tags_input'    => array( 'النفط', 'OPEC', 'الخليج' ),
		'post_content'  => "ارتفعت أسعار النفط بأكثر من <strong>4%</strong> في تعاملات اليوم بعد أن أعلن تحالف أوبك+ تمديد خفض الإنتاج حتى نهاية العام.\n\n"
			. "وقال محللون في دبي إن القرار \"كان متوقعاً\" لكنه جاء أكبر من التقديرات.\n\n"
			. "<!--more-->\n\n"
			. "<img class=\"alignnone size-medium wp-image-{$img['market']}\" src=\"{$market_url}\" alt=\"Brent crude price chart\" width=\"640\" height=\"360\" />\n\n"
			. "أبرز ما جاء في القرار:\n<ul>\n \t<li>خفض طوعي بمليون برميل يومياً</li>\n \t<li>مراجعة شهرية للأسواق</li>\n</ul>\n"
			. "للمزيد اقرأ <a href=\"https://www.opec.org/\">بيان المنظمة</a>.",
		'meta_input'    => array(
			'rank_math_title'         => '%title% %sep% %sitename%',
			'rank_math_description'   => 'النفط يرتفع بعد تمديد أوبك+ لخفض الإنتاج حتى نهاية العام.',
			'rank_math_focus_keyword' => 'أسعار النفط',
		),
	) + sahifa_dates( '2023-07-02 14:05:00' )
);

// 3. Classic with a [caption] image shortcode, featured image.
$p['stadium'] = sahifa_post(
	array(
		'post_title'    => 'افتتاح استاد جديد في الدوحة',
		'post_author'   => $users['noor'],
		'post_category' => array( $cat['sport'] ),
		'tags_input'    => array( 'كرة القدم', 'قطر' ),
		'post_excerpt'  => 'ملعب يتسع لأربعين ألف متفرج.',
		'post_content'  => "افتُتح مساء أمس استاد جديد في العاصمة القطرية الدوحة يتسع لأربعين ألف متفرج.\n\n"
			. "[caption id=\"attachment_{$img['stadium']}\" align=\"aligncenter\" width=\"800\"]<img class=\"size-full wp-image-{$img['stadium']}\" src=\"{$stadium_url}\" alt=\"ملعب كرة قدم أخضر من الأعلى\" width=\"800\" height=\"450\" /> الاستاد الجديد من الجو[/caption]\n\n"
			. "ويستضيف الملعب أولى مبارياته الأسبوع المقبل.",
	) + sahifa_dates( '2023-11-20 21:45:00' )
);
sahifa_must( set_post_thumbnail( $p['stadium'], $img['stadium'] ), 'set_post_thumbnail(stadium)' );

// 4. [gallery ids=…] and the "gallery" post format.
$p['gallery'] = sahifa_post(
	array(
		'post_title'    => 'صور: معرض الكتاب الدولي',
		'post_author'   => $users['layla'],
		'post_category' => array( $cat['news'] ),
		'tags_input'    => array( 'ثقافة' ),
		'post_content'  => "جولة مصورة في أروقة معرض الكتاب الدولي في يومه الأول.\n\n[gallery ids=\"{$img['summit']},{$img['stadium']},{$img['market']}\" columns=\"3\" size=\"medium\"]",
	) + sahifa_dates( '2024-02-10 11:00:00' )
);
sahifa_must( set_post_format( $p['gallery'], 'gallery' ), 'set_post_format(gallery)' );

// 5. An unknown plugin shortcode.
$p['poll'] = sahifa_post(
	array(
		'post_title'    => 'شارك برأيك: استطلاع القراء حول النقل العام',
		'post_author'   => $admin_id,
		'post_category' => array( $cat['news'] ),
		'post_content'  => "نريد أن نعرف رأيك في خدمات النقل العام في مدينتك.\n\n[contact-form-7 id=\"3\" title=\"استطلاع النقل\"]\n\nستنشر النتائج الأسبوع المقبل.",
	) + sahifa_dates( '2024-04-01 08:00:00' )
);

// 6. English, Gutenberg with an embed block, Arabic and English tags.
$p['english'] = sahifa_post(
	array(
		'post_title'    => 'Gulf startups bet on Arabic large language models',
		'post_author'   => $users['noor'],
		'post_category' => array( $cat['tech'] ),
		'tags_input'    => array( 'AI', 'startups', 'الذكاء الاصطناعي' ),
		'post_excerpt'  => 'A new wave of Gulf startups is training models on Arabic text.',
		'post_content'  => <<<HTML
<!-- wp:paragraph -->
<p>A new wave of startups in Riyadh, Abu Dhabi and Doha is training <em>large language models</em> on Arabic text.</p>
<!-- /wp:paragraph -->

<!-- wp:heading {"level":3} -->
<h3>Why Arabic?</h3>
<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>Arabic is spoken by more than 400 million people, yet it is a small share of the web.</p>
<!-- /wp:paragraph -->

<!-- wp:embed {"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube","responsive":true,"className":"wp-embed-aspect-16-9 wp-has-aspect-ratio"} -->
<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=dQw4w9WgXcQ
</div></figure>
<!-- /wp:embed -->
HTML,
	) + sahifa_dates( '2024-06-18 16:20:00' )
);

// 7. Sticky breaking news in two categories.
$p['sticky'] = sahifa_post(
	array(
		'post_title'    => 'عاجل: انطلاق الانتخابات البلدية',
		'post_author'   => $users['layla'],
		'post_category' => array( $cat['politics'], $cat['news'] ),
		'tags_input'    => array( 'انتخابات', 'elections' ),
		'post_content'  => "<!-- wp:paragraph -->\n<p>فتحت مراكز الاقتراع أبوابها صباح اليوم في أول انتخابات بلدية منذ أربع سنوات.</p>\n<!-- /wp:paragraph -->",
	) + sahifa_dates( '2025-01-15 07:00:00' )
);
stick_post( $p['sticky'] );

// 8. Scheduled a week ahead: "publish" with a future date becomes "future".
$future_gmt  = gmdate( 'Y-m-d H:i:s', time() + 7 * DAY_IN_SECONDS );
$p['future'] = sahifa_post(
	array(
		'post_title'    => 'مباراة القمة بين الهلال والنصر',
		'post_author'   => $users['noor'],
		'post_category' => array( $cat['sport'] ),
		'tags_input'    => array( 'كرة القدم', 'الدوري السعودي' ),
		'post_content'  => "<!-- wp:paragraph -->\n<p>يلتقي الهلال والنصر في قمة الجولة العشرين من الدوري السعودي.</p>\n<!-- /wp:paragraph -->",
		'post_date'     => get_date_from_gmt( $future_gmt ),
		'post_date_gmt' => $future_gmt,
	)
);

// 9. Draft (no date given: WordPress stores post_date_gmt 0000-00-00 and no slug).
$p['draft'] = sahifa_post(
	array(
		'post_title'    => 'مسودة: تحليل ميزانية 2025',
		'post_status'   => 'draft',
		'post_author'   => $users['omar'],
		'post_category' => array( $cat['economy'] ),
		'post_content'  => 'تقديرات أولية للإيرادات والنفقات في ميزانية العام المقبل.',
	)
);

// 10. Pending review, by an author, in two categories.
$p['pending'] = sahifa_post(
	array(
		'post_title'    => 'تقرير: التحول الرقمي في المصارف',
		'post_status'   => 'pending',
		'post_author'   => $users['omar'],
		'post_category' => array( $cat['economy'], $cat['tech'] ),
		'tags_input'    => array( 'مصارف', 'fintech' ),
		'post_content'  => "تسارع المصارف الخليجية خطط التحول الرقمي.\n\nويتوقع خبراء أن تختفي الفروع التقليدية خلال عقد.",
	)
);

// 11. Private, no category (gets the default one).
$p['private'] = sahifa_post(
	array(
		'post_title'   => 'ملاحظات داخلية لغرفة الأخبار',
		'post_status'  => 'private',
		'post_author'  => $admin_id,
		'post_content' => 'اجتماع التحرير كل يوم أحد الساعة التاسعة صباحاً.',
	) + sahifa_dates( '2024-09-09 09:00:00' )
);

// 12. Password-protected.
$p['password'] = sahifa_post(
	array(
		'post_title'    => 'حصري للمشتركين: مقابلة مع وزير الطاقة',
		'post_password' => 'sahifa2024',
		'post_author'   => $users['omar'],
		'post_category' => array( $cat['economy'] ),
		'post_content'  => "<!-- wp:paragraph -->\n<p>في مقابلة حصرية، تحدث وزير الطاقة عن مستقبل الهيدروجين الأخضر.</p>\n<!-- /wp:paragraph -->",
	) + sahifa_dates( '2024-10-05 19:30:00' )
);

// 13. Published by mistake, then trashed.
$p['trash'] = sahifa_post(
	array(
		'post_title'    => 'خبر منشور بالخطأ',
		'post_author'   => $users['layla'],
		'post_category' => array( $cat['news'] ),
		'post_content'  => 'هذا الخبر نشر بالخطأ.',
	) + sahifa_dates( '2024-12-01 13:13:00' )
);
// (Trashed below, once it has a comment.)

// 14. A long Arabic title: the percent-encoded slug is cut at 200 bytes.
$p['long'] = sahifa_post(
	array(
		'post_title'    => 'وزراء خارجية دول مجلس التعاون الخليجي يعقدون اجتماعا استثنائيا لبحث التطورات الإقليمية والأمن البحري في المنطقة',
		'post_author'   => $users['layla'],
		'post_category' => array( $cat['gulf'] ),
		'tags_input'    => array( 'الخليج', 'الأمن البحري' ),
		'post_content'  => "عقد وزراء خارجية دول مجلس التعاون اجتماعاً استثنائياً في الكويت.\n\nوأكد البيان الختامي على حرية الملاحة في الممرات المائية.",
	) + sahifa_dates( '2025-03-03 22:10:00' )
);

// 15. Guillemets, Arabic-Indic digits and an Arabic question mark in the title.
$p['vision'] = sahifa_post(
	array(
		'post_title'    => '«رؤية ٢٠٣٠»: ماذا تحقق حتى الآن؟',
		'post_author'   => $users['omar'],
		'post_category' => array( $cat['economy'], $cat['gulf'] ),
		'tags_input'    => array( 'رؤية 2030' ),
		'post_excerpt'  => 'جردة حساب في منتصف الطريق.',
		'post_content'  => "<!-- wp:paragraph -->\n<p>بعد تسع سنوات على إطلاقها، أين وصلت مشاريع الرؤية؟</p>\n<!-- /wp:paragraph -->",
	) + sahifa_dates( '2025-06-30 10:00:00' )
);

// 16. Same title as post 2: WordPress makes the slug unique with "-2".
$p['oil2'] = sahifa_post(
	array(
		'post_title'    => 'أسعار النفط ترتفع بعد قرار أوبك+',
		'post_author'   => $users['omar'],
		'post_category' => array( $cat['economy'] ),
		'tags_input'    => array( 'النفط' ),
		'post_content'  => 'عادت أسعار النفط إلى الارتفاع بعد اجتماع أوبك+ الأخير.',
	) + sahifa_dates( '2025-02-11 12:00:00' )
);

// Attach the images to the posts they were uploaded for.
foreach ( array( 'summit' => 'summit', 'stadium' => 'stadium', 'market' => 'oil' ) as $i => $post_key ) {
	sahifa_must( wp_update_post( array( 'ID' => $img[ $i ], 'post_parent' => $p[ $post_key ] ), true ), "attaching image $i" );
}

// ---------------------------------------------------------------------------
// Pages.
// ---------------------------------------------------------------------------

$pg          = array();
$pg['about'] = sahifa_post(
	array(
		'post_type'    => 'page',
		'post_title'   => 'من نحن',
		'post_author'  => $admin_id,
		'menu_order'   => 1,
		'post_content' => "<!-- wp:paragraph -->\n<p>صحيفة الاختبار صحيفة إلكترونية مستقلة تأسست عام 2023.</p>\n<!-- /wp:paragraph -->",
		'meta_input'   => array( '_wp_page_template' => 'default' ),
	) + sahifa_dates( '2023-01-01 00:00:00' )
);
$pg['contact'] = sahifa_post(
	array(
		'post_type'    => 'page',
		'post_title'   => 'اتصل بنا',
		'post_parent'  => $pg['about'],
		'post_author'  => $admin_id,
		'menu_order'   => 2,
		'post_content' => "راسلونا على البريد news@wp.example.test أو عبر النموذج التالي:\n\n[contact-form-7 id=\"3\" title=\"اتصل بنا\"]",
	) + sahifa_dates( '2023-01-01 00:05:00' )
);
$pg['privacy'] = sahifa_post(
	array(
		'post_type'    => 'page',
		'post_status'  => 'draft',
		'post_title'   => 'سياسة الخصوصية',
		'post_author'  => $admin_id,
		'menu_order'   => 3,
		'post_content' => "<!-- wp:heading -->\n<h2>من نحن</h2>\n<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>عنوان موقعنا هو: http://wp.example.test.</p>\n<!-- /wp:paragraph -->",
	)
);
update_option( 'wp_page_for_privacy_policy', $pg['privacy'] );

// ---------------------------------------------------------------------------
// Navigation menu: a custom link, a category with a sub-item, pages, and an
// external link.
// ---------------------------------------------------------------------------

$menu_id = sahifa_must( wp_create_nav_menu( 'القائمة الرئيسية' ), 'wp_create_nav_menu' );

function sahifa_menu_item( int $menu_id, array $item ): int {
	return (int) sahifa_must( wp_update_nav_menu_item( $menu_id, 0, $item + array( 'menu-item-status' => 'publish' ) ), 'wp_update_nav_menu_item(' . ( $item['menu-item-title'] ?? $item['menu-item-object'] ) . ')' );
}

$menu          = array();
$menu['home']  = sahifa_menu_item(
	$menu_id,
	array(
		'menu-item-title'    => 'الرئيسية',
		'menu-item-url'      => home_url( '/' ),
		'menu-item-type'     => 'custom',
		'menu-item-position' => 1,
	)
);
$menu['news']  = sahifa_menu_item(
	$menu_id,
	array(
		'menu-item-type'      => 'taxonomy',
		'menu-item-object'    => 'category',
		'menu-item-object-id' => $cat['news'],
		'menu-item-position'  => 2,
	)
);
$menu['pol']   = sahifa_menu_item(
	$menu_id,
	array(
		'menu-item-type'      => 'taxonomy',
		'menu-item-object'    => 'category',
		'menu-item-object-id' => $cat['politics'],
		'menu-item-parent-id' => $menu['news'],
		'menu-item-position'  => 3,
	)
);
$menu['about'] = sahifa_menu_item(
	$menu_id,
	array(
		'menu-item-type'      => 'post_type',
		'menu-item-object'    => 'page',
		'menu-item-object-id' => $pg['about'],
		'menu-item-position'  => 4,
	)
);
$menu['contact'] = sahifa_menu_item(
	$menu_id,
	array(
		'menu-item-type'      => 'post_type',
		'menu-item-object'    => 'page',
		'menu-item-object-id' => $pg['contact'],
		'menu-item-parent-id' => $menu['about'],
		'menu-item-position'  => 5,
	)
);
$menu['ext']   = sahifa_menu_item(
	$menu_id,
	array(
		'menu-item-title'    => 'Archive (English)',
		'menu-item-url'      => 'https://archive.example.org/',
		'menu-item-type'     => 'custom',
		'menu-item-target'   => '_blank',
		'menu-item-position' => 6,
	)
);

// ---------------------------------------------------------------------------
// Comments.
// ---------------------------------------------------------------------------

const SAHIFA_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

function sahifa_comment( int $post_id, string $local_date, array $c ): int {
	$c += array(
		'comment_post_ID'   => $post_id,
		'comment_approved'  => 1,
		'comment_type'      => 'comment',
		'comment_parent'    => 0,
		'user_id'           => 0,
		'comment_agent'     => SAHIFA_UA,
		'comment_author_url' => '',
	) + sahifa_comment_dates( $local_date );
	return (int) sahifa_must( wp_insert_comment( wp_slash( $c ) ), 'wp_insert_comment(' . $c['comment_author'] . ')' );
}

$layla = get_userdata( $users['layla'] );
$c     = array();

// Three levels deep on the summit post.
$c['khalid']  = sahifa_comment(
	$p['summit'],
	'2023-03-14 12:02:00',
	array(
		'comment_author'       => 'خالد العتيبي',
		'comment_author_email' => 'khalid@example.com',
		'comment_author_url'   => 'https://khalid.example.com/',
		'comment_author_IP'    => '192.0.2.10',
		'comment_content'      => 'تغطية ممتازة، هل هناك موعد محدد لانطلاق مشروع السكة الحديد؟',
	)
);
$c['reply1']  = sahifa_comment(
	$p['summit'],
	'2023-03-14 13:20:00',
	array(
		'comment_author'       => $layla->display_name,
		'comment_author_email' => $layla->user_email,
		'comment_author_url'   => $layla->user_url,
		'comment_author_IP'    => '198.51.100.7',
		'comment_content'      => 'شكراً خالد، لم يُعلن موعد رسمي بعد، وسنوافيكم بالتفاصيل.',
		'comment_parent'       => $c['khalid'],
		'user_id'              => $users['layla'],
	)
);
$c['reply2']  = sahifa_comment(
	$p['summit'],
	'2023-03-14 15:45:00',
	array(
		'comment_author'       => 'خالد العتيبي',
		'comment_author_email' => 'khalid@example.com',
		'comment_author_url'   => 'https://khalid.example.com/',
		'comment_author_IP'    => '192.0.2.10',
		'comment_content'      => "بانتظاركم.\nشكراً للرد السريع.",
		'comment_parent'       => $c['reply1'],
	)
);
$c['pending'] = sahifa_comment(
	$p['summit'],
	'2023-03-15 08:00:00',
	array(
		'comment_author'       => 'مريم',
		'comment_author_email' => 'mariam@example.net',
		'comment_author_IP'    => '2001:db8::1',
		'comment_content'      => 'أين يمكنني قراءة البيان الختامي كاملاً؟',
		'comment_approved'     => 0,
	)
);
$c['spam']    = sahifa_comment(
	$p['summit'],
	'2023-03-15 03:33:00',
	array(
		'comment_author'       => 'Cheap Watches',
		'comment_author_email' => 'seo@spam.example',
		'comment_author_url'   => 'https://spam.example/watches',
		'comment_author_IP'    => '203.0.113.66',
		'comment_content'      => 'Great post! Buy cheap watches at <a href="https://spam.example/watches">our store</a>.',
		'comment_approved'     => 0,
	)
);
sahifa_must( wp_spam_comment( $c['spam'] ), 'wp_spam_comment' );
$c['trash']   = sahifa_comment(
	$p['summit'],
	'2023-03-16 10:10:00',
	array(
		'comment_author'       => 'زائر',
		'comment_author_email' => 'visitor@example.org',
		'comment_author_IP'    => '192.0.2.99',
		'comment_content'      => 'تعليق مسيء حذفه المشرف.',
	)
);
sahifa_must( wp_trash_comment( $c['trash'] ), 'wp_trash_comment' );
$c['pingback'] = sahifa_comment(
	$p['summit'],
	'2023-03-17 09:00:00',
	array(
		'comment_author'       => 'مدونة الاقتصاد الخليجي',
		'comment_author_email' => '',
		'comment_author_url'   => 'https://blog.example.net/2023/03/17/gcc-summit/',
		'comment_author_IP'    => '198.51.100.20',
		'comment_content'      => '[&#8230;] كما نشرت صحيفة الاختبار عن قمة الرياض [&#8230;]',
		'comment_type'         => 'pingback',
		'comment_agent'        => 'WordPress/6.1; https://blog.example.net',
	)
);

// The oil post: one approved, one pending (edit.php approves it).
$c['oil1']        = sahifa_comment(
	$p['oil'],
	'2023-07-02 16:00:00',
	array(
		'comment_author'       => 'أحمد',
		'comment_author_email' => 'ahmed@example.com',
		'comment_author_IP'    => '192.0.2.33',
		'comment_content'      => 'هل سينعكس ذلك على أسعار الوقود محلياً؟',
	)
);
$c['oil_pending'] = sahifa_comment(
	$p['oil'],
	'2023-07-03 09:30:00',
	array(
		'comment_author'       => 'سلمى',
		'comment_author_email' => 'salma@example.org',
		'comment_author_url'   => 'https://salma.example.org/',
		'comment_author_IP'    => '198.51.100.44',
		'comment_content'      => 'أتوقع أن تستقر الأسعار قبل نهاية الربع.',
		'comment_approved'     => 0,
		'comment_parent'       => $c['oil1'],
	)
);

// English comments on the English post.
$c['en1'] = sahifa_comment(
	$p['english'],
	'2024-06-18 18:00:00',
	array(
		'comment_author'       => 'Jane Doe',
		'comment_author_email' => 'jane@example.com',
		'comment_author_url'   => 'https://jane.example.com',
		'comment_author_IP'    => '203.0.113.5',
		'comment_content'      => 'Which startups exactly? Names would help.',
	)
);
$c['en2'] = sahifa_comment(
	$p['english'],
	'2024-06-18 19:12:00',
	array(
		'comment_author'       => get_userdata( $users['noor'] )->display_name,
		'comment_author_email' => get_userdata( $users['noor'] )->user_email,
		'comment_author_IP'    => '198.51.100.9',
		'comment_content'      => 'Fair point, Jane: we will publish a list next week.',
		'comment_parent'       => $c['en1'],
		'user_id'              => $users['noor'],
	)
);

// The long-title post.
$c['long1'] = sahifa_comment(
	$p['long'],
	'2025-03-04 07:30:00',
	array(
		'comment_author'       => 'يوسف',
		'comment_author_email' => 'yousef@example.com',
		'comment_author_IP'    => '192.0.2.140',
		'comment_content'      => 'خطوة مهمة لأمن الملاحة.',
	)
);

// A comment on the post published by mistake; trashing the post then moves
// it to the comment status "post-trashed" (and the post's slug gets
// "__trashed" appended).
$c['on_trashed'] = sahifa_comment(
	$p['trash'],
	'2024-12-01 13:20:00',
	array(
		'comment_author'       => 'قارئ',
		'comment_author_email' => 'reader@example.com',
		'comment_author_IP'    => '192.0.2.77',
		'comment_content'      => 'هل هذا الخبر صحيح؟',
	)
);
sahifa_must( wp_trash_post( $p['trash'] ), 'wp_trash_post' );

// ---------------------------------------------------------------------------
// Check a few things WordPress did for us, then record the ids.
// ---------------------------------------------------------------------------

$statuses = array(
	'future'   => 'future',
	'draft'    => 'draft',
	'pending'  => 'pending',
	'private'  => 'private',
	'trash'    => 'trash',
	'password' => 'publish',
);
foreach ( $statuses as $key => $want ) {
	if ( get_post_status( $p[ $key ] ) !== $want ) {
		throw new RuntimeException( "post '$key' has status " . get_post_status( $p[ $key ] ) . ", expected $want" );
	}
}
if ( strpos( get_post_field( 'post_name', $p['summit'] ), '%d9%' ) === false ) {
	throw new RuntimeException( 'the Arabic slug of post summit is not percent-encoded: ' . get_post_field( 'post_name', $p['summit'] ) );
}
if ( ! is_sticky( $p['sticky'] ) ) {
	throw new RuntimeException( 'post sticky is not sticky' );
}
if ( (int) get_post_thumbnail_id( $p['summit'] ) !== $img['summit'] ) {
	throw new RuntimeException( 'featured image of post summit is not set' );
}

update_option(
	'sahifa_fixture',
	array(
		'users'       => $users,
		'categories'  => $cat,
		'attachments' => $img,
		'posts'       => $p,
		'pages'       => $pg,
		'menu'        => array( 'id' => $menu_id ) + $menu,
		'comments'    => $c,
	),
	false
);

fwrite(
	STDERR,
	sprintf(
		"populate.php: %d posts, %d pages, %d attachments, %d comments, %d users, %d categories, %d menu items\n",
		count( $p ),
		count( $pg ),
		count( $img ),
		count( $c ),
		count( $users ) + 1,
		count( $cat ),
		count( $menu )
	)
);

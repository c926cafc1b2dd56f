"""Every numeric threshold of the extractor, named, with what it guards.

Lengths are characters of cleaned text; shares are fractions of a block's
(or a page's) text. Each comment says where the value came from. The git
history records no alternatives tried for any of them: "set while fixing
holdoutN" means the value was chosen when that corpus's pages were being
made to pass, and has held on every corpus since (`make eval`). "First
guess" means it came with the first extractor (b31a05b, 2b6cff6), before
any labelled corpus existed, and was never changed.
"""
from __future__ import annotations

# ------------------------------------------------------------- page index

# An element holding this share of the page's text is a wrapper, never chrome, whatever its class; set with the golden corpus (4816419).
WRAPPER_SHARE = 0.45
# An element holding this share of the page's running text (link-free blocks of a sentence's length) is the article's wrapper, never chrome, whatever its class; set on trafilatura's evaluation pages (a slideshow in "rt_slide", a recipe card classed "header-content-align-left").
WRAPPER_RUNNING_SHARE = 0.5
# ... when the page has at least this much running text (a lone pop-up line is not an article); same pages.
WRAPPER_RUNNING_MIN_CHARS = 400
# A client-side template with this much text and no placeholders is a post's finished markup (Blogger's dynamic views); set on trafilatura's evaluation pages (security.googleblog.com).
TEMPLATE_MIN_CHARS = 400
# Line breaks in a row that end a paragraph: <br><br> is a blank line (4816419, golden corpus).
PARAGRAPH_BREAKS = 2
# How many ancestors a class-name hint (lead, breadcrumb, avatar) is looked for on; set while fixing holdout2 (d927fb6).
CLASS_HINT_DEPTH = 3
# A breadcrumb's class is looked for this many levels up from a dateline candidate; set while fixing holdout6 (59043eb).
BREADCRUMB_DEPTH = 2

# ----------------------------------------------------------------- title

# Shortest and longest text a heading may have to be the headline; first guess.
TITLE_MIN, TITLE_MAX = 8, 400
# A heading and a <title> part match as prefixes only when the shorter holds this share of the longer ("Hội nghị" is not "Hội nghị sơ kết…"); golden corpus (dad6363).
TITLE_PREFIX_SHARE = 0.6
# Penalties, in blocks, added to a heading's distance from the dateline: h1/h2, other headings, bold or classed blocks; first guess (2b6cff6).
RANK_H1_H2, RANK_HEADING, RANK_OTHER = 0, 1, 3
# An undated static page's headline has at least this much running text under it, else the first h1 is taken; set while fixing pagekinds (5dee809).
STATIC_TITLE_MIN_TEXT = 200

# -------------------------------------------------------------- datelines

# A dateline is at most this long (a longer line is a sentence that holds a date); first guess, reused for the dateline test of leads and update lines (d927fb6).
DATELINE_MAX_CHARS = 160
# Letters a dateline may hold besides its date and dateline words (views, print, a name); first guess (2b6cff6).
DATELINE_MAX_RESIDUE = 30
# A line with this few letters besides the date is a bare date, which needs no "Cập nhật"/weekday word; golden corpus (4816419), reused for update lines after the byline in review (250e9a5).
BARE_DATE_RESIDUE = 2
# A label cell before a bare date ("Ngày ban hành:") is at most this long; set while fixing holdout (36963c8).
DATE_LABEL_MAX_CHARS = 40
# An info box ("Chuyên mục: …", "Ngày đăng: …") is this short: its lines are read one by one, and it leaves the body with its dateline; holdout6 (59043eb).
INFO_BOX_MAX_CHARS = 300
# A dateline is near the title when at most this many blocks lie between them; 8 after the title is a first guess, 8 before since holdout3 (29d48b9, was 4).
DATE_NEAR_TITLE_BLOCKS = 8
# ... and less than this much link-free text (no paragraph between them); set while fixing holdout (36963c8).
DATE_NEAR_TITLE_CHARS = 200
# With no title found, the nearest heading may sit this many blocks before the dateline, or this many after it; first guess (2b6cff6).
HEADING_BEFORE_DATE_BLOCKS, HEADING_AFTER_DATE_BLOCKS = 6, 1

# ------------------------------------------------------------------- body

# A site selector's element must hold more text than this to be the body; first guess.
SELECTOR_BODY_MIN_CHARS = 80
# Blocks shorter than this do not score a body container; first guess.
SCORE_MIN_BLOCK_CHARS = 25
# How a block's length scores for itself, its parent and its grandparent (bare layouts put the text in one <td>); first guess.
SCORE_SELF, SCORE_PARENT, SCORE_GRANDPARENT = 0.5, 1, 0.6
# More link text than this share is navigation: such a block scores no container, and such a body is no article; first guess.
MAX_LINK_DENSITY = 0.4
# A link-free block this long is running text: a lead (sapô), or the paragraph that resumes the body after an inline related list; holdout2 (d927fb6), holdout5 (644d505).
SENTENCE_MIN_CHARS = 80
# A line whose text is at least this share link text is a link line (a related item, "Xem thêm: <a>…</a>", a table row of links), not prose (nor a dateline); first guess, reused in holdout2 (d927fb6) and holdout7 (738d13f).
MOSTLY_LINKS = 0.5
# A line whose text is at least this share link text is a lone link or a related list's own item; first guess, reused for inline related lists in holdout5 (644d505).
LINK_LIST_SHARE = 0.8
# Link lines and dated link items are dropped from the body only when shorter than this; first guess.
LINK_LINE_MAX_CHARS = 200
# A "Tin khác"/"Chia sẻ" line ends the body only when its plain text is this short ("Chia sẻ tại hội nghị, …" is a sentence); set in review (250e9a5).
STOP_HEADING_MAX = 60
# A stop line longer than this that is mostly links is an inline "Xem thêm" line, skipped, not an end; set while fixing holdout2 (d927fb6).
STOP_LINK_LINE_MIN_CHARS = 25
# A stop line inside the body is skipped when this many link-free paragraphs in a row follow it ...;
# set on trafilatura's evaluation pages (bench/bench_real.py: "Partager", "Share on Pinterest", "Mehr zum Thema" mid-article).
RESUME_PARAGRAPHS = 2
# ... after at most this many short or linked lines (a share bar's buttons, a teaser; same pages).
RESUME_MAX_SKIPPED = 6
# A "File đính kèm:" label is at most this long; set while fixing holdout3 (acd46f9).
ATTACH_LABEL_MAX_CHARS = 40
# How many ancestors an attachment-box class is looked for on; set while fixing holdout3 (acd46f9).
ATTACH_BOX_DEPTH = 4
# A line shorter than this (not a caption, not italic) may be a print layout's running header; set while fixing holdout4 (c9fa3d6).
RUNNING_LINE_MAX_CHARS = 100
# ... and is one when printed this many times in the body (same commit).
RUNNING_LINE_REPEATS = 2
# A one-paragraph container is widened at most this many levels up (page builders nest each paragraph); holdout3's Tilda pages (e08135f).
WIDEN_LEVELS = 4
# ... only when it holds at most this many paragraphs ...
WIDEN_MAX_PARAGRAPHS = 2
# ... and only over text with at most this link share ...
WIDEN_MAX_LINK_SHARE = 0.2
# ... and at least this many characters per added block on average (same commit).
WIDEN_MIN_MEAN_CHARS = 40
# An article split over sibling elements is merged this many levels up from its container; set on
# trafilatura's evaluation pages (bench/bench_real.py: sections one, two and three wrappers apart).
SECTION_LEVELS = 3
# ... over siblings whose text has at most this link share, with a paragraph of running text (same pages).
SECTION_MAX_LINK_SHARE = 0.2
# ... and at least this much text (a sign-up box's two lines are not a section; same pages).
SECTION_MIN_CHARS = 200

# ---------------------------------------------------------------- bylines

# A byline (or source credit) line is at most this long; first guess.
BYLINE_MAX_CHARS = 120
# A source credit ("Theo Báo X", "Nguồn: …") is shorter than this; first guess.
SOURCE_CREDIT_MAX_CHARS = 80
# A name has this many words; first guess, reused for "Name Role" lines in holdout4 (844c082).
NAME_MIN_WORDS, NAME_MAX_WORDS = 2, 5
# An all-capitals word this long among capitalised words is a unit's acronym, not part of a name; first guess.
ACRONYM_MIN_CHARS = 3
# A byline just before a last photo and its caption is at most this long; set while fixing holdout6 (bc20967).
BYLINE_BEFORE_PHOTO_MAX_CHARS = 80
# A byline printed on two lines (name, then role) is at most this long; set while fixing holdout4 (49519c3).
TWO_LINE_BYLINE_MAX_CHARS = 160
# A bold byline closing the last paragraph follows a sentence at least this long; set while fixing holdout6 (bc20967).
BOLD_BYLINE_MIN_SENTENCE = 40

# ------------------------------------------------------------------ media

# An image this many pixels wide or high (or less) is an icon; first guess ("30%" is no pixel size since 250e9a5).
ICON_MAX_PX = 40
# A caption is shorter than this (longer text next to a photo is a paragraph); first guess, reused for italic, wrapper and above-photo captions (36963c8, 844c082, bc20967).
CAPTION_MAX_CHARS = 250
# A block this share italic reads as a caption; set while fixing holdout (36963c8).
ITALIC_CAPTION_SHARE = 0.9
# A table holding a photo gives its other rows as the caption when it has 2 to this many rows; first guess.
TABLE_CAPTION_MAX_ROWS = 3
# ... and when those rows' text is shorter than this; first guess.
TABLE_CAPTION_MAX_CHARS = 400
# Attachment boxes are looked for this many wrappers out from the body; set while fixing holdout3 (acd46f9).
ATTACHMENT_BOX_LEVELS = 3
# A caption or credit class is looked for on a block and this many wrappers up, to keep it out of the body;
# set on trafilatura's evaluation pages (bench/bench_real.py: "Foto: …" lines in <p class="credit">).
CAPTION_CLASS_DEPTH = 2

# -------------------------------------------------------------- page kind

# An article needs this much body text, unless it carries a photo or a file or says it is one; first guess.
MIN_ARTICLE_CHARS = 120
# A dated notice needs only this much ("one sentence and a file"); set in review 2 (9859607).
MIN_NOTICE_CHARS = 20
# An undated static page needs this much body text; first guess.
MIN_PAGE_CHARS = 200
# A link this long is a headline: listings are made of them; golden corpus (4816419), reused for dated teasers in pagekinds (5dee809).
HEADLINE_MIN_CHARS = 20
# A dated page is a listing when it links this many headlines ...; golden corpus (4816419).
MIN_HEADLINES = 5
# ... whose text is at least this share of the body's; golden corpus (4816419).
HEADLINE_SHARE = 0.25
# An undated page needs fewer: three "<a>Title</a> (date) summary" items are a short listing; pagekinds (5dee809).
MIN_UNDATED_HEADLINES = 3
# ... making at least this share of its text; pagekinds (5dee809).
UNDATED_HEADLINE_SHARE = 0.2
# This many dates printed right under headline links make the page a listing; pagekinds (5dee809).
MIN_DATED_TEASERS = 3
# ... a headline link being at least this share of its line; pagekinds (5dee809).
TEASER_LINK_SHARE = 0.6
# A static page whose body is shorter than this and says "deleted"/"maintenance" is an error page; pagekinds (5dee809).
ERROR_PAGE_MAX_BODY = 400
# A page with no article whose whole text is shorter than this and says so is an error page; pagekinds (5dee809).
ERROR_PAGE_MAX_TEXT = 600
# A page the anchored reading finds no article on is read again from its top, and archived when its body
# has a link-free paragraph this long ...; set on trafilatura's evaluation pages (bench/bench_real.py);
# 400, not less: pagekinds' listing_long_summaries has a 314-character teaser.
RUNNING_TEXT_BLOCK_CHARS = 400
# ... and this much link-free text in all (same pages); no committed corpus changed kind with these.
RUNNING_TEXT_MIN_CHARS = 1000
# With paragraphs of only this length, the same reading is an article only if it passes the listing
# checks too (headline links, dated teasers); same pages (alpin.de, minuto30: 356-378 character paragraphs).
SHORTER_RUNNING_BLOCK_CHARS = 250
# An article whose body is shorter than this is read again from the top of its page ...; set on trafilatura's evaluation pages (bench/bench_real.py: bodies of 69-191 characters that were a caption or a teaser).
SHORT_BODY_CHARS = 500
# ... and that reading replaces it when its body is this many times longer (same pages).
LONGER_READING = 3
# A declared, dated post read past the listing checks (declared.link_post) links to other sites with at
# least this share of its link text; a listing links to the site's own pages. Set on trafilatura's evaluation
# pages (nurmeinstandpunkt's link roll: all its links go elsewhere); a half is the plain majority.
EXTERNAL_LINK_SHARE = 0.5

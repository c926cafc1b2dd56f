"""Issue 15 on the mirror: an edit and a take-down, then a re-check.

The edited article gets a second version whose `history` diff shows the
added text; the removed ones keep their body and versions with `removed_at`
set (a redirect to /notfound and a 410), are not failures of the run, stay
removed on later nights with the date of the first, and come back to life
when the site serves them again. One archive for the whole module: each test
is a later night of the same archive, in order."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.mirror.server import MirrorServer
from tests.mirror.site import EDIT_SENTENCE, build_site

from .conftest import ROOT
from .helpers import crawl, get_json, post
from .helpers import rows as query


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """The mirror, an archive of it, and the articles touched tonight."""
    db = tmp_path_factory.mktemp("removals") / "archive.db"
    with MirrorServer(build_site()) as mirror:
        first = crawl(mirror.url, db)
        assert first.returncode == 0, first.stderr[-2000:]
        articles = get_json(mirror.url + "__mirror/manifest.json")["articles"]
        edited, redirected, gone = articles[3], articles[5], articles[7]
        post(mirror.url + "__mirror/edit?url=" + edited["path"])
        post(mirror.url + "__mirror/remove?url=" + redirected["path"])
        post(mirror.url + "__mirror/remove?url=" + gone["path"] + "&status=410")
        recheck = crawl(mirror.url, db, "--revalidate", "36500")
        yield {"mirror": mirror, "db": db, "edited": edited, "redirected": redirected,
               "gone": gone, "recheck": recheck}


def history(db, url):
    return subprocess.run([sys.executable, "-m", "scraper", "history", url, "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def last_run(db):
    return query(db, "select * from crawl_runs order by id desc limit 1")[0]


def test_recheck_counts_what_it_found(night):
    assert night["recheck"].returncode == 0, night["recheck"].stderr[-2000:]
    run = last_run(night["db"])
    assert (run["rechecked_changed"], run["removed"], run["articles_updated"]) == (1, 2, 1)
    # Every other dated article answered the conditional request with a 304.
    # (The rolling re-check, ARCHIVER_RECHECK_DAYS, also takes the least
    # recently checked seventh of the archive, pages included: every row was
    # checked within a second or two of the first run, so whether the undated
    # "Giới thiệu" page, sent without validators and counted "unchanged", is
    # among them varies from run to run. Only articles are held to 304.)
    outcomes = query(night["db"], "select r.outcome, count(*) n from rechecks r "
                                  "join articles a on a.url = r.url "
                                  "where r.run_id = ? and a.kind = 'article' "
                                  "group by r.outcome", [run["id"]])
    assert {r["outcome"]: r["n"] for r in outcomes} == {
        "changed": 1, "removed": 2, "not_modified": run["not_modified"]}
    assert run["not_modified"] >= 50
    assert run["rechecked"] - sum(r["n"] for r in outcomes) <= 1


def test_edited_article_has_a_second_version_whose_history_shows_the_added_text(night):
    db, url = night["db"], night["edited"]["url"]
    versions = query(db, "select version, words_added, words_removed from article_versions "
                         "where url = ? order by version", [url])
    added = EDIT_SENTENCE.format(n=1)
    assert [v["version"] for v in versions] == [1, 2]
    assert (versions[1]["words_added"], versions[1]["words_removed"]) == (len(added.split()), 0)
    out = history(db, url)
    assert out.returncode == 0, out.stderr
    assert "version 1" in out.stdout and "version 2" in out.stdout and "crawl run 2" in out.stdout
    plus = [line for line in out.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    minus = [line for line in out.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert len(plus) == len(minus) == 1  # one paragraph changed
    assert plus[0].endswith(added) and plus[0][1:].startswith(minus[0][1:])
    change = query(db, "select * from article_changes where url = ?", [url])
    assert len(change) == 1 and change[0]["words_changed"] == len(added.split())


def test_removed_articles_keep_their_body_and_get_removed_at(night):
    db, run = night["db"], last_run(night["db"])
    for key in ("redirected", "gone"):
        row = query(db, "select * from articles where url = ?", [night[key]["url"]])[0]
        assert row["removed_at"] and row["removed_at"] >= run["started_at"]
        assert row["body_text"] and row["title"] == night[key]["title"] and row["version"] == 1
    # A removal is not a failure of the run.
    failed = {r["url"] for r in query(db, "select url from failures where run_id = ?", [run["id"]])}
    assert not failed & {night["redirected"]["url"], night["gone"]["url"]}
    view = {r["url"] for r in query(db, "select url from removed_articles")}
    assert view == {night["redirected"]["url"], night["gone"]["url"]}
    out = history(db, night["gone"]["url"])
    assert "removed from the site: first found gone at" in out.stdout


def test_removed_articles_appear_in_exports(night, tmp_path):
    out = subprocess.run([sys.executable, "-m", "scraper", "export", "--format", "jsonl", "-o",
                          str(tmp_path / "a.jsonl"), "--db", str(night["db"])],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    removed = {r["url"] for r in records if r.get("removed_at")}
    assert removed == {night["redirected"]["url"], night["gone"]["url"]}


def test_a_later_night_keeps_the_first_removal_date_and_a_restored_article_lives_again(night):
    db, mirror = night["db"], night["mirror"]
    before = {r["url"]: r["removed_at"] for r in query(
        db, "select url, removed_at from articles where removed_at is not null")}
    post(mirror.url + "__mirror/restore?url=" + night["redirected"]["path"])
    # No --revalidate: the rolling schedule re-checks removed pages first.
    out = crawl(mirror.url, db)
    assert out.returncode == 0, out.stderr[-2000:]
    run = last_run(db)
    after = {r["url"]: r["removed_at"] for r in query(
        db, "select url, removed_at from articles where removed_at is not null")}
    assert after == {night["gone"]["url"]: before[night["gone"]["url"]]}
    outcomes = {r["url"]: r["outcome"] for r in query(
        db, "select url, outcome from rechecks where run_id = ?", [run["id"]])}
    assert outcomes[night["redirected"]["url"]] == "restored"
    assert outcomes[night["gone"]["url"]] == "still_removed"
    assert run["removed"] == 0


def test_removals_and_edits_appear_in_the_report(night, tmp_path):
    out = subprocess.run([sys.executable, "-m", "scraper", "report", "-o", str(tmp_path / "r.html"),
                          "--db", str(night["db"])], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    removed = page[page.index("Removed from the site"):page.index("Latest edits")]
    assert night["gone"]["title"] in removed
    edits = page[page.index("Latest edits"):page.index("Last crawl runs")]
    assert night["edited"]["title"] in edits


def test_a_night_on_which_most_pages_are_gone_is_judged_failed(tmp_path):
    # The site moved (every article now redirects to its not-found page): the
    # pages keep their bodies, and the run says it failed.
    db = tmp_path / "archive.db"
    with MirrorServer(build_site(14)) as mirror:
        assert crawl(mirror.url, db).returncode == 0
        articles = get_json(mirror.url + "__mirror/manifest.json")["articles"]
        for article in articles:
            post(mirror.url + "__mirror/remove?url=" + article["path"])
        out = crawl(mirror.url, db, "--revalidate", "36500")
    assert out.returncode == 1, out.stdout[-2000:]
    run = last_run(db)
    assert run["removed"] == len(articles) and run["rechecked"] >= 10
    assert "re-checked pages answered gone" in run["message"]
    kept = query(db, "select count(*) n from articles where removed_at is not null and body_text != ''")
    assert kept[0]["n"] == len(articles)

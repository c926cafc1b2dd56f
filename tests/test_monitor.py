"""The run's verdict on itself."""
from scraper.monitor import judge_run

OK = dict(finish_reason="finished", pages_fetched=80, articles_seen=60, failures=2,
          coverage={"title": 1.0, "published_at": 0.98, "body_text": 1.0},
          unparsed_article_pages=0, max_failures=50, min_coverage=0.95, max_unparsed_share=0.05)


def judge(**changes):
    return judge_run(**{**OK, **changes})


def test_a_healthy_run_passes():
    assert judge().exit_status == 0


def test_each_budget_fails_the_run_and_says_why():
    assert "failures" in judge(failures=51).message
    assert "published_at" in judge(coverage={**OK["coverage"], "published_at": 0.9}).message
    assert "none was parsed" in judge(articles_seen=0, unparsed_article_pages=12).message
    assert "could not be parsed" in judge(unparsed_article_pages=10).message
    assert "ended early" in judge(finish_reason="shutdown").message
    assert "no page" in judge(pages_fetched=0).message
    assert "could not be written" in judge(store_errors=1).message
    assert "no HTML page" in judge(pages_parsed=0).message
    assert "start page" in judge(start_failed=True).message
    assert judge(failures=51).exit_status == 1

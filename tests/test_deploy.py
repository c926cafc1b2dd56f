"""The scheduled job as shipped: the script runs a crawl and logs under data/logs."""
import os
import subprocess

from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT


def test_deploy_files_point_at_the_nightly_script():
    service = (ROOT / "deploy" / "congdoanbackan-archiver.service").read_text()
    assert "deploy/nightly.sh" in service and "Type=oneshot" in service
    timer = (ROOT / "deploy" / "congdoanbackan-archiver.timer").read_text()
    assert "OnCalendar=" in timer and "Persistent=true" in timer
    cron = (ROOT / "deploy" / "crontab.txt").read_text()
    assert "deploy/nightly.sh" in cron


def test_nightly_script_crawls_and_logs(tmp_path):
    # Run the script from a copy of the project so that its data/ is ours.
    work = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(work)], check=True)
    for name in ("deploy", "scraper", "spiders", "pipelines"):  # uncommitted edits too
        subprocess.run(["cp", "-r", str(ROOT / name), str(work)], check=True)
    os.symlink(ROOT / ".venv", work / ".venv")
    with MirrorServer(build_site()) as server:
        out = subprocess.run(
            [str(work / "deploy" / "nightly.sh"), "--base-url", server.url, "--delay", "0",
             "--concurrency", "8"], cwd=work, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, (out.stdout, out.stderr)
    logs = list((work / "data" / "logs").glob("crawl-*.log"))
    assert len(logs) == 1 and "Spider closed" in logs[0].read_text()
    summary = (work / "data" / "logs" / "summary.log").read_text()
    assert "exit=0" in summary and " new, " in summary
    assert (work / "data" / "archive.db").exists()

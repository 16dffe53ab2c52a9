"""`portal-archive crawl` with its catalog on a real PostgreSQL (PORTAL_CATALOG_URL):
what it archives lands there, the next crawl knows it, and the series' lease keeps a
crawl from another machine (another data folder) off the site."""

from __future__ import annotations

from pathlib import Path

from portal_archive.archive.catalog import Catalog
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import crawl_demo, run_cli


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def _counts(url: str) -> dict[str, int]:
    catalog = Catalog(url)
    try:
        return {"articles": len(catalog.articles("demo")), "versions": len(catalog.versions()),
                "captures": len(catalog.captures()), "runs": len(catalog.runs("demo")),
                "new": len(catalog.events(type_="new", site="demo"))}
    finally:
        catalog.close()


def test_a_crawl_with_its_catalog_on_postgresql(portal: DemoPortal, tmp_path: Path,
                                                postgres_url: str) -> None:
    env = {"PORTAL_CATALOG_URL": postgres_url, "PORTAL_WORKER_ID": "machine-1"}
    first = crawl_demo(portal, tmp_path / "one", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert not (tmp_path / "one" / "catalog.sqlite").exists()  # all of it on the server
    after_first = _counts(postgres_url)
    assert after_first["articles"] > 0 and after_first["captures"] > after_first["articles"]
    assert after_first["versions"] == after_first["articles"] == after_first["new"]
    assert after_first["runs"] == 1
    catalog = Catalog(postgres_url)
    try:
        assert catalog.take_lease("demo", "probe", 60) is None, "the crawl kept its lease"
        catalog.release_lease("demo", "probe")
        (run,) = catalog.runs("demo")
        assert run["status"] == "finished"
    finally:
        catalog.close()

    again = crawl_demo(portal, tmp_path / "one", env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    after_again = _counts(postgres_url)
    # Known from the server's catalog: nothing new, no article twice.
    assert after_again["new"] == after_first["new"]
    assert after_again["articles"] == after_first["articles"]
    assert after_again["runs"] == 2
    verified = run_cli("verify", "--data", str(tmp_path / "one"), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr  # files and rows agree
    rebuild = run_cli("verify", "--data", str(tmp_path / "one"), "--rebuild-catalog", env=env)
    assert rebuild.returncode == 1
    assert "not the server's of PORTAL_CATALOG_URL" in _one_error_line(rebuild.stderr)

    # Another machine's crawl of the site holds its lease: this one is refused.
    catalog = Catalog(postgres_url)
    try:
        assert catalog.take_lease("demo", "machine-2", 60) is None
        refused = crawl_demo(portal, tmp_path / "two", env=env)
    finally:
        catalog.release_lease("demo", "machine-2")
        catalog.close()
    assert refused.returncode == 1
    line = _one_error_line(refused.stderr)
    assert "another crawl of site 'demo' is running: machine-2 holds its lease until" in line
    assert not list((tmp_path / "two").glob("warc/*/*.warc.gz"))
    assert _counts(postgres_url)["captures"] == after_again["captures"]


def test_a_catalog_server_that_is_down_or_a_mistyped_url(tmp_path: Path) -> None:
    for url, said in (("postgresql://portal@127.0.0.1:9/catalog",
                       "cannot use the catalog at postgresql+psycopg://portal@127.0.0.1:9/"),
                      ("postgress://portal@127.0.0.1/catalog", "names 'postgress'")):
        for args in (("crawl", "demo", "--data", str(tmp_path)),
                     ("changes", "--data", str(tmp_path))):
            result = run_cli(*args, env={"PORTAL_CATALOG_URL": url})
            assert result.returncode == 1, (args, result.stderr)
            assert said in _one_error_line(result.stderr), args

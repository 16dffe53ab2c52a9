"""A revisit's original is found by payload digest among its URL's captures, by index."""

from pathlib import Path

from portal_archive.archive.catalog import RESPONSE_WITH_PAYLOAD, Capture, Catalog

URL = "http://p.test/tin/a-1.html"


def _capture(catalog: Catalog, n: int, status: int, digest: str, url: str = URL) -> None:
    catalog.add_capture(Capture(
        run_id=f"run-{n}", url=url, captured_at=f"2026-12-0{n}T00:00:00.000000Z",
        status=status, mime="text/html", payload_digest=digest, record_id=f"<urn:uuid:{n}>",
        record_type="response", warc_file="s/s.warc.gz", warc_offset=n, warc_length=1,
    ))


def test_the_original_is_the_capture_with_that_payload_not_the_latest(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    _capture(catalog, 1, 200, "sha1:PAGE")
    _capture(catalog, 2, 503, "sha1:ERROR")
    _capture(catalog, 3, 200, "sha1:PAGE", url=URL + "?other")
    assert catalog.latest_response(URL)["status"] == 503
    assert catalog.latest_response(URL, status=200)["record_id"] == "<urn:uuid:1>"
    assert catalog.response_with_payload(URL, "sha1:PAGE", 200)["record_id"] == "<urn:uuid:1>"
    # The same bytes under another status, or another URL's bytes, are no original.
    assert catalog.response_with_payload(URL, "sha1:PAGE", 404) is None
    assert catalog.response_with_payload(URL, "sha1:OTHER", 200) is None
    catalog.close()


def test_the_lookup_uses_an_index(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    plan = " ".join(row[-1] for row in catalog.execute(
        "EXPLAIN QUERY PLAN " + RESPONSE_WITH_PAYLOAD,
        {"url": URL, "digest": "sha1:PAGE", "status": 200}))
    assert "USING INDEX responses_by_payload" in plan, plan
    catalog.close()

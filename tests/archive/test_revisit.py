import doctest

from portal_archive.archive import revisit
from portal_archive.archive.revisit import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Original,
    payload_digest,
    revisit_profile,
)

ORIGINAL = Original("http://p.test/a", "2025-06-27T09:22:00.000000Z", "<urn:uuid:1>",
                    payload_digest(b"page"), 200)


def test_identical_payload_is_a_revisit() -> None:
    assert revisit_profile(200, payload_digest(b"page"), ORIGINAL) == IDENTICAL_PAYLOAD


def test_changed_payload_or_status_is_a_full_record() -> None:
    assert revisit_profile(200, payload_digest(b"page!"), ORIGINAL) is None
    assert revisit_profile(404, payload_digest(b"page"), ORIGINAL) is None


def test_not_modified_is_a_server_not_modified_revisit() -> None:
    assert revisit_profile(304, payload_digest(b""), ORIGINAL) == SERVER_NOT_MODIFIED


def test_first_capture_is_a_full_record() -> None:
    assert revisit_profile(200, payload_digest(b"page"), None) is None
    assert revisit_profile(304, payload_digest(b""), None) is None


def test_doctests() -> None:
    assert doctest.testmod(revisit).failed == 0

"""Revisit records: an unchanged payload is archived as a reference, not a second copy.

Two WARC/1.1 profiles are used. *identical-payload-digest*: the server sent the same bytes
as the last full capture of the URL. *server-not-modified*: the server answered 304 to
our conditional request (stored without an HTTP block, see revisit_record). Both name
the original (``WARC-Refers-To``, ``-Target-URI``,
``-Date``) and carry its payload digest, which is how replay tools find it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester

IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True)
class Original:
    """The full response record a revisit points at."""

    url: str
    warc_date: str
    record_id: str
    payload_digest: str
    status: int
    # Where it is (WARC file name and offset): the article JSON of a revisit points here.
    file: str = ""
    offset: int = -1


def payload_digest(body: bytes) -> str:
    """The digest warcio writes as WARC-Payload-Digest (sha1, base32).

    >>> payload_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def revisit_profile(status: int, digest: str, original: Original | None) -> str | None:
    """Which revisit profile applies to this response, or None for a full record."""
    if original is None:
        return None
    if status == 304:
        return SERVER_NOT_MODIFIED
    if status == original.status and digest == original.payload_digest:
        return IDENTICAL_PAYLOAD
    return None


def revisit_record(
    builder: RecordBuilder,
    url: str,
    profile: str,
    original: Original,
    http_headers: StatusAndHeaders,
    warc_headers: Mapping[str, str],
) -> ArcWarcRecord:
    # A 304's own status line would replay as an empty page: pywb serves a revisit with
    # the revisit's status. Without an HTTP block, replay takes the original's status,
    # headers and payload; the 304 itself stays in the catalog and its request record.
    block = None if profile == SERVER_NOT_MODIFIED else http_headers
    record = builder.create_revisit_record(
        url,
        original.payload_digest,
        original.url,
        original.warc_date,
        http_headers=block,
        warc_headers_dict=dict(warc_headers),
    )
    record.rec_headers.replace_header("WARC-Profile", profile)
    record.rec_headers.add_header("WARC-Refers-To", original.record_id)
    return record

"""Inline data: images: what is recorded of them, and that nothing about them raises."""

import base64
import doctest
import hashlib

import pytest

from portal_archive.crawler.extract import inline
from portal_archive.crawler.extract.inline import MAX_DECODED_BYTES, InlineImage, read_data_uri

PHOTO = bytes(range(256)) * 40  # 10 kB standing for a JPEG


def test_doctests() -> None:
    assert doctest.testmod(inline).failed == 0


def test_a_pasted_photo_is_its_type_size_and_digest() -> None:
    uri = "data:image/jpeg;base64," + base64.b64encode(PHOTO).decode()
    assert read_data_uri(uri) == InlineImage(
        "image/jpeg", len(PHOTO), "sha256:" + hashlib.sha256(PHOTO).hexdigest()
    )


def test_wrapped_lines_parameters_and_upper_case_are_read_alike() -> None:
    text = base64.b64encode(PHOTO).decode()
    wrapped = "\n".join(text[i:i + 76] for i in range(0, len(text), 76))
    one = read_data_uri("data:image/png;base64," + text)
    assert one is not None and one.sha256 is not None
    assert read_data_uri(f" DATA:Image/PNG;name=a.png;BASE64,{wrapped} ") == one


def test_percent_encoded_svg() -> None:
    svg = "<svg xmlns='http://www.w3.org/2000/svg'>" + "<rect width='9' height='9'/>" * 60
    got = read_data_uri("data:image/svg+xml;charset=utf-8," + svg.replace("<", "%3C"))
    assert got is not None and got.mime == "image/svg+xml" and got.bytes == len(svg)


@pytest.mark.parametrize(
    "uri",
    [
        "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==",
        "data:image/png;base64,iVBORw0K",
        "data:image/jpeg;base64,",
        "data:text/plain;base64," + "A" * 4000,
        "data:," + "A" * 4000,
        "data:image/jpeg;base64",  # no comma: not a data URI
        "data:image/png;base64,@@@@",  # malformed and tiny: no photo either
    ],
)
def test_spacers_and_non_images_are_no_images(uri: str) -> None:
    assert read_data_uri(uri) is None


@pytest.mark.parametrize(
    "payload",
    [
        "A" * 4001,  # 4n+1 characters: no padding completes it
        "A" * 2000 + "!*" + "A" * 2000,  # a stray character
        "A" * 2000 + "=" + "A" * 2003,  # padding in the middle
    ],
)
def test_malformed_base64_says_what_it_can(payload: str) -> None:
    assert read_data_uri("data:image/jpeg;base64," + payload) == InlineImage(
        "image/jpeg", None, None
    )


def test_over_the_cap_the_size_is_known_and_nothing_is_decoded() -> None:
    chars = (MAX_DECODED_BYTES // 3 + 1) * 4  # 20 MB and 3 bytes once decoded
    got = read_data_uri("data:image/jpeg;base64," + "A" * chars)
    assert got == InlineImage("image/jpeg", chars // 4 * 3, None)

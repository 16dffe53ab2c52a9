"""The demo portal's JPEGs: shipped files that a real decoder reads, distinct bytes per image."""

from __future__ import annotations

import concurrent.futures
import importlib
import io
from importlib.resources import files

import pytest

from portal_archive.crawler.demo import images
from portal_archive.crawler.demo.images import VARIANTS, article_image, no_image

PHOTOS = files("portal_archive.crawler.demo") / "photos"


def test_images_decode_with_a_real_decoder():
    pil = pytest.importorskip("PIL.Image")
    for id, k in ((1, 1), (2, 3), (99_999, 2)):
        im = pil.open(io.BytesIO(article_image(id, k)))
        im.load()
        assert im.size == (160, 120) and im.format == "JPEG"


def test_every_shipped_photo_is_a_small_baseline_jpeg():
    pil = pytest.importorskip("PIL.Image")
    names = sorted(p.name for p in PHOTOS.iterdir() if p.name.endswith(".jpg"))
    assert names == [f"hall-{v:02d}.jpg" for v in range(VARIANTS)] + ["no-image.jpg"]
    for name in names:
        data = (PHOTOS / name).read_bytes()
        assert len(data) < 4096 and data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
        im = pil.open(io.BytesIO(data))
        im.load()
        assert (im.format, im.size, im.mode) == ("JPEG", (160, 120), "RGB")
        assert "progressive" not in im.info  # baseline, as every browser and crawler reads
    assert len({(PHOTOS / n).read_bytes() for n in names}) == len(names)


def test_served_images_name_their_article_and_number():
    assert article_image(60, 2).startswith(b"\xff\xd8\xff\xfe")
    assert b"portal-archive demo image 60-2" in article_image(60, 2)
    assert article_image(60, 2) != article_image(60, 1) != article_image(61, 1)
    assert b"portal-archive demo no-image" in no_image()


def test_first_images_served_concurrently_are_all_whole() -> None:
    # The base JPEGs are read lazily; threads racing on a cold start once saw a
    # half-built list and answered 500.
    importlib.reload(images)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: images.article_image(i, 1 + i % 3), range(64)))
    assert all(r[:2] == b"\xff\xd8" and r[-2:] == b"\xff\xd9" for r in results)

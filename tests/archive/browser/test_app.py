"""Every page's frame over real HTTP: security headers, language (default Vietnamese,
English by ?lang=en and its cookie), the skip link, nav and labels, localized 404/400,
the mounted replay and the static CSS."""

from __future__ import annotations

import pytest

from .conftest import REPLAY_BASE, Archive, get

PAGES = ["/", "/site/demo", "/search?q=h%E1%BB%99i+ngh%E1%BB%8B", "/events"]


@pytest.mark.parametrize("path", [*PAGES, "/nowhere", "/events.atom"])
def test_every_answer_carries_the_security_headers(web: str, path: str) -> None:
    page = get(web + path)
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert f"img-src 'self' {REPLAY_BASE} data:" in csp and "form-action 'self'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_vietnamese_by_default_with_the_frame(web: str, path: str) -> None:
    page = get(web + path)
    assert page.status == 200, page.text
    tree = page.tree
    assert tree.get("lang") == "vi"
    skip = tree.cssselect("a.skip")[0]
    assert skip.get("href") == "#main" and tree.cssselect("main#main")
    nav = [a.get("href") for a in tree.cssselect("nav#nav a")]
    assert nav == ["/", "/search", "/events"]
    switch = tree.cssselect("a#lang-switch")[0]
    assert "lang=en" in switch.get("href") and switch.text_content().strip() == "English"


@pytest.mark.parametrize("path", PAGES)
def test_every_input_has_a_label(web: str, path: str) -> None:
    tree = get(web + path).tree
    labelled = {label.get("for") for label in tree.cssselect("label[for]")}
    for field in tree.cssselect("input, select, textarea"):
        if field.get("type") in ("hidden", "submit"):
            continue
        assert field.get("id") in labelled or field.get("aria-label"), field.attrib


@pytest.mark.parametrize("path", PAGES)
def test_tables_say_the_scope_of_their_headers(web: str, path: str) -> None:
    for th in get(web + path).tree.cssselect("th"):
        assert th.get("scope") in ("col", "row"), th.text_content()


def test_lang_en_sets_a_cookie_that_later_pages_follow(web: str) -> None:
    english = get(web + "/events?lang=en")
    assert english.tree.get("lang") == "en"
    assert "Change events" in english.text and "Sự kiện thay đổi" not in english.text
    cookie = english.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;")
    # Without ?lang, the cookie keeps English; links on the page keep it too.
    later = get(web + "/", cookie="lang=en")
    assert later.tree.get("lang") == "en" and "Archived sites" in later.text
    switch = later.tree.cssselect("a#lang-switch")[0]
    back = get(web + switch.get("href"), cookie="lang=en")
    assert back.tree.get("lang") == "vi"
    assert back.headers["Set-Cookie"].startswith("lang=vi;")


def test_an_unknown_page_is_404_in_the_layout_and_localized(web: str) -> None:
    vi = get(web + "/no/such/page")
    assert vi.status == 404 and vi.tree.cssselect("nav#nav")
    assert vi.tree.cssselect("#error-message")[0].text == "Không có trang này."
    en = get(web + "/no/such/page?lang=en")
    assert en.status == 404
    assert en.tree.cssselect("#error-message")[0].text == "There is no such page."


def test_a_bad_parameter_is_400_with_one_line(web: str) -> None:
    page = get(web + "/events?type=nonsense&lang=en")
    assert page.status == 400
    assert page.tree.cssselect("#error-message")[0].text == "There is no event type “nonsense”."


def test_replay_is_mounted_by_a_redirect_to_the_replay_origin(web: str, archive: Archive) -> None:
    url = archive.url(1)
    page = get(f"{web}/replay/all/20300101000000/{url}")
    assert page.status == 302
    assert page.headers["Location"] == f"{REPLAY_BASE}/all/20300101000000/{url}"
    # A Vietnamese path (and a space) goes out %-encoded, as it came, not as a header
    # wsgiref cannot send.
    vietnamese = "http://p.test/tin/h%E1%BB%99i%20ngh%E1%BB%8B.html"
    page = get(f"{web}/replay/all/20300101000000/{vietnamese}")
    assert page.status == 302
    assert page.headers["Location"] == f"{REPLAY_BASE}/all/20300101000000/{vietnamese}"


def test_static_css_is_served_and_nothing_else(web: str) -> None:
    css = get(web + "/static/style.css")
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert b":focus-visible" in css.body  # the visible focus every control gets
    assert get(web + "/static/..%2Fapp.py").status == 404
    assert get(web + "/static/app.py").status == 404


def test_only_get_is_answered(web: str) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as posted:
        urllib.request.urlopen(urllib.request.Request(web + "/", data=b"x", method="POST"))
    assert posted.value.code == 405


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_text_colours_keep_a_contrast_of_4_5(web: str) -> None:
    """WCAG AA for body text, over the stylesheet's own colours: each text colour on each
    background it is used on, and white on the status badges."""
    import re

    css = get(web + "/static/style.css").text
    colours = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-f]{6})", css))
    pairs = [(text, back) for text in ("ink", "muted", "link", "accent")
             for back in ("paper", "band")]
    pairs += [("ink", "mark")] if "mark" in colours else []
    for text, back in pairs:
        lighter, darker = sorted((_luminance(colours[text]), _luminance(colours[back])),
                                 reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (text, back)
    for badge in ("ok", "warn", "bad", "idle", "link"):
        ratio = 1.05 / (_luminance(colours[badge]) + 0.05)
        assert ratio >= 4.5, badge

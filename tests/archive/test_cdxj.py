import json
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from portal_archive.archive.cdxj import _first_at_or_after, lookup, url_key


def _write_index(path: Path, urls: list[str]) -> list[str]:
    lines = sorted(
        f"{url_key(u)} 2025062{i % 10}000000 {json.dumps({'url': u, 'offset': i})}\n"
        for i, u in enumerate(urls)
    )
    path.write_text("".join(lines))
    return lines


def test_lookup_matches_a_linear_scan_on_a_large_index(tmp_path: Path) -> None:
    rng = random.Random(7)
    urls = [f"http://p.test/tin-tuc/bai-{rng.randrange(5000)}.html" for _ in range(20000)]
    index = tmp_path / "x.cdxj"
    lines = _write_index(index, urls)
    for url in rng.sample(urls, 50) + ["http://p.test/none", "http://a.test/", "http://z.test/"]:
        key = url_key(url)
        expected = [line for line in lines if line.split(" ", 1)[0] == key]
        assert [f"{c.urlkey} {c.timestamp} {json.dumps(c.fields)}\n"
                for c in lookup(index, url)] == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("abcz/", min_size=1, max_size=6), max_size=80),
       st.text("abcz/", min_size=1, max_size=6), st.sampled_from([16, 64, 8192]))
def test_bisection_finds_the_first_line_not_below_the_key(tmp_path_factory, keys, key, block):
    path = tmp_path_factory.mktemp("b") / "i.cdxj"
    lines = sorted(f"{k} 20250101000000 {{}}\n" for k in keys)
    path.write_text("".join(lines))
    expected = sum(len(line) for line in lines if line.split(" ", 1)[0] < key)
    with open(path, "rb") as handle:
        assert _first_at_or_after(handle, key.encode(), block=block) == expected

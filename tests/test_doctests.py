import doctest

import pytest

import archive.cdxj
import archive.httpheaders
import archive.pywbchild
import archive.warcfile
import crawler.pipelines
import crawler.weburls


@pytest.mark.parametrize(
    "module", [archive.cdxj, archive.httpheaders, archive.pywbchild, archive.warcfile,
               crawler.pipelines, crawler.weburls]
)
def test_doctests(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0

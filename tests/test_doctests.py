import doctest

import pytest

from portal_archive.archive import cdxj, httpheaders, pywbchild, warcfile
from portal_archive.crawler import pipelines, weburls


@pytest.mark.parametrize(
    "module", [cdxj, httpheaders, pywbchild, warcfile,
               pipelines, weburls]
)
def test_doctests(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0

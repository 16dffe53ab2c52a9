"""The archive browser of ``portal-archive serve``: plain server-rendered pages over the
catalog (sites, browse, search, articles and their diffs, events), with replay left to
pywb on its own origin."""

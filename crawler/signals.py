"""portal-archive's own Scrapy signals (sentinels, as scrapy/signals.py defines them)."""

# Sent with ``event=`` (a dict, see archive/events.py) for every change detected; the
# alerts extension listens to it.
change_detected = object()

# Sent by the crawl's session (crawler/session.py) at engine_stopped, after every
# spider_closed handler, with ``session=`` and ``reason=`` (Scrapy's close reason): the
# moment for end-of-run change detection (crawler/monitor.py).
run_ending = object()

# Sent right after run_ending: every event of the run is known, so alerts go out.
run_events_complete = object()

# Sent by the spider, which writes no storage; the catalog's owners record them.
# listing_read: listing=, position=, links= (article URLs in listing order), response=.
listing_read = object()
# article_gone: url= (an archived article answered 404/410).
article_gone = object()
# request_skipped: url=, reason= (robots.txt or offsite: a decision, not an error).
request_skipped = object()

"""portal-archive's own Scrapy signals (sentinels, as scrapy/signals.py defines them)."""

# Sent with ``event=`` (a dict, see archive/events.py) for every change detected; the
# alerts extension listens to it.
change_detected = object()

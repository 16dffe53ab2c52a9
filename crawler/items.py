"""Items are plain dicts in the shape of the cleaned article JSON
(schema ``portal-archive.article/1``, see CONTRACT.md); this names the fields."""

ARTICLE_FIELDS = (
    "schema", "url", "site", "category", "title", "published", "published_raw",
    "event_date", "lead", "body", "images", "authors", "content_hash", "captured_at", "warc",
)

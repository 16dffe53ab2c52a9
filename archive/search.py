"""Full-text search of the archived articles, with Vietnamese folding.

Every version of every article is a row of ``search_docs`` (its original text, NFC) and
of the engine's full-text index over its *search-folded* text: lower case, every
combining mark gone, đ as d (``search_fold``). ``uy ban``, ``ủy ban``, ``uỷ ban`` and
``UỶ BAN`` all fold to ``uy ban``. SQLite: the FTS5 contentless table ``search_fts``
(rowid = version id); PostgreSQL: ``search_docs.tsv`` (a GIN index), ranked by
ts_rank_cd with the title weighing most, then lead, captions, body.

What keeps a query's cost bounded however common its words, and what it trades:

* A query is ranked over the newest ``RANK_WINDOW`` matching versions (after the
  filters), found in one walk in rowid order, which FTS5 does lazily and stops early;
  the rows ranked are that walk's rowids, never a second walk of the match. For a query
  with more matches, the best hit among *older* matches is not shown: the result says
  ``capped``, and a filter (site, dates) narrows the window to what is wanted.
* SQLite does not rank by bm25: its IDF walks every match of every word in the whole
  index on each query (130-630 ms for four common words over 500,000 articles), however
  few are ranked. A version scores 1, plus 8 when its title holds every word (one more
  FTS5 walk over the window's rowids); ties go to the newest. Coarser than bm25: two
  body matches are not told apart by how often the words occur.
* Filters are FTS5 columns too (``tags``: site, category, publication year, month and
  day tokens), so a filter narrows the walk inside the index instead of after a join.
  Plain words carry no column filter (FTS5 would then walk each word's whole doclist):
  a word shaped like a tag token is the only one confined to the text columns.

Highlighting is done in Python, on the shown hits only: a folded character is at the
same offset as its original, so a match in the folded text is marked in the original.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from portal_archive.archive.errors import PortalArchiveError

if TYPE_CHECKING:
    from portal_archive.archive.catalogdb import CatalogRow


class Catalog(Protocol):
    """What search needs of archive/catalog.py's Catalog (which imports this module)."""

    @property
    def is_server(self) -> bool: ...

    def execute(self, statement: str, params: Mapping[str, Any] | None = None,
                ) -> list[CatalogRow]: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

__all__ = ["RANK_WINDOW", "TOTAL_CAP", "Hit", "SearchDoc", "SearchQuery", "SearchResults",
           "Segment", "backfill_search", "index_document", "search", "search_doc_of",
           "search_facets", "search_fold"]

log = logging.getLogger(__name__)

# Matching versions ranked per query (the newest, after filters); matching articles
# counted. Beyond them a result is ``capped``.
RANK_WINDOW = 1000
TOTAL_CAP = RANK_WINDOW
# Words of a query beyond these are ignored (each is one more doclist to walk).
MAX_TERMS = 16
SNIPPET_WORDS = 30
# What a match in each field adds to a version's score on SQLite (every match has 1).
FIELD_WEIGHTS = (("title", 8.0),)
# A word that could be a filter token of ``tags`` (_tags) is looked for in the text
# columns alone; any other word needs no column filter, which costs FTS5 a walk of the
# word's whole doclist (515 ms against 15 ms for three common words and a month).
_TAG_LIKE = re.compile(r"[ymd]\d+|[sc][0-9a-f]{12}")


# -- folding -------------------------------------------------------------------------
def _fold_char(ch: str) -> str:
    """One character's folded form, always one character."""
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    for candidate in (base.lower(), base, ch.lower()):
        if len(candidate) == 1:
            return candidate
    return ch  # a lone combining mark, or a letter whose lower case is two (İ)


class _FoldTable(dict[int, str]):
    """str.translate's table, filled as characters are first met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable({code: _fold_char(chr(code)) for code in
                    [*range(0x80, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00)]})


class _WordCache(dict[str, str]):
    """Folded words by word: str.translate costs some 0.3 µs a character, a look-up of
    a word (Vietnamese has a few thousand syllables) a tenth of that."""

    LIMIT = 200_000  # then it starts again (a text of numbers, URLs)

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        folded = self[word] = word.translate(_FOLD)
        return folded


_FOLDED_WORDS = _WordCache()


def search_fold(text: str) -> str:
    """Lower case, without combining marks, đ as d; one character out per character in
    (of the NFC text), so offsets in the folded text are offsets in the original.

    >>> search_fold("Ủy ban Đảng")
    'uy ban dang'
    """
    if text.isascii():
        return text.lower()
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # split(" ") and join give back the text exactly, each word folded in its place.
    return " ".join(map(_FOLDED_WORDS.__getitem__, text.split(" ")))


# A word as the engines' tokenizers see one (unicode61: letters and digits).
_WORD = re.compile(r"[^\W_]+")


# -- documents -----------------------------------------------------------------------
@dataclass(frozen=True)
class SearchDoc:
    """What is indexed of one version: the cleaned article's searchable fields."""

    url: str
    site: str
    key: str
    category: str | None
    published: str | None
    captured_at: str
    title: str
    lead: str | None
    body: str  # paragraphs, one per line
    captions: str  # image captions, one per line

    @property
    def published_day(self) -> str | None:
        """The day in the portal's own offset, as published prints it."""
        day = (self.published or "")[:10]
        return day if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else None


def _strings(values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def search_doc_of(item: Mapping[str, Any], key: str) -> SearchDoc:
    """The document of a cleaned article (its JSON, CONTRACT.md)."""
    images = item.get("images") if isinstance(item.get("images"), list) else []
    captions = [image.get("caption") for image in images or [] if isinstance(image, dict)]
    return SearchDoc(
        url=str(item["url"]), site=str(item["site"]), key=key,
        category=_text(item.get("category")), published=_text(item.get("published")),
        captured_at=str(item["captured_at"]), title=_text(item.get("title")) or "",
        lead=_text(item.get("lead")), body="\n".join(_strings(item.get("body"))),
        captions="\n".join(_strings(captions)),
    )


def _tag(prefix: str, value: str) -> str:
    """A filter value as one index token (letters and digits only)."""
    return prefix + hashlib.sha1(value.encode("utf-8")).hexdigest()[:12]


def _tags(doc: SearchDoc) -> str:
    tags = [_tag("s", doc.site)]
    if doc.category is not None:
        tags.append(_tag("c", doc.category))
    day = doc.published_day
    if day is not None:
        tags += [f"y{day[:4]}", f"m{day[:4]}{day[5:7]}", f"d{day.replace('-', '')}"]
    return " ".join(tags)


_INSERT_DOC = (
    "INSERT INTO search_docs (id, url, site, key, category, published, published_day,"
    " captured_at, title, lead, body, captions, latest{tsv_column}) VALUES (:id, :url, :site,"
    " :key, :category, :published, :day, :captured_at, :title, :lead, :body, :captions,"
    " 1{tsv_value})"
)
_TSV = ("setweight(to_tsvector('simple', :f_title), 'A')"
        " || setweight(to_tsvector('simple', :f_lead), 'B')"
        " || setweight(to_tsvector('simple', :f_captions), 'C')"
        " || setweight(to_tsvector('simple', :f_body), 'D')")
_INSERT_SQLITE = _INSERT_DOC.format(tsv_column="", tsv_value="")
_INSERT_SERVER = _INSERT_DOC.format(tsv_column=", tsv", tsv_value=", " + _TSV)
_INSERT_FTS = ("INSERT INTO search_fts (rowid, title, lead, body, captions, tags)"
               " VALUES (:id, :f_title, :f_lead, :f_body, :f_captions, :tags)")
_DELETE_FTS = ("INSERT INTO search_fts (search_fts, rowid, title, lead, body, captions, tags)"
               " VALUES ('delete', :id, :f_title, :f_lead, :f_body, :f_captions, :tags)")
# The article's older versions are no longer its latest.
_NOT_LATEST = ("UPDATE search_docs SET latest = 0"
               " WHERE url = :url AND id < :id AND latest = 1")


def index_document(catalog: Catalog, version_id: int, doc: SearchDoc) -> None:
    """Index one version (within the caller's transaction, as its add_version)."""
    row: dict[str, Any] = {
        "id": version_id, "url": doc.url, "site": doc.site, "key": doc.key,
        "category": doc.category, "published": doc.published, "day": doc.published_day,
        "captured_at": doc.captured_at, "title": doc.title, "lead": doc.lead,
        "body": doc.body, "captions": doc.captions,
        **_fold_row(doc),
    }
    with catalog.transaction():
        _drop_orphan(catalog, version_id)
        if catalog.is_server:
            # Words alone, as FTS5 sees them: PostgreSQL's parser would take "30/6/2019"
            # for one file path token, "a-b" for three.
            catalog.execute(_INSERT_SERVER, {**row, **{
                name: " ".join(_WORD.findall(row[name]))
                for name in ("f_title", "f_lead", "f_body", "f_captions")}})
        else:
            catalog.execute(_INSERT_SQLITE, row)
            catalog.execute(_INSERT_FTS, {**row, "tags": _tags(doc)})
        catalog.execute(_NOT_LATEST, {"url": doc.url, "id": version_id})


def _fold_row(doc: SearchDoc) -> dict[str, str]:
    return {"f_title": search_fold(doc.title), "f_lead": search_fold(doc.lead or ""),
            "f_body": search_fold(doc.body), "f_captions": search_fold(doc.captions)}


def _drop_orphan(catalog: Catalog, version_id: int) -> None:
    """A document left under this id by a version row deleted since (SQLite reuses the
    largest rowid): the new version's replaces it. Never on the crawl's own path, where
    a version and its document are written and lost together."""
    rows = catalog.execute("SELECT * FROM search_docs WHERE id = :id", {"id": version_id})
    if not rows:
        return
    if not catalog.is_server:  # a contentless FTS5 row is deleted by its indexed text
        old = SearchDoc(**{name: rows[0][name] for name in (
            "url", "site", "key", "category", "published", "captured_at", "title", "lead",
            "body", "captions")})
        catalog.execute(_DELETE_FTS, {"id": version_id, **_fold_row(old), "tags": _tags(old)})
    catalog.execute("DELETE FROM search_docs WHERE id = :id", {"id": version_id})


def backfill_search(catalog: Catalog, json_root: Path | None) -> int:
    """Index every version of the catalog from its JSON file (the schema 6 upgrade);
    returns how many files were missing or unreadable, which are skipped."""
    versions = catalog.execute("SELECT count(*) FROM versions")[0][0]
    if not versions:
        return 0
    log.warning("search index: indexing %d archived versions (once, for catalog schema 6)",
                versions)
    skipped, after = 0, -1
    while True:
        rows = catalog.execute("SELECT id, url, site, key, captured_at, json_path FROM versions"
                               " WHERE id > :after ORDER BY id LIMIT 500", {"after": after})
        if not rows:
            break
        for row in rows:
            doc = _doc_from_file(json_root, row)
            if doc is None:
                skipped += 1
            else:
                index_document(catalog, int(row["id"]), doc)
        after = int(rows[-1]["id"])
    if skipped:
        log.warning("search index: %d version files missing or unreadable, not indexed",
                    skipped)
    return skipped


def _doc_from_file(json_root: Path | None, row: CatalogRow) -> SearchDoc | None:
    if json_root is None:
        return None
    try:
        item = json.loads((json_root / row["json_path"]).read_text("utf-8"))
        doc = search_doc_of(item, row["key"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    # The catalog's names of it win (a re-keyed article, a moved host).
    return dataclasses.replace(doc, url=row["url"], site=row["site"],
                               captured_at=row["captured_at"])


# -- queries -------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchQuery:
    text: str
    site: str | None = None
    category: str | None = None
    since: str | None = None  # YYYY-MM-DD: published_day >= since
    until: str | None = None  # YYYY-MM-DD: published_day <= until
    limit: int = 20
    offset: int = 0


Segment = tuple[str, bool]  # (text, is_match): original text, matches to be <mark>ed


@dataclass(frozen=True)
class Hit:
    version_id: int
    url: str
    site: str
    key: str
    category: str | None
    published: str | None
    captured_at: str
    title: list[Segment]  # the whole title, matches marked
    snippet: list[Segment]  # ~30 words of lead/body/captions around the best match
    score: float


@dataclass(frozen=True)
class SearchResults:
    hits: list[Hit]  # one per article (its best-ranked version), best first
    total: int  # matching articles, counted up to TOTAL_CAP
    capped: bool  # True when there are more than TOTAL_CAP
    elapsed_ms: float


@dataclass(frozen=True)
class Term:
    """One condition of a query: a word, or a phrase (several words in a row)."""

    words: tuple[str, ...]


_QUOTED = re.compile(r'"([^"]*)"?')


def parse_terms(text: str) -> list[Term]:
    """The query's terms, every one ANDed. Quotes make a phrase; any other character
    only separates words, so nothing a user types is FTS syntax.

    A trailing ``*`` is not a prefix: FTS5 without a prefix index merges the whole
    doclist of every term with that prefix before it returns a row (1.3 s for
    ``nghi*`` over 435,000 articles, against 18 ms for ``nghi``), and listing the
    terms through fts5vocab walks those doclists too (190 ms)."""
    terms: list[Term] = []
    position = 0
    folded = search_fold(text)
    for quoted in _QUOTED.finditer(folded):
        terms += _loose_terms(folded[position:quoted.start()])
        words = tuple(_WORD.findall(quoted.group(1)))
        if words:
            terms.append(Term(words))
        position = quoted.end()
    terms += _loose_terms(folded[position:])
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def _loose_terms(folded: str) -> list[Term]:
    return [Term((word,)) for word in _WORD.findall(folded)]


def _checked_day(value: str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise PortalArchiveError(f"{name} must be a date YYYY-MM-DD, not {value!r}") from None


def _day_tags(since: date | None, until: date | None) -> list[str] | None:
    """Tokens that together cover exactly the days since..until: whole years, then whole
    months, then single days (None: no date filter)."""
    if since is None and until is None:
        return None
    day, last = since or date(1900, 1, 1), until or date(2200, 1, 1)
    day, last = max(day, date(1970, 1, 1)), min(last, date(2100, 12, 31))
    tags: list[str] = []
    while day <= last:
        year_end = date(day.year, 12, 31)
        next_month = (date(day.year + 1, 1, 1) if day.month == 12
                      else date(day.year, day.month + 1, 1))
        if day.month == 1 and day.day == 1 and year_end <= last:
            tags.append(f"y{day.year}")
            day = year_end + timedelta(days=1)
        elif day.day == 1 and next_month - timedelta(days=1) <= last:
            tags.append(f"m{day.year}{day.month:02d}")
            day = next_month
        else:
            tags.append(f"d{day:%Y%m%d}")
            day += timedelta(days=1)
    return tags


def _fts_match(terms: Sequence[Term], query: SearchQuery, days: list[str] | None,
               column: str | None = None) -> str:
    """The FTS5 expression: every token quoted (never an operator), all of them in
    ``column`` if given, the filters in ``tags``."""
    text_terms = []
    for term in terms:
        phrase = '"' + " ".join(term.words) + '"'
        if column is not None:
            phrase = f"{column} : {phrase}"
        elif any(_TAG_LIKE.fullmatch(word) for word in term.words):
            phrase = "{title lead body captions} : " + phrase
        text_terms.append(phrase)
    tags = []
    if query.site:
        tags.append(f"tags : {_tag('s', query.site)}")
    if query.category:
        tags.append(f"tags : {_tag('c', query.category)}")
    if days is not None:
        tags.append("tags : (" + " OR ".join(days or ["dnone"]) + ")")
    return " AND ".join(text_terms + tags)


def _filters(query: SearchQuery, since: date | None, until: date | None,
             ) -> tuple[list[str], dict[str, Any]]:
    """The filters as SQL on search_docs ``d``."""
    where: list[str] = []
    args: dict[str, Any] = {}
    for column, value, op in (("site", query.site, "="), ("category", query.category, "="),
                              ("published_day", since and since.isoformat(), ">="),
                              ("published_day", until and until.isoformat(), "<=")):
        if value:
            name = f"p{len(args)}"
            where.append(f"d.{column} {op} :{name}")
            args[name] = value
    return where, args


def _tsquery(terms: Sequence[Term]) -> tuple[str, dict[str, Any]]:
    """The PostgreSQL tsquery: each term through the engine's own parser, never raw."""
    parts, args = [], {}
    for n, term in enumerate(terms):
        name = f"t{n}"
        if len(term.words) > 1:
            parts.append(f"phraseto_tsquery('simple', :{name})")
        else:
            parts.append(f"plainto_tsquery('simple', :{name})")
        args[name] = " ".join(term.words)
    return " && ".join(parts), args


_COLUMNS = ("d.id, d.url, d.site, d.key, d.category, d.published, d.captured_at,"
            " d.title, d.lead, d.body, d.captions")
# One row per article (its best-ranked version), best first, with the count of
# articles. Only ids, urls and scores go through the grouping; the text is read for
# the page's hits alone.
_HITS = (
    "WITH ranked AS MATERIALIZED ({ranked}),"
    " best AS (SELECT r.id, r.score, ROW_NUMBER() OVER (PARTITION BY d.url"
    " ORDER BY r.score DESC, r.id DESC) AS nth FROM ranked r JOIN search_docs d"
    " ON d.id = r.id{where}),"
    " hits AS (SELECT id, score FROM best WHERE nth = 1)"
)
_SELECT_PAGE = (
    " SELECT {columns}, h.score, (SELECT count(*) FROM hits) AS total"
    " FROM (SELECT id, score FROM hits ORDER BY score DESC, id DESC"
    " LIMIT :limit OFFSET :offset) h JOIN search_docs d ON d.id = h.id"
    " ORDER BY h.score DESC, h.id DESC"
)


def _ranked_sqlite(catalog: Catalog, terms: Sequence[Term], query: SearchQuery,
                   days: list[str] | None) -> tuple[str, dict[str, Any], bool]:
    """The newest RANK_WINDOW matches with their score, and whether there are more.

    One walk, stopped after RANK_WINDOW + 1 rowids, finds the window; the ranked rows
    are those rowids (``json_each``), never a second walk of the match. A version's
    score is 1 plus FIELD_WEIGHTS of each field that holds every term: each field's
    matches within the window are one more FTS5 walk over the window's rowid range.
    Not bm25: its IDF walks every match of every word in the whole index on each query
    (130-630 ms for four common words over 500,000 articles), however few are ranked.
    (The window used to be found by a walk to its floor and then walked again for the
    rows: a rare query, whose walk has no early stop, paid its whole walk twice.)"""
    match = _fts_match(terms, query, days)
    found = catalog.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH :match"
                            " ORDER BY rowid DESC LIMIT :n",
                            {"match": match, "n": RANK_WINDOW + 1})
    window = [int(row[0]) for row in found[:RANK_WINDOW]]
    args: dict[str, Any] = {"window": json.dumps(window),
                            "floor": window[-1] if window else 0}
    score = ["1.0"]
    for column, weight in FIELD_WEIGHTS:
        args[f"m_{column}"] = _fts_match(terms, query, days, column=column)
        score.append(f"{weight} * (w.value IN (SELECT rowid FROM search_fts"
                     f" WHERE search_fts MATCH :m_{column} AND rowid >= :floor))")
    sql = f"SELECT w.value AS id, {' + '.join(score)} AS score FROM json_each(:window) w"
    return sql, args, len(found) > RANK_WINDOW


def _ranked_server(catalog: Catalog, terms: Sequence[Term], where: list[str],
                   args: Mapping[str, Any]) -> tuple[str, dict[str, Any], bool]:
    """The same on PostgreSQL: the newest RANK_WINDOW matches, ranked by ts_rank_cd."""
    tsquery, query_args = _tsquery(terms)
    conditions = " AND ".join([f"d.tsv @@ ({tsquery})", *where])
    more = catalog.execute(f"SELECT count(*) FROM (SELECT 1 FROM search_docs d WHERE"
                           f" {conditions} LIMIT {RANK_WINDOW + 1}) w",
                           {**args, **query_args})
    sql = (f"SELECT d.id, ts_rank_cd(d.tsv, {tsquery}) AS score FROM search_docs d"
           f" WHERE {conditions} ORDER BY d.id DESC LIMIT {RANK_WINDOW}")
    return sql, query_args, int(more[0][0]) > RANK_WINDOW


def search(catalog: Catalog, query: SearchQuery) -> SearchResults:
    """The articles matching ``query``, best first, highlighted. An empty query (no
    word in it) matches nothing."""
    started = time.perf_counter()
    since, until = _checked_day(query.since, "since"), _checked_day(query.until, "until")
    if query.limit < 0 or query.offset < 0:
        raise PortalArchiveError("limit and offset must not be negative")
    terms = parse_terms(query.text)
    if not terms:
        return SearchResults([], 0, False, _ms_since(started))
    where, args = _filters(query, since, until)
    if catalog.is_server:
        ranked, ranked_args, more = _ranked_server(catalog, terms, where, args)
    else:
        ranked, ranked_args, more = _ranked_sqlite(catalog, terms, query,
                                                   _day_tags(since, until))
    args.update(ranked_args)
    hits = _HITS.format(ranked=ranked, where=" WHERE " + " AND ".join(where) if where else "")
    rows = catalog.execute(hits + _SELECT_PAGE.format(columns=_COLUMNS),
                           {**args, "limit": int(query.limit), "offset": int(query.offset)})
    if rows:
        total = int(rows[0]["total"])
    else:  # past the last hit: counted on its own
        total = int(catalog.execute(hits + " SELECT count(*) FROM hits", args)[0][0])
    capped = more or total > TOTAL_CAP
    return SearchResults([_hit(row, terms) for row in rows], min(total, TOTAL_CAP), capped,
                         _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


# -- highlighting --------------------------------------------------------------------
def _match_spans(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """Where a query word is in ``text``: offsets of the original."""
    words = {word for term in terms for word in term.words}
    return [(m.start(), m.end()) for m in _WORD.finditer(search_fold(text))
            if m.group() in words]


def highlight(text: str, terms: Sequence[Term]) -> list[Segment]:
    """``text`` cut into segments, the matched words marked."""
    segments: list[Segment] = []
    position = 0
    for start, end in _match_spans(text, terms):
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text) or not segments:
        segments.append((text[position:], False))
    return _merged(segments)


def _merged(segments: Iterable[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for text, marked in segments:
        if merged and merged[-1][1] == marked:
            merged[-1] = (merged[-1][0] + text, marked)
        elif text:
            merged.append((text, marked))
    return merged


def snippet(passages: Sequence[str], terms: Sequence[Term],
            words: int = SNIPPET_WORDS) -> list[Segment]:
    """About ``words`` words of the first passage with a match, around its first match
    (else the first passage's beginning), matches marked."""
    passages = [p for p in passages if p]
    if not passages:
        return []
    chosen, first = passages[0], 0
    for passage in passages:
        spans = _match_spans(passage, terms)
        if spans:
            chosen, first = passage, spans[0][0]
            break
    # Words near the match only: a paragraph may be long.
    near = max(0, chosen.rfind(" ", 0, max(0, first - 12 * words)) + 1)
    far = chosen.find(" ", first + 12 * words)
    cut_short = far != -1
    chosen = chosen[near:far] if cut_short else chosen[near:]
    first -= near
    bounds = [(m.start(), m.end()) for m in re.finditer(r"\S+", chosen)]
    at = next((i for i, (_, end) in enumerate(bounds) if end > first), 0)
    start = max(0, min(at - words // 3, len(bounds) - words))
    end = min(len(bounds), start + words)
    piece = chosen[bounds[start][0]:bounds[end - 1][1]] if bounds else chosen
    segments = highlight(piece, terms)
    if start > 0 or near > 0:
        segments.insert(0, ("… ", False))
    if end < len(bounds) or cut_short:
        segments.append((" …", False))
    return _merged(segments)


def _hit(row: CatalogRow, terms: Sequence[Term]) -> Hit:
    passages = [row["lead"] or "", *(row["body"] or "").split("\n"),
                *(row["captions"] or "").split("\n")]
    return Hit(
        version_id=int(row["id"]), url=row["url"], site=row["site"], key=row["key"],
        category=row["category"], published=row["published"],
        captured_at=row["captured_at"], title=highlight(row["title"], terms),
        snippet=snippet(passages, terms), score=float(row["score"]),
    )


def search_facets(catalog: Catalog) -> tuple[list[str], list[str]]:
    """(sites, categories) of the indexed articles, for the filter selects."""
    sites = catalog.execute("SELECT DISTINCT site FROM search_docs ORDER BY site")
    categories = catalog.execute("SELECT DISTINCT category FROM search_docs"
                                 " WHERE category IS NOT NULL ORDER BY category")
    return [row[0] for row in sites], [row[0] for row in categories]

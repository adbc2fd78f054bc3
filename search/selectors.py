"""Searching the lessons: one selector over each database's own text index.

A lesson matches when every term of the query is in its title, summary, tag names or
body (AND over terms). Which lessons match is found by the database's index:

- SQLite: the FTS5 trigram table (``search.sqlite_index``) for terms of three characters
  or more; shorter terms (two-syllable Korean words such as ``역사``, ``AI``) are looked
  for with LIKE over the same indexed text, a scan that takes a millisecond at hundreds
  of lessons.
- PostgreSQL: ILIKE over the lesson's text and tag names, answered from GIN trigram
  indexes (``pg_trgm``, created by the search migration).

The matches are then ranked with one formula on both databases, so that a query ranks
the same lessons first on both: per term, 10 for the title, 6 for a tag, 4 for the
summary and 1 per occurrence in the body (at most 5); 10 more when the title is the term
and 20 more when it is the whole query.

A search costs two queries (rank, then read the chosen few), whatever the number of lessons
or results; an empty query costs none.
"""
# ruff: noqa: S608 - the SQL here is built from this module's constants; every term is a parameter.

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import IntegerField, Q
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from lessons.models import Lesson
from lessons.selectors import with_place_in_quest
from search import highlight, sqlite_index
from search.terms import MAX_QUERY_LENGTH, search_terms

TRIGRAM = 3  # the shortest term a trigram index can look up
TITLE, TAG, SUMMARY, BODY_EACH, BODY_MAX, TITLE_IS_TERM, TITLE_IS_QUERY = 10, 6, 4, 1, 5, 10, 20


@dataclass(frozen=True)
class SearchHit:
    lesson: Lesson  # with its quest
    number: int  # "Lesson N of M", as the lesson page counts
    total: int
    title_html: SafeString
    snippet_html: SafeString


@dataclass(frozen=True)
class SearchResults:
    query: str
    terms: list[str]
    hits: list[SearchHit]
    more: bool  # more lessons matched than were returned


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite_matches(terms: list[str]) -> Q:
    """One lookup in the FTS5 table: MATCH for the long terms, LIKE for the short ones."""
    table = sqlite_index.TABLE
    conditions, params = [], []
    long_terms = [term for term in terms if len(term) >= TRIGRAM]
    if long_terms:
        conditions.append(f"{table} MATCH %s")
        params.append(" AND ".join(_fts_phrase(term) for term in long_terms))
    for term in terms:
        if len(term) < TRIGRAM:
            columns = ("title", "summary", "tags", "body")
            conditions.append("(" + " OR ".join(f"{column} LIKE %s ESCAPE '\\'" for column in columns) + ")")
            params.extend([_like(term)] * len(columns))
    sql = f"SELECT rowid FROM {table} WHERE {' AND '.join(conditions)}"
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611


def _postgres_matches(terms: list[str]) -> Q:
    """Per term, the lessons whose text (the trigram-indexed expression) or a tag name contains it."""
    condition = Q()
    for term in terms:
        sql = (
            "SELECT id FROM lessons_lesson WHERE (title || ' ' || summary || ' ' || body) ILIKE %s"
            " UNION SELECT lt.lesson_id FROM lessons_lesson_tags lt"
            " JOIN lessons_tag t ON t.id = lt.tag_id WHERE t.name ILIKE %s"
        )
        condition &= Q(pk__in=RawSQL(sql, [_like(term), _like(term)]))  # noqa: S611
    return condition


def _matches(terms: list[str]) -> Q:
    if connection.vendor == "postgresql":
        return _postgres_matches(terms)
    return _sqlite_matches(terms)


def _score(terms: list[str], query: str) -> RawSQL:
    """The ranking formula as one SQL expression over ``lessons_lesson`` (written out rather than
    composed from ORM expressions: building those cost more than running the search)."""
    postgres = connection.vendor == "postgresql"
    like = "ILIKE" if postgres else "LIKE"
    least = "LEAST" if postgres else "MIN"
    parts = [f"CASE WHEN LOWER(lessons_lesson.title) = %s THEN {TITLE_IS_QUERY} ELSE 0 END"]
    params: list[str | int] = [" ".join(query.lower().split())]
    for term in terms:
        pattern = _like(term)
        parts += [
            f"CASE WHEN lessons_lesson.title {like} %s ESCAPE '\\' THEN {TITLE} ELSE 0 END",
            f"CASE WHEN LOWER(lessons_lesson.title) = %s THEN {TITLE_IS_TERM} ELSE 0 END",
            f"CASE WHEN EXISTS (SELECT 1 FROM lessons_lesson_tags lt JOIN lessons_tag t ON t.id = lt.tag_id"
            f" WHERE lt.lesson_id = lessons_lesson.id AND t.name {like} %s ESCAPE '\\') THEN {TAG} ELSE 0 END",
            f"CASE WHEN lessons_lesson.summary {like} %s ESCAPE '\\' THEN {SUMMARY} ELSE 0 END",
            f"{BODY_EACH} * {least}({BODY_MAX}, (LENGTH(LOWER(lessons_lesson.body))"
            " - LENGTH(REPLACE(LOWER(lessons_lesson.body), %s, ''))) / %s)",
        ]
        params += [pattern, term, pattern, pattern, term, len(term)]
    return RawSQL(" + ".join(parts), params, output_field=IntegerField())  # noqa: S611


def _search(*, terms: list[str], query: str, user, limit: int) -> list[Lesson]:
    """The best ``limit`` matches with what the page shows, in two queries: the matches are
    ranked over narrow rows, then only the chosen few are read with their quest and place."""
    ranked = list(
        Lesson.objects.visible_to(user)
        .filter(_matches(terms))
        .annotate(score=_score(terms, query))
        .order_by("-score", "quest__order", "quest_id", "position")
        .values_list("pk", flat=True)[:limit]
    )
    if not ranked:
        return []
    lessons = Lesson.objects.filter(pk__in=ranked).select_related("quest")
    lessons = lessons.only("id", "key", "slug", "title", "summary", "body", "position", "status", "quest")
    by_pk = {lesson.pk: lesson for lesson in with_place_in_quest(lessons, user=user)}
    return [by_pk[pk] for pk in ranked]


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def lessons_search(*, query: str, user, limit: int = 20) -> SearchResults:
    """Published lessons (drafts too for staff) matching every term, best first (2 queries; none
    for an empty query, 1 when nothing matches)."""
    # Control characters (NUL above all: SQLite's FTS5 and PostgreSQL refuse it) are word breaks.
    query = _CONTROL_CHARACTERS.sub(" ", query[:MAX_QUERY_LENGTH]).strip()
    terms = search_terms(query)
    if not terms:
        return SearchResults(query=query, terms=[], hits=[], more=False)
    found = _search(terms=terms, query=query, user=user, limit=limit + 1)
    hits = [
        SearchHit(
            lesson=lesson,
            number=lesson.place_number,  # type: ignore[attr-defined]  # annotated by with_place_in_quest
            total=lesson.place_total,  # type: ignore[attr-defined]
            title_html=highlight.highlight(lesson.title, terms),
            snippet_html=highlight.snippet(body=lesson.body, summary=lesson.summary, terms=terms),
        )
        for lesson in found[:limit]
    ]
    return SearchResults(query=query, terms=terms, hits=hits, more=len(found) > limit)

"""Benchmark: the worst Markdown render time per pathological family, for comments and lessons.

Issue 12: any comment up to the length limit and any lesson body must render in at most 50 ms.
Each family is rendered at the comment limit through `render_comment` and at a large lesson size
through `render_lesson`; the worst of a few runs per family is printed. Exits 1 when any family
is over the bound. Run with `.venv/bin/python bench/markdown_cost.py`; the tests reuse `FAMILIES`
(tests/lessons/test_markdown_cost.py) with a generous bound, since timings are not for CI.
"""

import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the repository root
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # a local run, like runserver: no secret key needed
django.setup()  # for the comment length limit, which the comments app owns

from comments.models import BODY_MAX_LENGTH as COMMENT_MAX_LENGTH  # noqa: E402
from lessons.markdown import render_comment, render_lesson  # noqa: E402

LESSON_MAX_LENGTH = 8_000

BOUND_MS = 50.0
RUNS = 3


def _fill(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _nested_lists(length: int) -> str:
    lines, depth = [], 0
    while sum(map(len, lines)) < length:
        lines.append("    " * depth + "- item\n")
        depth += 1
    return "".join(lines)[:length]


def _nested_quotes(length: int) -> str:
    lines, depth = [], 1
    while sum(map(len, lines)) < length:
        lines.append("> " * depth + "quote\n")
        depth += 1
    return "".join(lines)[:length]


def _backtick_ladder(length: int) -> str:
    """Runs of 1, 2, 3… backticks: every opening run looks for a closing run of its own length."""
    parts, n = [], 1
    while sum(map(len, parts)) < length:
        parts.append("`" * n + "a")
        n += 1
    return "".join(parts)[:length]


def _mixture(alphabet: str, seed: int) -> Callable[[int], str]:
    def make(length: int) -> str:
        rng = random.Random(seed)
        return "".join(rng.choice(alphabet) for _ in range(length))

    return make


MIXED = "[]()!*_`<>&#;:/\\\"' \n-a1"

# Each family makes a string of exactly the requested length.
FAMILIES: dict[str, Callable[[int], str]] = {
    "[": lambda n: _fill("[", n),
    "![": lambda n: _fill("![", n),
    "[]()": lambda n: _fill("[]()", n),
    "[a](": lambda n: _fill("[a](", n),
    "[a](b": lambda n: _fill("[a](b ", n),
    "[[[a]]]": lambda n: _fill("[", n // 2) + _fill("]", n - n // 2),
    "[a][": lambda n: _fill("[a][", n),
    "(": lambda n: "[a](" + _fill("(", n - 4),
    '[a](b "': lambda n: _fill('[a](b "', n),
    "*": lambda n: _fill("*", n),
    "_": lambda n: _fill("_", n),
    "*a": lambda n: _fill("*a ", n),
    "**a": lambda n: _fill("**a ", n),
    "*_ nested": lambda n: _fill("*_", n // 2) + "a" + _fill("_*", n - n // 2 - 1),
    "_a_*": lambda n: _fill("_a_*", n),
    "`": lambda n: _fill("`", n),
    "`a": lambda n: _fill("`a", n),
    "`` ladder": _backtick_ladder,
    "<": lambda n: _fill("<", n),
    "<a": lambda n: _fill("<a", n),
    "<http://": lambda n: _fill("<http://", n),
    "&": lambda n: _fill("&", n),
    "&amp;": lambda n: _fill("&amp;", n),
    "&#": lambda n: _fill("&#", n),
    "((((": lambda n: _fill("(", n),
    "a.a.a.": lambda n: _fill("a.", n),
    "a-a-": lambda n: _fill("a-", n),
    "www.": lambda n: _fill("www.a", n),
    "long line": lambda n: _fill("a", n),
    "long words": lambda n: _fill("word ", n),
    "urls": lambda n: _fill("https://example.com/a ", n),
    "deep list": _nested_lists,
    "deep quote": _nested_quotes,
    ">": lambda n: _fill(">", n),
    "- ": lambda n: _fill("- ", n),
    "1. ": lambda n: _fill("1. ", n),
    "newlines": lambda n: _fill("a\n", n),
    "mixture 1": _mixture(MIXED, 1),
    "mixture 2": _mixture(MIXED, 2),
    "mixture brackets": _mixture("[]()!a ", 3),
    "mixture emphasis": _mixture("*_a ", 4),
}


def worst_ms(render: Callable[[str], object], text: str, runs: int = RUNS) -> float:
    """The slowest of a few renders, in CPU milliseconds of this process: the server time a
    request costs, which other processes on a shared machine do not inflate (wall time does)."""
    worst = 0.0
    for _ in range(runs):
        start = time.process_time()
        render(text)
        worst = max(worst, (time.process_time() - start) * 1000)
    return worst


def main() -> int:
    render_lesson("warm up: `code` *em*\n\n```python\nx = 1\n```")  # imports Pygments' lexers once
    render_comment("warm up")
    failures = []
    print(f"{'family':<20} {'comment ' + str(COMMENT_MAX_LENGTH):>14} {'lesson ' + str(LESSON_MAX_LENGTH):>14}")
    for name, make in FAMILIES.items():
        comment = worst_ms(render_comment, make(COMMENT_MAX_LENGTH))
        lesson = worst_ms(render_lesson, make(LESSON_MAX_LENGTH))
        flag = "  OVER" if max(comment, lesson) > BOUND_MS else ""
        print(f"{name:<20} {comment:>11.1f} ms {lesson:>11.1f} ms{flag}")
        if flag:
            failures.append(name)
    if failures:
        print(f"over {BOUND_MS:.0f} ms: {', '.join(failures)}")
        return 1
    print(f"all families under {BOUND_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

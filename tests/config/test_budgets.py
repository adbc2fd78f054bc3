"""SPEC 10: pages ship at most 30 KB of JavaScript and 30 KB of CSS before compression, no web fonts."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
BUDGET = 30 * 1024


def test_all_javascript_together_fits_the_budget():
    assert sum(path.stat().st_size for path in (STATIC / "js").glob("*.js")) <= BUDGET


def test_all_css_together_fits_the_budget_and_loads_no_web_fonts():
    sheets = list((STATIC / "css").glob("*.css"))
    assert sum(path.stat().st_size for path in sheets) <= BUDGET
    assert not any(re.search(r"@font-face|url\([^)]*\.(woff2?|ttf|otf)", path.read_text()) for path in sheets)

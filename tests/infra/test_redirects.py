"""One rule for where a form may send a person back to: a path on this site."""

import pytest

from infra.redirects import local_path


@pytest.mark.parametrize("value", ["/", "/quests/a/b/#comments", "/search/?q=%EC%97%AD%EC%82%AC"])
def test_paths_on_this_site_are_kept(value):
    assert local_path(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "quests/relative",
        "/quests/\nSet-Cookie: x",
        "/" + "a" * 3000,
    ],
)
def test_anything_else_is_refused(value):
    assert local_path(value) == ""

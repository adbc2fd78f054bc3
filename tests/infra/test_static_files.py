"""After collectstatic with the production storage, every module is imported by its hashed name."""

import json
import re

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

IMPORTED = re.compile(r"""(?:import|from)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")


def test_every_javascript_module_imports_hashed_names(tmp_path):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "infra.storage.StaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    modules = {name: hashed for name, hashed in paths.items() if name.endswith(".js")}
    assert "js/site.js" in modules
    for hashed in modules.values():
        imports = IMPORTED.findall((tmp_path / hashed).read_text())
        assert all(HASHED.search(name) for name in imports), (hashed, imports)
    site = (tmp_path / modules["js/site.js"]).read_text()
    assert f"./{modules['js/progress.js'].removeprefix('js/')}" in site


TEMPLATE_LITERAL = re.compile(r"`[^`]*`")


def test_javascript_is_served_without_comments_and_spacing_but_the_same_text(tmp_path):
    """Minified (infra.storage.minify_js): comments and indentation gone, template literals (whose
    spacing is their text) kept byte for byte. The browser journeys run these minified files."""
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "infra.storage.StaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    total_source = total_served = 0
    for name, hashed in paths.items():
        if not name.startswith("js/"):
            continue
        source = (settings.BASE_DIR / "static" / name).read_text()
        served = (tmp_path / hashed).read_text()
        total_source, total_served = total_source + len(source), total_served + len(served)
        assert not re.search(r"(?m)^\s*//", served), name
        assert "\n  " not in served, name
        assert TEMPLATE_LITERAL.findall(served) == TEMPLATE_LITERAL.findall(source), name
    assert total_served < 0.8 * total_source

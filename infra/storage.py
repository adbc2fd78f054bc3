"""Static files that deploy atomically: every file, JavaScript modules included, under its hashed name."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, also rewriting JavaScript module imports.

    Without it, ``site.<hash>.js`` imports ``./progress.js`` by its plain name, which is
    cached for a short time only and changes under a browser during a deploy: old and
    new modules mix. With it, each import names the hashed file, so a page loads one
    consistent set of modules, each cached for good."""

    support_js_module_import_aggregation = True

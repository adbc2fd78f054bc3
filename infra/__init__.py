"""Site-wide infrastructure every feature app uses.

Nothing here knows about lessons, progress or comments: the anonymous page cache
and its one invalidation path, the rate limiter, the client's address behind
proxies, response headers for personal pages, and collecting each app's
``privacy.py`` for "download my data". Feature apps import from here; this
package imports from none of them.
"""

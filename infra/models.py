"""Site-wide tables: rate-limit counters (the cache tables are made by migration 0001)."""

from django.db import models


class RateCounter(models.Model):
    """How many times ``key`` was counted in the fixed window starting at ``window_start``.

    Written only by ``infra.ratelimit.take``, with one atomic upsert per hit. Times are
    whole seconds since the epoch: the limiter does arithmetic on them, nothing else reads them."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    expires_at = models.BigIntegerField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="infra_ratecounter_one_row_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"

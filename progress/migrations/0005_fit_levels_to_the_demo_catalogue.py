"""Levels 4–9 re-thresholded so that the top level sits just under the demo catalogue's XP.

The shipped table (0003) rose to 4,600 XP, which the demo catalogue (46 lessons, 1,470 XP
at 10 XP per started 5 minutes) cannot reach. Levels 0–3 keep their thresholds (0, 120 as
on the seed page, 300, 550); levels 4–9 rise by 150 XP each, about five lessons, to 1,450.
See docs/decisions.md, "Levels fitted to the demo catalogue".

Staff may have edited the table already: a level moves only while its threshold still
equals the shipped value, and nothing moves unless the resulting table still rises with
the level number (the rule Level.clean enforces), so a staff edit is never overwritten
and never made inconsistent.
"""

from itertools import pairwise

from django.db import migrations

SHIPPED = {4: 900, 5: 1350, 6: 1900, 7: 2600, 8: 3500, 9: 4600}
FITTED = {4: 700, 5: 850, 6: 1000, 7: 1150, 8: 1300, 9: 1450}


def _move(apps, *, source: dict[int, int], target: dict[int, int]) -> None:
    Level = apps.get_model("progress", "Level")
    current = dict(Level.objects.values_list("number", "xp_required"))
    wanted = {
        number: target[number] if number in target and xp == source[number] else xp for number, xp in current.items()
    }
    rising = [wanted[number] for number in sorted(wanted)]
    if wanted == current or any(lower >= higher for lower, higher in pairwise(rising)):
        return
    moving = sorted(number for number in wanted if wanted[number] != current[number])
    # Every row moves the same way (down when fitting, up when undoing); moving the
    # lowest first on the way down (the highest first on the way up) never passes
    # through another row's threshold, so the unique constraint holds at every step.
    downwards = all(wanted[number] < current[number] for number in moving)
    for number in moving if downwards else reversed(moving):
        Level.objects.filter(number=number, xp_required=current[number]).update(xp_required=wanted[number])


def fit_levels(apps, schema_editor):
    _move(apps, source=SHIPPED, target=FITTED)


def restore_levels(apps, schema_editor):
    _move(apps, source=FITTED, target=SHIPPED)


class Migration(migrations.Migration):
    dependencies = [("progress", "0004_profile_language")]

    operations = [migrations.RunPython(fit_levels, restore_levels)]

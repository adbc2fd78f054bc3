"""The level table and the eleven achievements that ship with Stream.

Staff may rename and re-threshold them in the admin afterwards; this migration only
creates rows that are missing (by level number and achievement code), so it never
overwrites their edits. The names are marked for translation (gettext_noop): pages
show them through gettext, so the shipped names read in Korean too.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

LEVELS = [
    (0, gettext_noop("Curious"), 0),
    (1, gettext_noop("Reader"), 120),
    (2, gettext_noop("Apprentice"), 300),
    (3, gettext_noop("Student"), 550),
    (4, gettext_noop("Practitioner"), 900),
    (5, gettext_noop("Builder"), 1350),
    (6, gettext_noop("Scholar"), 1900),
    (7, gettext_noop("Expert"), 2600),
    (8, gettext_noop("Master"), 3500),
    (9, gettext_noop("Sage"), 4600),
]

# (code, name, description, icon, kind, threshold)
ACHIEVEMENTS = [
    ("first-steps", gettext_noop("First steps"), gettext_noop("Complete your first lesson."), "🌱", "lessons_completed", 1),
    ("warming-up", gettext_noop("Warming up"), gettext_noop("Complete 5 lessons."), "🔥", "lessons_completed", 5),
    ("bookworm", gettext_noop("Bookworm"), gettext_noop("Complete 10 lessons."), "📚", "lessons_completed", 10),
    ("scholar", gettext_noop("Deep diver"), gettext_noop("Complete 25 lessons."), "🤿", "lessons_completed", 25),
    ("quest-complete", gettext_noop("Quest complete"), gettext_noop("Complete every lesson of a quest."), "🏁", "quest_completed", 1),
    ("two-quests", gettext_noop("Explorer"), gettext_noop("Complete every lesson of two quests."), "🗺️", "quest_completed", 2),
    ("completionist", gettext_noop("Completionist"), gettext_noop("Complete every published lesson."), "🏆", "all_lessons_completed", 1),
    ("streak-3", gettext_noop("On a roll"), gettext_noop("Complete lessons three days in a row."), "⚡", "streak_days", 3),
    ("streak-7", gettext_noop("Week-long streak"), gettext_noop("Complete lessons seven days in a row."), "📅", "streak_days", 7),
    ("first-comment", gettext_noop("Joined the discussion"), gettext_noop("Post your first comment."), "💬", "comments_posted", 1),
    ("bug-hunter", gettext_noop("Bug hunter"), gettext_noop("Report a problem with a lesson or the site."), "🐞", "report_submitted", 1),
]


def ship(apps, schema_editor):
    Level = apps.get_model("progress", "Level")
    Achievement = apps.get_model("progress", "Achievement")
    existing_levels = set(Level.objects.values_list("number", flat=True))
    Level.objects.bulk_create(
        [Level(number=n, name=name, xp_required=xp) for n, name, xp in LEVELS if n not in existing_levels]
    )
    existing_codes = set(Achievement.objects.values_list("code", flat=True))
    Achievement.objects.bulk_create(
        [
            Achievement(
                code=code, name=name, description=description, icon=icon, kind=kind, threshold=threshold, order=order
            )
            for order, (code, name, description, icon, kind, threshold) in enumerate(ACHIEVEMENTS)
            if code not in existing_codes
        ]
    )


def unship(apps, schema_editor):
    apps.get_model("progress", "Level").objects.filter(number__in=[n for n, _name, _xp in LEVELS]).delete()
    apps.get_model("progress", "Achievement").objects.filter(code__in=[row[0] for row in ACHIEVEMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("progress", "0002_progress_tables")]

    operations = [migrations.RunPython(ship, unship)]

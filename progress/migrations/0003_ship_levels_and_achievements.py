"""The level table and the eleven achievements that ship with Stream.

Staff may rename and re-threshold them in the admin afterwards; this migration only
creates rows that are missing (by level number and achievement code), so it never
overwrites their edits. The names are marked for translation (gettext_noop): pages
show them through gettext, so the shipped names read in Korean too.
"""

from django.db import migrations
from django.utils.translation import gettext_noop as N_

LEVELS = [
    (0, N_("Curious"), 0),
    (1, N_("Reader"), 120),
    (2, N_("Apprentice"), 300),
    (3, N_("Student"), 550),
    (4, N_("Practitioner"), 900),
    (5, N_("Builder"), 1350),
    (6, N_("Scholar"), 1900),
    (7, N_("Expert"), 2600),
    (8, N_("Master"), 3500),
    (9, N_("Sage"), 4600),
]

# (code, name, description, icon, kind, threshold)
ACHIEVEMENTS = [
    ("first-steps", N_("First steps"), N_("Complete your first lesson."), "🌱", "lessons_completed", 1),
    ("warming-up", N_("Warming up"), N_("Complete 5 lessons."), "🔥", "lessons_completed", 5),
    ("bookworm", N_("Bookworm"), N_("Complete 10 lessons."), "📚", "lessons_completed", 10),
    ("scholar", N_("Deep diver"), N_("Complete 25 lessons."), "🤿", "lessons_completed", 25),
    ("quest-complete", N_("Quest complete"), N_("Complete every lesson of a quest."), "🏁", "quest_completed", 1),
    ("two-quests", N_("Explorer"), N_("Complete every lesson of two quests."), "🗺️", "quest_completed", 2),
    ("completionist", N_("Completionist"), N_("Complete every published lesson."), "🏆", "all_lessons_completed", 1),
    ("streak-3", N_("On a roll"), N_("Complete lessons three days in a row."), "⚡", "streak_days", 3),
    ("streak-7", N_("Week-long streak"), N_("Complete lessons seven days in a row."), "📅", "streak_days", 7),
    ("first-comment", N_("Joined the discussion"), N_("Post your first comment."), "💬", "comments_posted", 1),
    ("bug-hunter", N_("Bug hunter"), N_("Report a problem with a lesson or the site."), "🐞", "report_submitted", 1),
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

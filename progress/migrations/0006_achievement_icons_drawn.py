"""Achievement icons become named SVG drawings (infra.icons) instead of emoji.

An emoji needs a font that many systems lack, where it shows as an empty box. Each
shipped achievement still at its shipped emoji gets the drawing of the same thing
(🌱 → seedling, …). A row staff changed keeps their choice where the set can draw it
(an achievement staff gave 🔥 gets the flame); an emoji the set cannot draw becomes the
medal, and staff pick another in the admin. Going back turns each drawing into its emoji.
"""

from django.db import migrations, models

# (code, shipped emoji, drawing) for the eleven achievements of 0003.
SHIPPED = [
    ("first-steps", "🌱", "seedling"),
    ("warming-up", "🔥", "flame"),
    ("bookworm", "📚", "books"),
    ("scholar", "🤿", "diver"),
    ("quest-complete", "🏁", "flag"),
    ("two-quests", "🗺️", "map"),
    ("completionist", "🏆", "trophy"),
    ("streak-3", "⚡", "bolt"),
    ("streak-7", "📅", "calendar"),
    ("first-comment", "💬", "speech"),
    ("bug-hunter", "🐞", "bug"),
]
# Any row's emoji that the set draws; 🏅 was the field's default.
DRAWN = {emoji: name for _code, emoji, name in SHIPPED} | {"🗺": "map", "🏅": "medal", "⭐": "star"}
NAMES = {
    "seedling", "flame", "books", "diver", "flag", "map", "trophy", "bolt", "calendar", "speech", "bug", "medal",
    "star",
}  # fmt: skip
EMOJI = {name: emoji for emoji, name in DRAWN.items() if emoji != "🗺"}


def draw(apps, schema_editor):
    Achievement = apps.get_model("progress", "Achievement")
    for code, emoji, name in SHIPPED:
        Achievement.objects.filter(code=code, icon=emoji).update(icon=name)
    for row in Achievement.objects.exclude(icon__in=NAMES).only("pk", "icon"):
        Achievement.objects.filter(pk=row.pk).update(icon=DRAWN.get(row.icon.strip(), "medal"))


def undraw(apps, schema_editor):
    Achievement = apps.get_model("progress", "Achievement")
    for name, emoji in EMOJI.items():
        Achievement.objects.filter(icon=name).update(icon=emoji)


class Migration(migrations.Migration):
    dependencies = [("progress", "0005_fit_levels_to_the_demo_catalogue")]

    operations = [
        migrations.AlterField(
            model_name="achievement",
            name="icon",
            field=models.CharField(
                choices=[
                    ("seedling", "Seedling"),
                    ("flame", "Flame"),
                    ("books", "Books"),
                    ("diver", "Diving mask"),
                    ("flag", "Flag"),
                    ("map", "Map"),
                    ("trophy", "Trophy"),
                    ("bolt", "Lightning bolt"),
                    ("calendar", "Calendar"),
                    ("speech", "Speech bubble"),
                    ("bug", "Bug"),
                    ("medal", "Medal"),
                    ("star", "Star"),
                ],
                default="medal",
                help_text="Shown with its name.",
                max_length=20,
                verbose_name="icon",
            ),
        ),
        migrations.RunPython(draw, undraw),
    ]

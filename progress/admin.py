"""Staff edit the level table and the achievements; completions are there to look at, not to fake."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from infra.icons import ACHIEVEMENT_ICONS, icon_svg
from progress.models import Achievement, Completion, EarnedAchievement, Level, Profile


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "xp_required"]
    list_editable = ["name", "xp_required"]
    ordering = ["xp_required"]


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ["drawn_icon", "name", "code", "kind", "threshold", "order", "earned_count"]
    list_display_links = ["name"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}
    ordering = ["order", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(earned_total=Count("earned"))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Staff pick the icon by its drawing, not by its name alone.
        if db_field.name == "icon":
            kwargs["widget"] = forms.RadioSelect(attrs={"class": "icon-choices"})
            kwargs["choices"] = [
                (name, format_html("{} {}", icon_svg(name), label)) for name, label in ACHIEVEMENT_ICONS
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("icon"), ordering="icon")
    def drawn_icon(self, obj: Achievement) -> str:
        return icon_svg(obj.icon, label=obj.get_icon_display())

    @admin.display(description=_("earned by"), ordering="earned_total")
    def earned_count(self, obj: Achievement) -> int:
        return obj.earned_total  # type: ignore[attr-defined]  # annotated by get_queryset


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "completed_at"]
    list_select_related = ["user", "lesson"]
    search_fields = ["user__email", "lesson__title", "lesson__key"]
    date_hierarchy = "completed_at"
    raw_id_fields = ["user", "lesson"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # progress changes through the learner's own actions only


@admin.register(EarnedAchievement)
class EarnedAchievementAdmin(admin.ModelAdmin):
    list_display = ["user", "achievement", "earned_at"]
    list_select_related = ["user", "achievement"]
    list_filter = ["achievement"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "time_zone", "email_on_reply"]
    list_select_related = ["user"]
    search_fields = ["user__email", "display_name"]
    raw_id_fields = ["user"]

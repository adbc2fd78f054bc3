"""Staff editing: quests with their lessons inline, lessons with preview, reports triage."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lessons.models import ExternalLink, Lesson, Quest, Status, Tag


def _park_positions(lessons) -> None:
    """Move lessons whose position changes out of the way, so a reordering
    (1↔2) never trips the unique (quest, position) constraint half-way."""
    for offset, lesson in enumerate(lessons):
        if lesson.pk:
            Lesson.objects.filter(pk=lesson.pk).update(position=1_000_000 + offset)


class LessonInlineForm(forms.ModelForm):
    def validate_constraints(self):
        """Skip the database check of (quest, position): while staff reorder, the
        rows still hold the old positions. The formset checks the new positions
        against each other, and save_formset parks the old ones first."""
        try:
            self.instance.validate_constraints(exclude={*self._get_validation_exclusions(), "position"})
        except ValidationError as error:
            self._update_errors(error)


class LessonInline(admin.TabularInline):
    model = Lesson
    form = LessonInlineForm
    fields = ["position", "title", "slug", "status", "minutes"]
    readonly_fields = ["title", "slug", "status", "minutes"]
    ordering = ["position"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # lessons are written in the lesson form, which has the body editor and preview


@admin.register(Quest)
class QuestAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "status", "lesson_count"]
    list_editable = ["order", "status"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lesson_total=Count("lessons"))

    @admin.display(description=_("lessons"), ordering="lesson_total")
    def lesson_count(self, quest: Quest) -> int:
        return quest.lesson_total

    @transaction.atomic
    def save_formset(self, request, form, formset, change):
        if formset.model is Lesson:
            _park_positions([f.instance for f in formset.forms if f.has_changed()])
        super().save_formset(request, form, formset, change)


class ExternalLinkInline(admin.TabularInline):
    model = ExternalLink
    fields = ["position", "title", "url"]
    extra = 1


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "quest", "status", "minutes", "xp", "updated_at", "report_link"]
    list_display_links = ["title"]
    list_filter = ["quest", "status", "tags"]
    list_select_related = ["quest"]
    search_fields = ["title", "summary", "body", "key", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    inlines = [ExternalLinkInline]
    actions = ["publish", "unpublish"]
    readonly_fields = ["updated_at", "published_at"]
    save_on_top = True
    change_form_template = "admin/lessons/lesson/change_form.html"
    fieldsets = [
        (None, {"fields": ["quest", "position", "title", "slug", "key", "summary", "status"]}),
        (_("Content"), {"fields": ["body", "exercise"]}),
        (_("Details"), {"fields": ["tags", "minutes", "xp", "published_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The key is what learners' progress refers to: it is set once, never changed.
        return [*self.readonly_fields, "key"] if obj else self.readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_total=Count("reports"))

    @admin.display(description=_("reports"), ordering="report_total")
    def report_link(self, lesson: Lesson):
        if not lesson.report_total:
            return "–"
        url = reverse("admin:lessons_report_changelist") + f"?lesson__id__exact={lesson.pk}"
        return format_html('<a href="{}">{}</a>', url, lesson.report_total)

    @admin.action(description=_("Publish selected lessons"))
    def publish(self, request, queryset):
        count = queryset.exclude(status=Status.PUBLISHED).update(status=Status.PUBLISHED, updated_at=timezone.now())
        queryset.filter(published_at__isnull=True).update(published_at=timezone.now())
        self.message_user(
            request, ngettext("%d lesson published.", "%d lessons published.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Unpublish selected lessons (back to draft)"))
    def unpublish(self, request, queryset):
        count = queryset.exclude(status=Status.DRAFT).update(status=Status.DRAFT, updated_at=timezone.now())
        self.message_user(
            request, ngettext("%d lesson unpublished.", "%d lessons unpublished.", count) % count, messages.SUCCESS
        )

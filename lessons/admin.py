"""Staff editing: quests with their lessons inline, lessons with preview, reports triage."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lessons import services
from lessons.models import ExternalLink, Lesson, Quest, Report, Status, Tag


class LessonInlineForm(forms.ModelForm):
    def validate_constraints(self):
        """Skip the database check of (quest, position): while staff reorder, the
        rows still hold the old positions. The formset checks the new positions
        against each other, and save_formset parks the old ones first."""
        try:
            # Django's own ModelForm helpers (private, untyped in django-stubs): the same exclusions and error
            # handling as ModelForm.validate_constraints, with position left out.
            exclusions = self._get_validation_exclusions()  # type: ignore[attr-defined]
            self.instance.validate_constraints(exclude={*exclusions, "position"})
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]


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
        return quest.lesson_total  # type: ignore[attr-defined]  # annotated by get_queryset

    @transaction.atomic
    def save_formset(self, request, form, formset, change):
        if formset.model is Lesson:
            services.lessons_park_positions(lessons=[f.instance for f in formset.forms if f.has_changed()])
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
        total = lesson.report_total  # type: ignore[attr-defined]  # annotated by get_queryset
        if not total:
            return "–"
        url = reverse("admin:lessons_report_changelist") + f"?lesson__id__exact={lesson.pk}"
        return format_html('<a href="{}">{}</a>', url, total)

    @admin.action(description=_("Publish selected lessons"))
    def publish(self, request, queryset):
        count = services.lessons_status_set(lessons=queryset, status=Status.PUBLISHED)
        self.message_user(
            request, ngettext("%d lesson published.", "%d lessons published.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Unpublish selected lessons (back to draft)"))
    def unpublish(self, request, queryset):
        count = services.lessons_status_set(lessons=queryset, status=Status.DRAFT)
        self.message_user(
            request, ngettext("%d lesson unpublished.", "%d lessons unpublished.", count) % count, messages.SUCCESS
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Triage: new → triaged → resolved or won't fix. What the reporter sent and the
    captured context are read-only; staff set the kind, the status and their notes."""

    list_display = ["created_at", "kind", "status", "lesson", "summary", "reporter"]
    list_display_links = ["created_at", "summary"]
    list_filter = ["status", "kind", ("lesson", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["lesson", "user"]
    search_fields = ["body", "email", "page_url", "staff_notes", "user__email", "lesson__title", "lesson__key"]
    date_hierarchy = "created_at"
    actions = ["mark_triaged", "mark_resolved", "mark_wontfix"]
    readonly_fields = [
        "message",
        "reporter",
        "page_link",
        "lesson",
        "lesson_updated_at",
        "lesson_completed",
        "user_agent",
        "created_at",
    ]
    fieldsets = [
        (_("Triage"), {"fields": ["status", "kind", "staff_notes"]}),
        (_("What the reporter wrote"), {"fields": ["message", "reporter"]}),
        (
            _("Captured with the report"),
            {"fields": ["page_link", "lesson", "lesson_updated_at", "lesson_completed", "user_agent", "created_at"]},
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return False  # reports come from the site's form, with their context

    @admin.display(description=_("what happened"))
    def summary(self, report: Report) -> str:
        return Truncator(report.body).chars(80)  # plain text: the admin escapes it

    @admin.display(description=_("what happened"))
    def message(self, report: Report):
        return format_html('<div class="report-body">{}</div>', linebreaksbr(report.body, autoescape=True))

    @admin.display(description=_("reporter"))
    def reporter(self, report: Report) -> str:
        if report.user is not None:
            return report.user.email or report.user.get_username()
        return report.email or gettext("anonymous")

    @admin.display(description=_("page"))
    def page_link(self, report: Report):
        if not report.page_url:
            return "–"
        if report.page_url.startswith("/") and not report.page_url.startswith(("//", "/\\")):
            return format_html(
                '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', report.page_url, report.page_url
            )
        return report.page_url

    def _set_status(self, request, queryset, status: str) -> None:
        count = services.report_status_set(reports=queryset, status=status)
        label = Report.State(status).label
        self.message_user(
            request,
            ngettext("%(count)d report marked %(status)s.", "%(count)d reports marked %(status)s.", count)
            % {"count": count, "status": label},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark selected reports as triaged"))
    def mark_triaged(self, request, queryset):
        self._set_status(request, queryset, Report.State.TRIAGED)

    @admin.action(description=_("Mark selected reports as resolved"))
    def mark_resolved(self, request, queryset):
        self._set_status(request, queryset, Report.State.RESOLVED)

    @admin.action(description=_("Mark selected reports as won't fix"))
    def mark_wontfix(self, request, queryset):
        self._set_status(request, queryset, Report.State.WONT_FIX)

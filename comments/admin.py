"""Moderation in the admin: every comment searchable and filterable, a flagged-comments queue, hide/unhide."""

from django.contrib import admin, messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments import services
from comments.models import Comment, Flag, FlaggedComment, LessonSubscription, Notification


class FlaggedFilter(admin.SimpleListFilter):
    title = _("flagged")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "no":
            return queryset.filter(flag_count=0)
        return queryset


class FlagInline(admin.TabularInline):
    model = Flag
    fields = ["user", "reason", "created_at"]
    readonly_fields = ["user", "reason", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description=_("Hide selected comments"))
def hide_comments(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = services.comments_visibility_set(comments=queryset, user=request.user, hidden=True)
    modeladmin.message_user(
        request, ngettext("%d comment hidden.", "%d comments hidden.", changed) % changed, messages.SUCCESS
    )


@admin.action(description=_("Unhide selected comments"))
def unhide_comments(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = services.comments_visibility_set(comments=queryset, user=request.user, hidden=False)
    modeladmin.message_user(
        request, ngettext("%d comment shown again.", "%d comments shown again.", changed) % changed, messages.SUCCESS
    )


@admin.action(description=_("Dismiss flags (keep the comments)"))
def dismiss_flags(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = services.comments_flags_clear(comments=queryset, user=request.user)
    modeladmin.message_user(
        request, ngettext("Flags dismissed on %d comment.", "Flags dismissed on %d comments.", changed) % changed
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author", "lesson", "created_at", "flag_count", "is_hidden", "is_deleted", "on_page"]
    list_filter = ["is_hidden", FlaggedFilter, "is_deleted", ("lesson", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["body", "author__email", "author__username", "author__profile__display_name", "lesson__title"]
    list_select_related = ["author", "lesson__quest"]
    date_hierarchy = "created_at"
    actions = [hide_comments, unhide_comments, dismiss_flags]
    # Text is the author's; staff moderate (hide) rather than rewrite.
    readonly_fields = [
        "lesson",
        "parent",
        "author",
        "body",
        "rendered",
        "created_at",
        "edited_at",
        "is_deleted",
        "is_hidden",
        "hidden_at",
        "flag_count",
        "on_page",
    ]
    fields = tuple(readonly_fields)
    inlines = [FlagInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments are written on lesson pages, where the rules are enforced

    @admin.display(description=_("comment"))
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(80) or gettext("[deleted]")

    @admin.display(description=_("rendered"))
    def rendered(self, obj: Comment) -> str:
        return format_html('<div class="comment-body">{}</div>', obj.body_html) if obj.body_html else "—"

    @admin.display(description=_("on the site"))
    def on_page(self, obj: Comment) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), gettext("view"))


@admin.register(FlaggedComment)
class FlaggedCommentAdmin(CommentAdmin):
    """The moderation queue: comments readers flagged, most flagged first, hidden ones last."""

    list_display = ["excerpt", "flag_count", "reasons", "author", "lesson", "created_at", "is_hidden", "on_page"]
    list_filter = ["is_hidden", ("lesson", admin.RelatedOnlyFieldListFilter)]
    ordering = ["is_hidden", "-flag_count", "-created_at"]
    date_hierarchy = None  # type: ignore[assignment]  # the flagged queue has no date drill-down

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The flags' reasons in one more query for the whole page, not one per row.
        return (
            super()
            .get_queryset(request)
            .filter(flag_count__gt=0, is_deleted=False)
            .prefetch_related(Prefetch("flags", queryset=Flag.objects.exclude(reason=""), to_attr="flags_with_reason"))
        )

    @admin.display(description=_("reasons given"))
    def reasons(self, obj: Comment) -> str:
        given = getattr(obj, "flags_with_reason", [])
        if not given:
            return "—"
        return format_html_join("", "<p>{}</p>", ((Truncator(flag.reason).chars(160),) for flag in given))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "comment", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["recipient__email"]
    list_select_related = ["recipient", "comment"]
    raw_id_fields = ["recipient", "comment"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(LessonSubscription)
class LessonSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "mode", "updated_at"]
    list_filter = ["mode"]
    search_fields = ["user__email", "lesson__title"]
    list_select_related = ["user", "lesson"]
    raw_id_fields = ["user", "lesson"]

"""Content: quests, lessons, tags, external links; and problem reports about them."""

import math
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lessons.markdown import EXERCISE_ID_PREFIX, lesson_over_budget, render_lesson


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


def default_xp(minutes: int) -> int:
    """10 XP per started 5 minutes of estimated reading (18 min -> 40 XP)."""
    return 10 * max(1, math.ceil(minutes / 5))


class QuestQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        return self if user.is_staff else self.published()


class Quest(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=False)
    summary = models.TextField(_("summary"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    # A quest shows once it has a published lesson; drafting a quest hides all of its lessons.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)

    objects = QuestQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("quest")
        verbose_name_plural = _("quests")
        constraints = [models.UniqueConstraint(fields=["slug"], name="quest_slug_unique")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:quest", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50)
    slug = models.SlugField(_("slug"), max_length=50)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["slug"], name="tag_slug_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lessons:tag", kwargs={"slug": self.slug})


def published_lesson(through: str = "") -> Q:
    """The condition "published, in a published quest" on a lesson, or on the lesson reached
    through ``through`` (for example ``"comment__lesson__"``).

    Other models apply it as joins along their own foreign keys, not as ``lesson__in=<a
    subquery of lessons>``: on SQLite that subquery reads every lesson row, bodies included
    (0.5 ms for 200 lessons, where the join costs 0.02 ms), on every signed-in page."""
    return Q(**{f"{through}status": Status.PUBLISHED, f"{through}quest__status": Status.PUBLISHED})


def lesson_visible_to(user, through: str = "") -> Q:
    """``LessonQuerySet.visible_to`` as a condition (see ``published_lesson``): staff see drafts too."""
    return Q() if user.is_staff else published_lesson(through)


class LessonQuerySet(models.QuerySet):
    def published(self):
        """Lessons anyone may see: published, in a published quest."""
        return self.filter(published_lesson())

    def visible_to(self, user):
        """Staff see drafts too; everyone else only what is published."""
        return self.filter(lesson_visible_to(user))

    def in_order(self):
        return self.order_by("quest__order", "quest_id", "position")


# A lesson's stable key, as progress refers to it everywhere (the browser, the API, lesson files):
# ASCII letters, digits, "-" and "_" (what SlugField accepts), at most LESSON_KEY_MAX_LENGTH long.
LESSON_KEY_MAX_LENGTH = 64
LESSON_KEY_PATTERN = re.compile(rf"[-a-zA-Z0-9_]{{1,{LESSON_KEY_MAX_LENGTH}}}")


def is_lesson_key(value: object) -> bool:
    """Whether ``value`` has the form of a lesson key (whether such a lesson exists is another question)."""
    return isinstance(value, str) and LESSON_KEY_PATTERN.fullmatch(value) is not None


def new_lesson_key() -> str:
    return uuid.uuid4().hex[:12]


class Lesson(models.Model):
    quest = models.ForeignKey(Quest, on_delete=models.PROTECT, related_name="lessons", verbose_name=_("quest"))
    position = models.PositiveIntegerField(_("position"))
    # The key is what progress refers to (in the browser and on the server); it never
    # changes when the title or slug does.
    key = models.SlugField(
        _("key"),
        max_length=LESSON_KEY_MAX_LENGTH,
        default=new_lesson_key,
        help_text=_("Stable identifier used by progress. Never change it once learners have progress."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    toc_html = models.TextField(editable=False, blank=True)
    exercise = models.TextField(_("exercise (Markdown)"), blank=True)
    exercise_html = models.TextField(editable=False, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="lessons", verbose_name=_("tags"))
    minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=10)
    xp = models.PositiveIntegerField(
        _("XP"), blank=True, help_text=_("Leave empty for 10 XP per started 5 minutes of reading.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("publish date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["quest__order", "quest_id", "position"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["quest", "position"], name="lesson_position_unique_in_quest"),
            models.UniqueConstraint(fields=["key"], name="lesson_key_unique"),
            models.UniqueConstraint(fields=["slug"], name="lesson_slug_unique"),
            models.CheckConstraint(condition=Q(minutes__gte=1), name="lesson_minutes_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.xp is None:
            self.xp = default_xp(self.minutes)
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.render()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "toc_html", "exercise_html", "xp", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson", kwargs={"quest_slug": self.quest.slug, "slug": self.slug})

    @property
    def content_version(self) -> str:
        """What an offline copy compares to know it is stale: changes on every save (static/sw.js)."""
        return self.updated_at.isoformat()

    def clean(self) -> None:
        super().clean()
        errors = {
            name: _(
                "This is too long or too intricate to render quickly, so the page would show it as plain "
                "text. Split the lesson in two, or simplify its markup."
            )
            for name in ("body", "exercise")
            if lesson_over_budget(getattr(self, name))
        }
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        """The instance form of ``LessonQuerySet.published()``: a published lesson in a
        published quest, what anyone may see and what counts towards progress. Reads
        ``self.quest``: select_related it to save a query."""
        return self.status == Status.PUBLISHED and self.quest.status == Status.PUBLISHED

    def render(self) -> None:
        """Render the Markdown fields into their stored, sanitized HTML."""
        rendered = render_lesson(self.body)
        self.body_html = rendered.html
        self.toc_html = rendered.toc_html
        self.exercise_html = render_lesson(self.exercise, id_prefix=EXERCISE_ID_PREFIX).html if self.exercise else ""


class ExternalLink(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("URL"), max_length=500)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("external link")
        verbose_name_plural = _("external links")

    def __str__(self) -> str:
        return self.title


class Report(models.Model):
    """A "report a problem" submission, with the context captured at the time."""

    class Kind(models.TextChoices):
        BUG = "bug", _("Bug")
        TYPO = "typo", _("Typo or content error")
        SUGGESTION = "suggestion", _("Suggestion")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        RESOLVED = "resolved", _("Resolved")
        WONT_FIX = "wontfix", _("Won't fix")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BUG)
    body = models.TextField(_("what happened"), max_length=5000)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    page_url = models.CharField(_("page URL"), max_length=500, blank=True)
    lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    # Which version of the lesson was reported.
    lesson_updated_at = models.DateTimeField(_("lesson last updated"), null=True, blank=True)
    lesson_completed = models.BooleanField(_("reporter had completed the lesson"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.NEW)
    staff_notes = models.TextField(_("staff notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The random part of the form's anti-bot token (lessons.forms.report_form_token): one report
    # per form shown. Unique, so a replayed token is refused even by two requests at once.
    form_nonce = models.CharField(_("form token"), max_length=32, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            # The admin's default view: new reports, newest first.
            models.Index(fields=["status", "-created_at"], name="report_status_created_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["form_nonce"], name="report_form_nonce_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:60]}"

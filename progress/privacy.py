"""What progress holds about a learner, for "download my data" (``infra.privacy`` asks each app)."""

from progress.models import Completion, EarnedAchievement, Profile


def personal_data(user) -> dict:
    profile = Profile.objects.filter(user=user).first()
    return {
        "profile": {
            "display_name": profile.display_name,
            "time_zone": profile.time_zone,
            "email_on_reply": profile.email_on_reply,
            "language": profile.language,
        }
        if profile
        else None,
        "completions": [
            {"lesson": key, "title": title, "completed_at": completed_at}
            for key, title, completed_at in Completion.objects.filter(user=user)
            .order_by("completed_at")
            .values_list("lesson__key", "lesson__title", "completed_at")
        ],
        "achievements": [
            {"code": code, "name": name, "earned_at": earned_at}
            for code, name, earned_at in EarnedAchievement.objects.filter(user=user)
            .order_by("earned_at")
            .values_list("achievement__code", "achievement__name", "earned_at")
        ],
    }

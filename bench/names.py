"""What bench/run.py and bench/dataset.py both need to know (this module imports no Django)."""

QUEST_SLUG = "deep-learning-history"
LESSON_SLUG = "history-arc"  # the measured lesson: 100 comments
DEEP_LESSON_SLUG = "transformer"  # 500 comments in deep threads
LESSON_PATH = f"/quests/{QUEST_SLUG}/{LESSON_SLUG}/"
READER = "reader"  # signed in for the lesson page, the dashboard and GET /api/progress/
SYNCER = "syncer"  # signed in for POST /api/progress/sync
SESSION_COOKIE = "sessionid"

// Entry module of every page: each feature is a small module wired by data-* attributes.
// Pages load what only they use themselves (lesson.js, reports.js, offline.js), so no page
// ships code for parts it does not have (SPEC 10: 30 KB of JavaScript per page).
import "./ui.js";
import "./progress.js";
import "./drafts.js";

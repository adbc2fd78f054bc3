// Entry module: each feature is a small module wired by data-* attributes.
import "./ui.js";
import "./copy.js";
import "./progress.js";
import "./comments.js";
import "./reports.js";
import "./drafts.js";

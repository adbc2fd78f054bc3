// Entry module: each feature is a small module wired by data-* attributes.
import "./ui.js";
import "./copy.js";

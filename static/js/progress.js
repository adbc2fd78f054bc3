// The progress module.

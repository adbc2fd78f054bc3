// The comments module.

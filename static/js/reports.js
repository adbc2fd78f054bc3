// The reports module.

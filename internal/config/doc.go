// Package config owns vetted's one typed configuration: its defaults, the commented YAML
// file that `vetted init` writes, strict decoding (unknown keys are errors), VETTED_*
// environment overrides derived mechanically from the YAML keys, and Validate, whose
// errors name the key and the fix.
//
// It imports nothing of vetted: other packages receive plain values from internal/app.
package config

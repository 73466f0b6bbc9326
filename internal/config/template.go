package config

import _ "embed"

// DefaultYAML is the commented configuration file that `vetted init` writes. It decodes
// to exactly Default() (a test checks this).
//
//go:embed default.yaml
var DefaultYAML []byte

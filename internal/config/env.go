package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts every environment override.
const EnvPrefix = "VETTED_"

// Environment variables with the prefix that are not configuration keys.
var envNotConfig = map[string]bool{
	"VETTED_CONFIG":        true, // the config file path, read by the CLI
	"VETTED_REQUIRE_TOOLS": true, // tests: fail instead of skipping when a client is absent
}

// EnvName derives the environment variable for a YAML key path: listen → VETTED_LISTEN,
// upstream.index_ttl → VETTED_UPSTREAM_INDEX_TTL, repositories[0].upstream →
// VETTED_REPOSITORIES_0_UPSTREAM.
func EnvName(keyPath ...string) string {
	return EnvPrefix + strings.ToUpper(strings.Join(keyPath, "_"))
}

// applyEnv sets every scalar field that has a VETTED_* variable in env. Lists of
// structures are addressed by index (VETTED_REPOSITORIES_0_UPSTREAM); maps (policies)
// can only be set in the file.
func applyEnv(cfg *Config, env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvPrefix) && !envNotConfig[k] && !strings.HasPrefix(k, EnvPrefix+"TEST_") {
			vars[k] = v
		}
	}
	if len(vars) == 0 {
		return nil
	}
	known := map[string]bool{}
	var errs []string
	walk(reflect.ValueOf(cfg).Elem(), nil, func(keys []string, f reflect.Value) {
		name := EnvName(keys...)
		known[name] = true
		raw, ok := vars[name]
		if !ok {
			return
		}
		if err := setScalar(f, raw); err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", name, raw, err))
		}
	})
	var unknown []string
	for k := range vars {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, fmt.Sprintf("%s is not a configuration key (keys map to variables as upstream.index_ttl → VETTED_UPSTREAM_INDEX_TTL)", k))
	}
	if len(errs) > 0 {
		return fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

var durationType = reflect.TypeFor[time.Duration]()

// walk calls fn for every settable scalar under v with its YAML key path.
func walk(v reflect.Value, keys []string, fn func([]string, reflect.Value)) {
	switch {
	case v.Type() == durationType:
		fn(keys, v)
	case v.Kind() == reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			walk(v.Field(i), append(append([]string(nil), keys...), tag), fn)
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), append(append([]string(nil), keys...), strconv.Itoa(i)), fn)
		}
	case v.Kind() == reflect.String, v.Kind() == reflect.Bool, v.Kind() == reflect.Int,
		v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		fn(keys, v)
	}
}

func setScalar(f reflect.Value, raw string) error {
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("not a duration (example: 30s, 10m)")
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(raw)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("not a boolean (use true or false)")
		}
		f.SetBool(b)
	case f.Kind() == reflect.Slice: // a list of strings, comma-separated
		var list []string
		for _, item := range strings.Split(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		f.Set(reflect.ValueOf(list))
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		f.SetInt(int64(n))
	}
	return nil
}

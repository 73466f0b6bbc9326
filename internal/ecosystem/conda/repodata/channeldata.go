package repodata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Channeldata is a channel's channeldata.json: what conda search and channel browsers read
// about each package name, across subdirs.
//
//	{
//	  "channeldata_version": 1,
//	  "packages": {"zlib": {"license": "Zlib", "subdirs": ["linux-64", "osx-64"], "version": "1.3.1", …}},
//	  "subdirs": ["linux-64", "noarch", "osx-64"]
//	}
type Channeldata struct {
	Version  int // channeldata_version; 0 when absent
	Packages map[string]ChannelPackage
	Subdirs  []string
	// Extra holds other top-level keys as upstream wrote them.
	Extra map[string]json.RawMessage
}

// ChannelPackage is one package name's entry in channeldata.json. Render writes Version
// and Subdirs from the struct (so that a filtered channel can show the newest allowed
// version) and every other key from Raw.
type ChannelPackage struct {
	Version   string   // the newest version in the channel
	Subdirs   []string // the subdirs that have the package
	License   string
	Summary   string
	Home      string
	Timestamp int64 // milliseconds (seconds are converted, as in Record)
	// Raw is the entry as upstream wrote it.
	Raw json.RawMessage
}

// ParseChanneldata parses a channeldata.json. source names it in errors.
func ParseChanneldata(data []byte, source string) (*Channeldata, error) {
	fail := func(where, msg string, err error) error {
		return &ParseError{Source: source, Detail: where + msg, Err: err}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		if len(bytes.TrimSpace(data)) > 0 && !json.Valid(data) {
			return nil, fail("", "invalid JSON (a truncated download?)", err)
		}
		return nil, fail("", "a channeldata.json is a JSON object", err)
	}
	cd := &Channeldata{Packages: map[string]ChannelPackage{}}
	for key, raw := range top {
		var err error
		switch key {
		case "channeldata_version":
			err = json.Unmarshal(raw, &cd.Version)
		case "subdirs":
			err = json.Unmarshal(raw, &cd.Subdirs)
		case "packages":
			var pkgs map[string]json.RawMessage
			if err = json.Unmarshal(raw, &pkgs); err != nil {
				break
			}
			for name, raw := range pkgs {
				pkg, err := parseChannelPackage(raw)
				if err != nil {
					return nil, fail("packages["+quote(name)+"]", ": "+err.Error(), nil)
				}
				cd.Packages[name] = pkg
			}
		default:
			if cd.Extra == nil {
				cd.Extra = map[string]json.RawMessage{}
			}
			cd.Extra[key] = raw
		}
		if err != nil {
			return nil, fail(quote(key), ": has the wrong type", err)
		}
	}
	return cd, nil
}

func parseChannelPackage(raw json.RawMessage) (ChannelPackage, error) {
	pkg := ChannelPackage{Raw: raw}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return pkg, fmt.Errorf("an entry must be an object")
	}
	str := func(key string, dst *string) error {
		v, ok := fields[key]
		if !ok || string(v) == "null" {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("%q must be a string", key)
		}
		return nil
	}
	for key, dst := range map[string]*string{"version": &pkg.Version, "license": &pkg.License, "summary": &pkg.Summary, "home": &pkg.Home} {
		if err := str(key, dst); err != nil {
			return pkg, err
		}
	}
	if v, ok := fields["subdirs"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &pkg.Subdirs); err != nil {
			return pkg, fmt.Errorf(`"subdirs" must be a list of strings`)
		}
	}
	if v, ok := fields["timestamp"]; ok && string(v) != "null" {
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || f < 0 || f >= 1<<62 {
			return pkg, fmt.Errorf(`"timestamp" must be a time in milliseconds since 1970`)
		}
		pkg.Timestamp = int64(f)
		if pkg.Timestamp <= secondsLimit {
			pkg.Timestamp *= 1000
		}
	}
	return pkg, nil
}

// RenderChanneldata writes cd as channeldata.json with the package names keep accepts
// (all when keep is nil). Keys are sorted; each entry keeps upstream's keys, with
// "version" and "subdirs" from the struct. Unlike repodata records, entries are
// re-encoded (compact, sorted keys): their values are unchanged.
func RenderChanneldata(w io.Writer, cd *Channeldata, keep func(name string, pkg *ChannelPackage) bool) error {
	top := map[string]any{}
	for k, v := range cd.Extra {
		top[k] = v
	}
	if cd.Version != 0 {
		top["channeldata_version"] = cd.Version
	}
	subdirs := cd.Subdirs
	if subdirs == nil {
		subdirs = []string{}
	}
	top["subdirs"] = subdirs
	pkgs := map[string]map[string]json.RawMessage{}
	for name, pkg := range cd.Packages {
		if keep != nil && !keep(name, &pkg) {
			continue
		}
		fields := map[string]json.RawMessage{}
		if pkg.Raw != nil {
			if err := json.Unmarshal(pkg.Raw, &fields); err != nil {
				return fmt.Errorf("render channeldata: packages[%q].Raw: %w", name, err)
			}
		}
		if pkg.Version != "" {
			fields["version"] = appendString(nil, pkg.Version)
		}
		if pkg.Subdirs != nil {
			sub := slices.Clone(pkg.Subdirs)
			slices.Sort(sub)
			b, _ := json.Marshal(sub)
			fields["subdirs"] = b
		}
		pkgs[name] = fields
	}
	top["packages"] = pkgs
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(top)
}

package pypi

// Meta is the "meta" object of a PEP 691 response.
type Meta struct {
	APIVersion string `json:"api-version"`
	LastSerial int64  `json:"_last-serial,omitempty"`
}

// ProjectList is the root of a simple index: every project the index knows.
type ProjectList struct {
	Meta     Meta
	Projects []ProjectRef
}

// ProjectRef is one entry of the project list.
type ProjectRef struct {
	Name string // as the index spells it (not necessarily normalised)
}

// Project is a project page of a simple index (PEP 503 / 691 / 700 / 592 / 658 / 714).
type Project struct {
	Name     string // normalised (PEP 503)
	Meta     Meta
	Files    []File
	Versions []string // PEP 700; derived from the filenames when the index does not give them
}

// File is one distribution file on a project page.
type File struct {
	Filename string
	// URL is absolute: relative links are resolved against the page URL when parsing.
	URL string
	// Hashes maps a hashlib algorithm name ("sha256") to a lower-case hex digest.
	Hashes map[string]string
	// RequiresPython is the PEP 345 Requires-Python specifier, or "".
	RequiresPython string
	// Yanked is true when the file is yanked (PEP 592); YankedReason may then explain why.
	Yanked       bool
	YankedReason string
	// CoreMetadata is nil when the index offers no PEP 658 metadata file. Otherwise the
	// metadata is available at URL + ".metadata" and the map holds its hashes (possibly
	// none).
	CoreMetadata map[string]string
	// Size in bytes (PEP 700), or -1 when the index does not say.
	Size int64
	// UploadTime is an ISO 8601 UTC timestamp (PEP 700), or "".
	UploadTime string
}

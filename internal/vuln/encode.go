package vuln

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Encode returns the stored form of an advisory (the catalog keeps it as opaque bytes)
// and its digest, which changes exactly when the advisory's content does.
func Encode(a *Advisory) (body []byte, digest string, err error) {
	body, err = json.Marshal(a)
	if err != nil {
		return nil, "", fmt.Errorf("encode advisory %s: %w", a.ID, err)
	}
	sum := sha256.Sum256(body)
	return body, hex.EncodeToString(sum[:]), nil
}

// Decode reads an advisory's stored form.
func Decode(body []byte) (*Advisory, error) {
	var a Advisory
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("decode stored advisory: %w (the catalog row is damaged; re-import the feed)", err)
	}
	return &a, nil
}

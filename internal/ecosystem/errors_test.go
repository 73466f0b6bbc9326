package ecosystem

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCapReader(t *testing.T) {
	r := NewCapReader(strings.NewReader("12345"), 5)
	if b, err := readAll(r); string(b) != "12345" || err != nil {
		t.Errorf("exactly the limit: %q, %v", b, err)
	}
	r = NewCapReader(strings.NewReader("123456"), 5)
	if _, err := readAll(r); !errors.Is(err, ErrTooMuchData) {
		t.Errorf("over the limit: %v", err)
	}
}

func readAll(r *CapReader) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

func TestQuote(t *testing.T) {
	if got := Quote("abc", 10); got != `"abc"` {
		t.Errorf("Quote = %s", got)
	}
	if got := Quote("ééé", 3); got != `"é"…` {
		t.Errorf("Quote cut inside a rune = %s", got)
	}
}

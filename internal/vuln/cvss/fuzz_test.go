package cvss

import (
	"errors"
	"testing"
)

// FuzzParse: Parse never panics; a score is within 0-10 with a severity of its
// version's scale; the normalised vector parses to the same score.
func FuzzParse(f *testing.F) {
	for _, set := range [][]example{v31Examples, v30Examples, v40Examples, v20Examples} {
		for _, ex := range set {
			f.Add(ex.vector)
		}
	}
	for _, s := range []string{"", "CVSS:", "CVSS:3.1/", "()", "(", "AV:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/U:Red",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/MAV:P/MS:C", "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:H/IR:H/AR:H"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, vector string) {
		s, err := Parse(vector)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error", err)
			}
			return
		}
		if s.Base < 0 || s.Base > 10 || SeverityRank(s.Severity) < 0 {
			t.Fatalf("Parse(%q) = %+v", vector, s)
		}
		again, err := Parse(s.Vector)
		if err != nil || again != s {
			t.Fatalf("Parse(%q) = %+v, but its vector parses to %+v, %v", vector, s, again, err)
		}
	})
}

package conda

import "testing"

func TestParseDependency(t *testing.T) {
	cases := []struct {
		dep, name, admits, rejects string
		bad                        bool
	}{
		{dep: "python >=3.9,<3.10.0a0 *_cpython", name: "python", admits: "3.9.18", rejects: "3.10.0"},
		{dep: "tiny-util >=1.0", name: "tiny-util", admits: "1.1", rejects: "0.9"},
		{dep: "libzlib", name: "libzlib", admits: "1.2.13"},
		{dep: "numpy 1.26.*", name: "numpy", admits: "1.26.4", rejects: "1.27.0"},
		{dep: "Foo", name: "foo", admits: "1"},
		{dep: "openssl * h1234", name: "openssl", admits: "3.0.13"},
		{dep: "", bad: true},
		{dep: "numpy[version='>=1']", bad: true},
		{dep: "a b c d", bad: true},
		{dep: "x >=(", bad: true},
	}
	for _, c := range cases {
		d, err := ParseDependency(c.dep)
		if c.bad {
			if err == nil {
				t.Errorf("%q parsed: %+v", c.dep, d)
			}
			continue
		}
		if err != nil || d.Name != c.name {
			t.Errorf("%q: %+v %v", c.dep, d, err)
			continue
		}
		if c.admits != "" && !d.Admits(c.admits) {
			t.Errorf("%q does not admit %s", c.dep, c.admits)
		}
		if c.rejects != "" && d.Admits(c.rejects) {
			t.Errorf("%q admits %s", c.dep, c.rejects)
		}
	}
}

package nvd

import (
	"strings"
	"testing"
)

func TestParseCPE(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     CPE
	}{
		{"openssl range criteria", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
			CPE{"a", "openssl", "openssl", "*", "*", "*", "*", "*", "*", "*", "*"}},
		{"exact version with update", "cpe:2.3:a:julialang:julia:1.7.0:beta1:*:*:*:*:*:*",
			CPE{"a", "julialang", "julia", "1.7.0", "beta1", "*", "*", "*", "*", "*", "*"}},
		{"NA version and target_sw", "cpe:2.3:a:netapp:active_iq_unified_manager:-:*:*:*:*:vmware_vsphere:*:*",
			CPE{"a", "netapp", "active_iq_unified_manager", "-", "*", "*", "*", "*", "vmware_vsphere", "*", "*"}},
		{"operating system", "cpe:2.3:o:fedoraproject:fedora:37:*:*:*:*:*:*:*",
			CPE{"o", "fedoraproject", "fedora", "37", "*", "*", "*", "*", "*", "*", "*"}},
		{"escaped colon in version", `cpe:2.3:a:example:tool:1.0\:beta:*:*:*:*:*:*:*`,
			CPE{"a", "example", "tool", `1.0\:beta`, "*", "*", "*", "*", "*", "*", "*"}},
		{"escaped colon in product", `cpe:2.3:a:example:a\:b:2.0:*:*:*:*:*:*:*`,
			CPE{"a", "example", `a\:b`, "2.0", "*", "*", "*", "*", "*", "*", "*"}},
		{"escaped punctuation and backslash", `cpe:2.3:a:gnu:g\+\+:1\\2:*:*:*:*:*:*:*`,
			CPE{"a", "gnu", `g\+\+`, `1\\2`, "*", "*", "*", "*", "*", "*", "*"}},
		{"dot unescaped", "cpe:2.3:a:nodejs:node.js:20.5.0:*:*:*:*:*:*:*",
			CPE{"a", "nodejs", "node.js", "20.5.0", "*", "*", "*", "*", "*", "*", "*"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCPE(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("ParseCPE(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
			// Property: String gives the input back, and it parses to the same CPE.
			if s := got.String(); s != tc.in {
				t.Fatalf("String() = %q, want %q", s, tc.in)
			}
		})
	}
}

func TestParseCPEInvalid(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", `does not start with "cpe:2.3:"`},
		{"CPE 2.2 URI", "cpe:/a:openssl:openssl:1.0.1", `does not start with "cpe:2.3:"`},
		{"too few components", "cpe:2.3:a:openssl:openssl:1.0.1", "4 components"},
		{"too many components", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*:*", "12 components"},
		{"unescaped colon in version", "cpe:2.3:a:example:tool:1.0:beta:*:*:*:*:*:*:*", "12 components"},
		{"empty component", "cpe:2.3:a::openssl:*:*:*:*:*:*:*:*", "component 2 is empty"},
		{"lone trailing backslash", `cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:\`, "lone backslash"},
		{"space", "cpe:2.3:a:open ssl:openssl:*:*:*:*:*:*:*:*", "printable ASCII"},
		{"non-ASCII", "cpe:2.3:a:öpenssl:openssl:*:*:*:*:*:*:*:*", "printable ASCII"},
		{"bad part", "cpe:2.3:x:openssl:openssl:*:*:*:*:*:*:*:*", `part "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCPE(tc.in)
			if err == nil {
				t.Fatalf("ParseCPE(%q) succeeded", tc.in)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "looks like") {
				t.Fatalf("ParseCPE(%q) error %q: want it to contain %q and an example", tc.in, err, tc.want)
			}
		})
	}
}

func TestCPEValues(t *testing.T) {
	for _, tc := range []struct {
		in          string
		product     Product
		exact       string
		exactOK     bool
		productText string
	}{
		{"cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", Product{"openssl", "openssl"}, "", false, "openssl:openssl"},
		{"cpe:2.3:a:xmlsoft:libxml2:2.11.0:*:*:*:*:*:*:*", Product{"xmlsoft", "libxml2"}, "2.11.0", true, "xmlsoft:libxml2"},
		{"cpe:2.3:a:xmlsoft:libxml2:2.11.0:-:*:*:*:*:*:*", Product{"xmlsoft", "libxml2"}, "2.11.0", true, "xmlsoft:libxml2"},
		{"cpe:2.3:a:julialang:julia:1.7.0:rc1:*:*:*:*:*:*", Product{"julialang", "julia"}, "1.7.0rc1", true, "julialang:julia"},
		{"cpe:2.3:a:netapp:oncommand_insight:-:*:*:*:*:*:*:*", Product{"netapp", "oncommand_insight"}, "", false, "netapp:oncommand_insight"},
		{"cpe:2.3:a:example:tool:1.2*:*:*:*:*:*:*:*", Product{"example", "tool"}, "", false, "example:tool"},
		{"cpe:2.3:a:example:tool:1.?:*:*:*:*:*:*:*", Product{"example", "tool"}, "", false, "example:tool"},
		{`cpe:2.3:a:example:tool:1.0\*:*:*:*:*:*:*:*`, Product{"example", "tool"}, "1.0*", true, "example:tool"},
		{`cpe:2.3:a:example:tool:1.0\:beta:*:*:*:*:*:*:*`, Product{"example", "tool"}, "1.0:beta", true, "example:tool"},
		{`cpe:2.3:a:Example:A\:B:*:*:*:*:*:*:*:*`, Product{"example", "a:b"}, "", false, `example:a\:b`},
		{"cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*", Product{"nodejs", "node.js"}, "", false, "nodejs:node.js"},
	} {
		c, err := ParseCPE(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.VendorProduct(); got != tc.product {
			t.Errorf("%s: VendorProduct() = %+v, want %+v", tc.in, got, tc.product)
		}
		if got := c.VendorProduct().String(); got != tc.productText {
			t.Errorf("%s: VendorProduct().String() = %q, want %q", tc.in, got, tc.productText)
		}
		v, ok := c.exactVersion()
		if v != tc.exact || ok != tc.exactOK {
			t.Errorf("%s: exactVersion() = %q, %v; want %q, %v", tc.in, v, ok, tc.exact, tc.exactOK)
		}
		// Property: a product's text parses back to the product.
		if p, err := ParseProduct(c.VendorProduct().String()); err != nil || p != c.VendorProduct() {
			t.Errorf("%s: ParseProduct(%q) = %+v, %v", tc.in, c.VendorProduct().String(), p, err)
		}
	}
}

func TestParseProduct(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Product
		err  string
	}{
		{in: "openssl:openssl", want: Product{"openssl", "openssl"}},
		{in: "HAXX:LibCurl", want: Product{"haxx", "libcurl"}},
		{in: "icu-project:international_components_for_unicode", want: Product{"icu-project", "international_components_for_unicode"}},
		{in: `example:a\:b`, want: Product{"example", "a:b"}},
		{in: "openssl", err: "1 colon-separated parts"},
		{in: "a:b:c", err: "3 colon-separated parts"},
		{in: "*:openssl", err: "not one name"},
		{in: "openssl:-", err: "not one name"},
		{in: "openssl:open*", err: "not one name"},
		{in: "open ssl:openssl", err: "printable ASCII"},
		{in: ":openssl", err: "empty"},
	} {
		got, err := ParseProduct(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseProduct(%q) = %+v, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseProduct(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

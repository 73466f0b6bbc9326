package repodata

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"
)

// The byte layouts of the msgpack spec, smallest form first.
func TestMsgpackEncoding(t *testing.T) {
	str := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		name string
		got  []byte
		want string // hex of the first bytes
	}{
		{"nil", mpAppendNil(nil), "c0"},
		{"true", mpAppendBool(nil, true), "c3"},
		{"false", mpAppendBool(nil, false), "c2"},
		{"0", mpAppendInt(nil, 0), "00"},
		{"127", mpAppendInt(nil, 127), "7f"},
		{"128", mpAppendInt(nil, 128), "cc80"},
		{"255", mpAppendInt(nil, 255), "ccff"},
		{"256", mpAppendInt(nil, 256), "cd0100"},
		{"65536", mpAppendInt(nil, 65536), "ce00010000"},
		{"2^32", mpAppendInt(nil, 1<<32), "cf0000000100000000"},
		{"max uint64", mpAppendUint(nil, math.MaxUint64), "cfffffffffffffffff"},
		{"-1", mpAppendInt(nil, -1), "ff"},
		{"-32", mpAppendInt(nil, -32), "e0"},
		{"-33", mpAppendInt(nil, -33), "d0df"},
		{"-128", mpAppendInt(nil, -128), "d080"},
		{"-129", mpAppendInt(nil, -129), "d1ff7f"},
		{"-32769", mpAppendInt(nil, -32769), "d2ffff7fff"},
		{"min int64", mpAppendInt(nil, math.MinInt64), "d38000000000000000"},
		{"1.5", mpAppendFloat(nil, 1.5), "cb3ff8000000000000"},
		{"empty string", mpAppendStr(nil, ""), "a0"},
		{"fixstr", mpAppendStr(nil, "abc"), "a3616263"},
		{"31 bytes", mpAppendStr(nil, str(31)), "bf78"},
		{"str8", mpAppendStr(nil, str(32)), "d92078"},
		{"str16", mpAppendStr(nil, str(256)), "da010078"},
		{"str32", mpAppendStr(nil, str(65536)), "db0001000078"},
		{"bin8", mpAppendBin(nil, []byte{1, 2, 3}), "c403010203"},
		{"bin16", mpAppendBin(nil, make([]byte, 256)), "c5010000"},
		{"fixarray", mpAppendArrayHeader(nil, 15), "9f"},
		{"array16", mpAppendArrayHeader(nil, 16), "dc0010"},
		{"array32", mpAppendArrayHeader(nil, 65536), "dd00010000"},
		{"fixmap", mpAppendMapHeader(nil, 15), "8f"},
		{"map16", mpAppendMapHeader(nil, 16), "de0010"},
		{"map32", mpAppendMapHeader(nil, 1<<16), "df00010000"},
	} {
		if got := hex.EncodeToString(tc.got); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %.40s, want %s…", tc.name, got, tc.want)
		}
	}
}

func TestMsgpackRoundTrip(t *testing.T) {
	in := `{"a":[1,-1,0,127,128,-33,65536,-2147483649,9223372036854775807,18446744073709551615,1.5,-0.25,1e300,12345678901234567890123],` +
		`"b":"` + strings.Repeat("é", 40) + `","c":{"d":null,"e":true,"f":false,"g":[],"h":{}},` +
		`"md5":"00112233445566778899aabbccddeeff","sha256":"not hex","x":"` + strings.Repeat("y", 70000) + `"}`
	mp, err := jsonToMsgpack(nil, []byte(in), true)
	if err != nil {
		t.Fatal(err)
	}
	v, err := mpDecode(mp)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(mpMap)
	if md5, _ := m.get("md5"); !bytes.Equal(md5.([]byte), []byte{0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}) {
		t.Errorf("md5 %v", md5)
	}
	if sha, _ := m.get("sha256"); sha != "not hex" {
		t.Errorf("sha256 %v", sha)
	}
	a, _ := m.get("a")
	want := []any{int64(1), int64(-1), int64(0), int64(127), int64(128), int64(-33), int64(65536), int64(-2147483649), int64(math.MaxInt64), uint64(math.MaxUint64), 1.5, -0.25, 1e300, 12345678901234567890123.0}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("numbers: got %v", a)
	}
	out, err := mpToJSON(nil, v, true)
	if err != nil {
		t.Fatal(err)
	}
	want2 := strings.Replace(in, "12345678901234567890123", "1.2345678901234568e+22", 1)
	want2 = strings.Replace(want2, "1e300", "1e+300", 1)
	if string(out) != want2 {
		t.Errorf("back to JSON:\n%.300s\nwant\n%.300s", out, want2)
	}
}

// Digests that are not short hex stay strings (a shard reader then refuses them).
func TestMsgpackLongDigest(t *testing.T) {
	long := strings.Repeat("ab", 100)
	mp, err := jsonToMsgpack(nil, []byte(`{"sha256":"`+long+`","md5":"abc"}`), true)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := mpDecode(mp)
	if sha, _ := v.(mpMap).get("sha256"); sha != long {
		t.Errorf("sha256 %v", sha)
	}
	if md5, _ := v.(mpMap).get("md5"); md5 != "abc" {
		t.Errorf("md5 %v", md5)
	}
}

func TestMsgpackDecodeErrors(t *testing.T) {
	good, _ := jsonToMsgpack(nil, []byte(`{"a":[1,"xyz",{"b":null}],"md5":"0011"}`), true)
	for i := range len(good) {
		if _, err := mpDecode(good[:i]); err == nil {
			t.Errorf("prefix of %d bytes accepted", i)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"c1", "invalid msgpack type byte 0xc1"},
		{"d401ff", "extension type"},
		{"8101a0", "map key at byte 1 is an integer, not a string"},
		{"dbffffffff", "ends early"},
		{"ddffffffff", "ends early"},
		{"dfffffffff00", "ends early"},
		{"c0c0", "1 bytes after the end"},
		{strings.Repeat("91", 600) + "c0", "nested more than 512"},
	} {
		b, _ := hex.DecodeString(tc.in)
		if _, err := mpDecode(b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want …%s…", tc.in, err, tc.want)
		}
	}
	// Decoding covers the forms other encoders choose: float32, signed types for small
	// values, str8 for short strings.
	b, _ := hex.DecodeString("94ca3fc00000d00ad9026869d10001")
	v, err := mpDecode(b)
	if err != nil || !reflect.DeepEqual(v, []any{1.5, int64(10), "hi", int64(1)}) {
		t.Errorf("got %v, %v", v, err)
	}
	if _, err := mpToJSON(nil, math.NaN(), false); err == nil {
		t.Error("NaN written as JSON")
	}
	// Out-of-range JSON numbers travel as ±Inf and come back as numbers that read as ±Inf.
	mp, err := jsonToMsgpack(nil, []byte(`[1e999,-1e999,1e-999]`), false)
	if err != nil {
		t.Fatal(err)
	}
	v, _ = mpDecode(mp)
	if out, err := mpToJSON(nil, v, false); string(out) != `[1e999,-1e999,0]` || err != nil {
		t.Errorf("got %s, %v", out, err)
	}
	if _, err := mpToJSON(nil, mpMap{{"x", []byte{1}}}, true); err == nil {
		t.Error("binary outside md5/sha256 written as JSON")
	}
}

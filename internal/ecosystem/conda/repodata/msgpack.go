package repodata

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// This file is a small MessagePack (https://github.com/msgpack/msgpack/blob/master/spec.md)
// encoder and decoder for the values CEP 16 shards hold: maps with string keys, arrays,
// strings, integers, floats, booleans, nil and binary (the sha256 and md5 digests). No
// extension types. The tests check it against the spec's byte layouts and against
// fixtures written by the Python msgpack library.

// Encoding: each function appends one value (or a container header) to dst, in the
// smallest form the spec allows, as every msgpack library writes it.

func mpAppendNil(dst []byte) []byte { return append(dst, 0xc0) }

func mpAppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 0xc3)
	}
	return append(dst, 0xc2)
}

func mpAppendUint(dst []byte, v uint64) []byte {
	switch {
	case v < 0x80:
		return append(dst, byte(v))
	case v <= math.MaxUint8:
		return append(dst, 0xcc, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xcd), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcf), v)
}

func mpAppendInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0:
		return mpAppendUint(dst, uint64(v))
	case v >= -32:
		return append(dst, byte(v)) // negative fixint: 0xe0…0xff
	case v >= math.MinInt8:
		return append(dst, 0xd0, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, 0xd1), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, 0xd2), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(v))
}

func mpAppendFloat(dst []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, 0xcb), math.Float64bits(v))
}

// mpAppendStr appends a UTF-8 string (s is a string or []byte).
func mpAppendStr[S string | []byte](dst []byte, s S) []byte {
	n := len(s)
	switch {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n <= math.MaxUint8:
		dst = append(dst, 0xd9, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
	}
	return append(dst, s...)
}

func mpAppendBin(dst, b []byte) []byte {
	n := len(b)
	switch {
	case n <= math.MaxUint8:
		dst = append(dst, 0xc4, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc5), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
	}
	return append(dst, b...)
}

func mpAppendArrayHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x90|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xdc), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdd), uint32(n))
}

func mpAppendMapHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x80|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xde), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdf), uint32(n))
}

// jsonToMsgpack appends the msgpack form of the JSON value raw (valid JSON, as Parse keeps
// it). Integers stay integers, other numbers become float64. When digests is set, the
// top-level "md5" and "sha256" strings of an object are written as binary, as CEP 16 asks.
func jsonToMsgpack(dst, raw []byte, digests bool) ([]byte, error) {
	s := &scanner{data: raw}
	dst, err := s.toMsgpack(dst, 0, digests)
	if err == nil {
		err = s.end()
	}
	return dst, err
}

func (s *scanner) toMsgpack(dst []byte, depth int, digests bool) ([]byte, error) {
	b, err := s.peek()
	if err != nil {
		return dst, err
	}
	switch {
	case b == '{' || b == '[':
		if depth >= maxDepth {
			return dst, s.errorf("nested more than %d levels deep", maxDepth)
		}
		// Count the members first: msgpack puts the count before them.
		start := s.pos
		n := 0
		var more bool
		if b == '{' {
			more, err = s.openObject()
		} else {
			more, err = s.openList()
		}
		closing := byte(']')
		if b == '{' {
			closing = '}'
		}
		for ; more && err == nil; more, err = s.more(closing) {
			if b == '{' {
				if _, err = s.key(); err != nil {
					return dst, err
				}
			}
			if err = s.skip(depth + 1); err != nil {
				return dst, err
			}
			n++
		}
		if err != nil {
			return dst, err
		}
		s.pos = start
		if b == '[' {
			dst = mpAppendArrayHeader(dst, n)
			more, err = s.openList()
			for ; more && err == nil; more, err = s.more(']') {
				if dst, err = s.toMsgpack(dst, depth+1, false); err != nil {
					return dst, err
				}
			}
			return dst, err
		}
		dst = mpAppendMapHeader(dst, n)
		more, err = s.openObject()
		for ; more && err == nil; more, err = s.more('}') {
			k, err := s.key()
			if err != nil {
				return dst, err
			}
			dst = mpAppendStr(dst, k)
			digest := digests && (string(k) == "md5" || string(k) == "sha256")
			if c, _ := s.peek(); digest && c == '"' {
				v, err := s.str()
				if err != nil {
					return dst, err
				}
				var digest [64]byte // sha256 needs 32
				if len(v) > 2*len(digest) {
					dst = mpAppendStr(dst, v)
				} else if n, err := hex.Decode(digest[:], v); err == nil {
					dst = mpAppendBin(dst, digest[:n])
				} else {
					dst = mpAppendStr(dst, v)
				}
				continue
			}
			if dst, err = s.toMsgpack(dst, depth+1, false); err != nil {
				return dst, err
			}
		}
		return dst, err
	case b == '"':
		v, err := s.str()
		if err != nil {
			return dst, err
		}
		return mpAppendStr(dst, v), nil
	case b == '-' || b >= '0' && b <= '9':
		lit, isInt, err := s.number()
		if err != nil {
			return dst, err
		}
		if isInt {
			if v, ok := parseUint(lit); ok {
				return mpAppendUint(dst, uint64(v)), nil
			}
			if lit[0] == '-' {
				if v, err := strconv.ParseInt(string(lit), 10, 64); err == nil {
					return mpAppendInt(dst, v), nil
				}
			} else if v, err := strconv.ParseUint(string(lit), 10, 64); err == nil {
				return mpAppendUint(dst, v), nil
			}
		}
		// Out of range numbers become ±Inf (or 0), as Python's json module reads them.
		f, err := strconv.ParseFloat(string(lit), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return dst, s.errorf("invalid number %s", lit)
		}
		return mpAppendFloat(dst, f), nil
	case b == 't':
		return mpAppendBool(dst, true), s.literal("true")
	case b == 'f':
		return mpAppendBool(dst, false), s.literal("false")
	case b == 'n':
		return mpAppendNil(dst), s.literal("null")
	}
	return dst, s.errorf("expected a value, found %s", describe(b))
}

// Decoding.

// mpMap is a decoded msgpack map, in the order of the document.
type mpMap []mpPair

type mpPair struct {
	Key string
	Val any
}

// get returns the value of key, or nil and false.
func (m mpMap) get(key string) (any, bool) {
	for _, p := range m {
		if p.Key == key {
			return p.Val, true
		}
	}
	return nil, false
}

// mpDecode decodes one msgpack value that must fill data. Values are nil, bool, int64,
// uint64 (above MaxInt64 only), float64, string, []byte, []any and mpMap. Map keys must be
// strings.
func mpDecode(data []byte) (any, error) {
	d := &mpDecoder{data: data}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(data) {
		return nil, fmt.Errorf("%d bytes after the end of the msgpack value", len(data)-d.pos)
	}
	return v, nil
}

type mpDecoder struct {
	data []byte
	pos  int
}

var errMpTruncated = errors.New("the msgpack data ends early (truncated?)")

func (d *mpDecoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.data)-d.pos) {
		return nil, errMpTruncated
	}
	b := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

func (d *mpDecoder) uint(size int) (uint64, error) {
	b, err := d.take(uint64(size))
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(b)), nil
	}
	return binary.BigEndian.Uint64(b), nil
}

func (d *mpDecoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("msgpack data nested more than %d levels deep", maxDepth)
	}
	tb, err := d.take(1)
	if err != nil {
		return nil, err
	}
	t := tb[0]
	var n uint64 // length of a str, bin, array or map
	switch {
	case t <= 0x7f:
		return int64(t), nil
	case t >= 0xe0:
		return int64(int8(t)), nil
	case t&0xe0 == 0xa0:
		return d.str(uint64(t & 0x1f))
	case t&0xf0 == 0x90:
		return d.array(uint64(t&0x0f), depth)
	case t&0xf0 == 0x80:
		return d.mapping(uint64(t&0x0f), depth)
	}
	switch t {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, err := d.uint(1 << (t - 0xcc))
		if err != nil {
			return nil, err
		}
		if v > math.MaxInt64 {
			return v, nil
		}
		return int64(v), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (t - 0xd0)
		v, err := d.uint(size)
		if err != nil {
			return nil, err
		}
		shift := 64 - 8*size
		return int64(v<<shift) >> shift, nil // sign-extend
	case 0xca:
		v, err := d.uint(4)
		return float64(math.Float32frombits(uint32(v))), err
	case 0xcb:
		v, err := d.uint(8)
		return math.Float64frombits(v), err
	case 0xd9, 0xda, 0xdb:
		if n, err = d.uint(1 << (t - 0xd9)); err != nil {
			return nil, err
		}
		return d.str(n)
	case 0xc4, 0xc5, 0xc6:
		if n, err = d.uint(1 << (t - 0xc4)); err != nil {
			return nil, err
		}
		b, err := d.take(n)
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), b...), nil
	case 0xdc, 0xdd:
		if n, err = d.uint(2 << (t - 0xdc)); err != nil {
			return nil, err
		}
		return d.array(n, depth)
	case 0xde, 0xdf:
		if n, err = d.uint(2 << (t - 0xde)); err != nil {
			return nil, err
		}
		return d.mapping(n, depth)
	case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return nil, fmt.Errorf("msgpack extension type (0x%02x) at byte %d: shards hold none", t, d.pos-1)
	}
	return nil, fmt.Errorf("invalid msgpack type byte 0x%02x at byte %d", t, d.pos-1)
}

func (d *mpDecoder) str(n uint64) (any, error) {
	b, err := d.take(n)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (d *mpDecoder) array(n uint64, depth int) (any, error) {
	// Every element takes at least one byte: a count larger than what is left is a lie.
	if n > uint64(len(d.data)-d.pos) {
		return nil, errMpTruncated
	}
	out := make([]any, 0, n)
	for range n {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *mpDecoder) mapping(n uint64, depth int) (any, error) {
	if n > uint64(len(d.data)-d.pos)/2 {
		return nil, errMpTruncated
	}
	out := make(mpMap, 0, n)
	for range n {
		at := d.pos
		k, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("msgpack map key at byte %d is %s, not a string", at, mpKind(k))
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, mpPair{key, v})
	}
	return out, nil
}

// mpKind names a decoded value's type for error messages.
func mpKind(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "a boolean"
	case int64, uint64:
		return "an integer"
	case float64:
		return "a float"
	case string:
		return "a string"
	case []byte:
		return "binary data"
	case []any:
		return "an array"
	case mpMap:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}

// mpToJSON appends the JSON form of a decoded value. When digests is set, binary values of
// the map's top-level "md5" and "sha256" keys are written as lower-case hex strings.
func mpToJSON(dst []byte, v any, digests bool) ([]byte, error) {
	var err error
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case float64:
		switch {
		case math.IsNaN(v):
			return dst, fmt.Errorf("the float NaN has no JSON form")
		case math.IsInf(v, 1):
			return append(dst, "1e999"...), nil // read back as +Inf, as Python reads it
		case math.IsInf(v, -1):
			return append(dst, "-1e999"...), nil
		}
		return strconv.AppendFloat(dst, v, 'g', -1, 64), nil
	case string:
		return appendString(dst, v), nil
	case []byte:
		return dst, fmt.Errorf("binary data has no JSON form")
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = mpToJSON(dst, e, false); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case mpMap:
		dst = append(dst, '{')
		for i, p := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, p.Key)
			dst = append(dst, ':')
			if b, ok := p.Val.([]byte); ok && digests && (p.Key == "md5" || p.Key == "sha256") {
				dst = append(dst, '"')
				dst = hex.AppendEncode(dst, b)
				dst = append(dst, '"')
				continue
			}
			if dst, err = mpToJSON(dst, p.Val, false); err != nil {
				return dst, fmt.Errorf("%q: %w", p.Key, err)
			}
		}
		return append(dst, '}'), nil
	}
	return dst, fmt.Errorf("cannot encode %T as JSON", v)
}

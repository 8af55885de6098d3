package wire

// A reference codec driven by Kafka's JSON message definitions
// (testdata/kafka-protocol/messages): it loads a definition, generates
// value trees from it, and encodes and decodes those trees for any version.
// It shares no code with the hand-written codecs it checks: its primitives
// come from encoding/binary, not from encode.go or decode.go.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// schemaDir holds Kafka's message definitions (see
// testdata/kafka-protocol/README.md)
// relative to the repository root, i.e. beside the checkout.
const schemaDir = "testdata/kafka-protocol/messages"

// verRange is an inclusive version range; hi < lo means no version.
type verRange struct{ lo, hi int16 }

var noVersions = verRange{0, -1}

func (r verRange) has(v int16) bool { return v >= r.lo && v <= r.hi }

// parseVersions reads "N+", "N-M", "N", "none" or "" (none).
func parseVersions(s string) (verRange, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return noVersions, nil
	}
	if lo, ok := strings.CutSuffix(s, "+"); ok {
		n, err := strconv.ParseInt(lo, 10, 16)
		return verRange{int16(n), math.MaxInt16}, err
	}
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	a, err1 := strconv.ParseInt(lo, 10, 16)
	b, err2 := strconv.ParseInt(hi, 10, 16)
	if err := errors.Join(err1, err2); err != nil {
		return noVersions, fmt.Errorf("bad version range %q: %v", s, err)
	}
	return verRange{int16(a), int16(b)}, nil
}

// schemaField is one field of a definition, as in the JSON, plus what
// resolve derives from it.
type schemaField struct {
	Name             string          `json:"name"`
	Type             string          `json:"type"`
	Versions         string          `json:"versions"`
	NullableVersions string          `json:"nullableVersions"`
	TaggedVersions   string          `json:"taggedVersions"`
	Tag              *jsonInt        `json:"tag"`
	FlexibleVersions *string         `json:"flexibleVersions"`
	Default          json.RawMessage `json:"default"`
	EntityType       string          `json:"entityType"`
	Fields           []*schemaField  `json:"fields"`

	versions, nullable, tagged verRange
	flexible                   *verRange // field-level override, or nil
	array                      bool
	base                       string         // the type, or the element type of an array
	sub                        []*schemaField // the fields of a struct type, nil for a primitive
	def                        string         // the JSON default, "" when absent
	hasDef                     bool
	resolved                   bool
}

// jsonInt is an integer that the JSON writes as a number or a string (some
// files quote their tags).
type jsonInt int

func (n *jsonInt) UnmarshalJSON(b []byte) error {
	v, err := strconv.Atoi(strings.Trim(string(b), `"`))
	*n = jsonInt(v)
	return err
}

// schemaStruct is an entry of commonStructs.
type schemaStruct struct {
	Name   string         `json:"name"`
	Fields []*schemaField `json:"fields"`
}

// schemaMessage is one JSON definition.
type schemaMessage struct {
	APIKey           *int16          `json:"apiKey"`
	Type             string          `json:"type"`
	Name             string          `json:"name"`
	ValidVersions    string          `json:"validVersions"`
	FlexibleVersions string          `json:"flexibleVersions"`
	Fields           []*schemaField  `json:"fields"`
	CommonStructs    []*schemaStruct `json:"commonStructs"`

	file            string
	valid, flexible verRange
}

var primitives = map[string]bool{
	"bool": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint16": true, "uint32": true, "float64": true, "uuid": true,
	"string": true, "bytes": true, "records": true,
}

// stripComments drops the // comment lines Kafka's JSON files carry.
func stripComments(src []byte) []byte {
	var out []byte
	for line := range bytes.Lines(src) {
		if bytes.HasPrefix(bytes.TrimSpace(line), []byte("//")) {
			out = append(out, '\n') // keep line numbers for json errors
			continue
		}
		out = append(out, line...)
	}
	return out
}

// loadSchemas reads every request and response definition of dir, by API
// key: [key][0] is the request, [key][1] the response.
func loadSchemas(dir string) (map[int16]*[2]*schemaMessage, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		abs, _ := filepath.Abs(dir)
		return nil, fmt.Errorf("Kafka's message definitions are missing: no *.json in %s (expected in wire/testdata/kafka-protocol/messages)", abs)
	}
	out := map[int16]*[2]*schemaMessage{}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		m := new(schemaMessage)
		if err := json.Unmarshal(stripComments(src), m); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		if m.APIKey == nil || (m.Type != "request" && m.Type != "response") {
			continue
		}
		m.file = filepath.Base(file)
		if err := m.resolve(); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		side := 0
		if m.Type == "response" {
			side = 1
		}
		if out[*m.APIKey] == nil {
			out[*m.APIKey] = new([2]*schemaMessage)
		}
		out[*m.APIKey][side] = m
	}
	return out, nil
}

func (m *schemaMessage) resolve() error {
	var err1, err2 error
	m.valid, err1 = parseVersions(m.ValidVersions)
	m.flexible, err2 = parseVersions(m.FlexibleVersions)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	common := map[string][]*schemaField{}
	for _, s := range m.CommonStructs {
		common[s.Name] = s.Fields
	}
	return resolveFields(m.Fields, common, "")
}

func resolveFields(fields []*schemaField, common map[string][]*schemaField, path string) error {
	for _, f := range fields {
		if f.resolved {
			continue // a common struct met before
		}
		f.resolved = true
		p := path + "." + f.Name
		var errs [4]error
		f.versions, errs[0] = parseVersions(f.Versions)
		f.nullable, errs[1] = parseVersions(f.NullableVersions)
		f.tagged, errs[2] = parseVersions(f.TaggedVersions)
		if f.FlexibleVersions != nil {
			r, err := parseVersions(*f.FlexibleVersions)
			f.flexible, errs[3] = &r, err
		}
		if err := errors.Join(errs[:]...); err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		if f.TaggedVersions != "" && f.Tag == nil {
			return fmt.Errorf("%s: taggedVersions without a tag", p)
		}
		if len(f.Default) > 0 {
			f.hasDef = true
			if err := json.Unmarshal(f.Default, &f.def); err != nil {
				f.def = string(f.Default) // a bare number or boolean
			}
		}
		f.base, f.array = strings.CutPrefix(f.Type, "[]")
		if primitives[f.base] {
			continue
		}
		f.sub = f.Fields
		if len(f.sub) == 0 {
			f.sub = common[f.base]
		}
		if len(f.sub) == 0 {
			return fmt.Errorf("%s: struct type %s has no fields", p, f.base)
		}
		if err := resolveFields(f.sub, common, p); err != nil {
			return err
		}
	}
	return nil
}

// node is one value of a tree: a primitive, an array (elems) or a struct
// (fields, aligned with the definition's fields; nil where the version
// lacks the field).
type node struct {
	null   bool
	i      int64 // integers and bool
	f      float64
	s      string
	b      []byte // bytes, records
	u      [16]byte
	elems  []*node
	fields []*node
}

// defaultNode is the field's default for version v: the JSON default, else
// zero, empty or (for "null") null.
func defaultNode(f *schemaField, v int16) *node {
	if f.hasDef && f.def == "null" {
		return &node{null: true}
	}
	if f.array {
		return &node{elems: []*node{}}
	}
	if f.sub != nil {
		return defaultStruct(f.sub, v)
	}
	n := &node{}
	if !f.hasDef {
		if f.base == "bytes" || f.base == "records" {
			n.b = []byte{}
		}
		return n
	}
	switch f.base {
	case "bool":
		if f.def == "true" {
			n.i = 1
		}
	case "float64":
		x, err := strconv.ParseFloat(f.def, 64)
		if err != nil {
			panic(fmt.Sprintf("%s: default %q: %v", f.Name, f.def, err))
		}
		n.f = x
	case "string":
		n.s = f.def
	case "bytes", "records", "uuid":
		n.b = []byte{}
	default:
		x, err := strconv.ParseInt(f.def, 0, 64)
		if err != nil {
			panic(fmt.Sprintf("%s: default %q: %v", f.Name, f.def, err))
		}
		n.i = x
	}
	return n
}

func defaultStruct(fields []*schemaField, v int16) *node {
	n := &node{fields: make([]*node, len(fields))}
	for i, f := range fields {
		if f.versions.has(v) {
			n.fields[i] = defaultNode(f, v)
		}
	}
	return n
}

// Generation modes: every field at its default; every nullable field null
// and every array empty; random values.
const (
	genDefaults = iota
	genNulls
	genRandom
)

// generator makes deterministic pseudo-random trees.
type generator struct {
	rng   *rand.Rand
	mode  int
	depth int
}

func newGenerator(mode int, seeds ...uint64) *generator {
	var a, b uint64
	for i, s := range seeds {
		a = a*1_000_003 + s
		b ^= s << (7 * uint(i))
	}
	return &generator{rng: rand.New(rand.NewPCG(a, b)), mode: mode}
}

func (g *generator) message(m *schemaMessage, v int16) *node { return g.structNode(m.Fields, v) }

func (g *generator) structNode(fields []*schemaField, v int16) *node {
	n := &node{fields: make([]*node, len(fields))}
	for i, f := range fields {
		if f.versions.has(v) {
			n.fields[i] = g.field(f, v)
		}
	}
	return n
}

func (g *generator) field(f *schemaField, v int16) *node {
	switch {
	case g.mode == genDefaults:
		return defaultNode(f, v)
	case f.nullable.has(v) && (g.mode == genNulls || g.rng.IntN(5) == 0):
		return &node{null: true}
	case g.mode == genRandom && f.tagged.has(v) && g.rng.IntN(4) == 0:
		return defaultNode(f, v)
	}
	if !f.array {
		if f.sub != nil {
			g.depth++
			n := g.structNode(f.sub, v)
			g.depth--
			return n
		}
		return g.primitive(f)
	}
	count := 0
	if g.mode == genRandom {
		count = g.rng.IntN(max(4-g.depth, 2))
	}
	n := &node{elems: make([]*node, count)}
	g.depth++
	for i := range n.elems {
		if f.sub != nil {
			n.elems[i] = g.structNode(f.sub, v)
		} else {
			n.elems[i] = g.primitive(f)
		}
	}
	g.depth--
	return n
}

// primitive returns a value of f's (element) type: small, boundary and
// random values, shaped by the entity type where it has one.
func (g *generator) primitive(f *schemaField) *node {
	r := g.rng
	n := &node{}
	switch f.base {
	case "bool":
		n.i = int64(r.IntN(2))
	case "float64":
		n.f = []float64{0, 1.5, -2.25, r.Float64() * 1e6}[r.IntN(4)]
	case "uuid":
		if r.IntN(4) != 0 {
			for i := range n.u {
				n.u[i] = byte(r.Uint32())
			}
		}
	case "string":
		n.s = g.text(f.EntityType)
	case "bytes", "records":
		n.b = make([]byte, r.IntN(9))
		for i := range n.b {
			n.b[i] = byte(r.Uint32())
		}
	default:
		n.i = g.integer(f.base, f.EntityType)
	}
	return n
}

func (g *generator) text(entity string) string {
	prefix := map[string]string{"topicName": "topic-", "groupId": "group-", "transactionalId": "txn-"}[entity]
	if prefix == "" && g.rng.IntN(6) == 0 {
		return ""
	}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
	b := []byte(prefix)
	for n := g.rng.IntN(12); n > 0; n-- {
		b = append(b, letters[g.rng.IntN(len(letters))])
	}
	return string(b)
}

func (g *generator) integer(typ, entity string) int64 {
	r := g.rng
	var v int64
	switch k := r.IntN(8); {
	case entity == "brokerId" && k < 6:
		return int64(r.IntN(7)) - 1
	case k == 0:
		v = -1
	case k < 4:
		v = int64(r.IntN(1000))
	default:
		v = int64(r.Uint64())
	}
	switch typ {
	case "int8":
		return int64(int8(v))
	case "int16":
		return int64(int16(v))
	case "uint16":
		return int64(uint16(v))
	case "int32":
		return int64(int32(v))
	case "uint32":
		return int64(uint32(v))
	}
	return v
}

// span is the bytes one field took in an encoding, for error messages.
type span struct {
	start, end int
	path       string
}

// refEncoder encodes trees; with track set it records a span per field.
type refEncoder struct {
	buf   []byte
	track bool
	spans []span
}

func (e *refEncoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

func (e *refEncoder) message(m *schemaMessage, n *node, v int16) {
	e.structBody(m.Fields, n, v, m.flexible.has(v), m.Name)
}

func (e *refEncoder) structBody(fields []*schemaField, n *node, v int16, flex bool, path string) {
	for i, f := range fields {
		if f.versions.has(v) && !(flex && f.tagged.has(v)) {
			e.field(f, n.fields[i], v, flex, path+"."+f.Name)
		}
	}
	if !flex {
		return
	}
	type tagged struct {
		f    *schemaField
		n    *node
		size int
	}
	var present []tagged
	for i, f := range fields {
		if !f.versions.has(v) || !f.tagged.has(v) {
			continue
		}
		var val, def refEncoder
		val.field(f, n.fields[i], v, true, "")
		def.field(f, defaultNode(f, v), v, true, "")
		if !bytes.Equal(val.buf, def.buf) {
			present = append(present, tagged{f, n.fields[i], len(val.buf)})
		}
	}
	slices.SortFunc(present, func(a, b tagged) int { return int(*a.f.Tag - *b.f.Tag) })
	start := len(e.buf)
	e.uvarint(uint64(len(present)))
	e.mark(start, path+".<tagged fields>")
	for _, t := range present {
		start := len(e.buf)
		e.uvarint(uint64(*t.f.Tag))
		e.uvarint(uint64(t.size))
		p := path + "." + t.f.Name
		e.mark(start, p+" (tag "+strconv.Itoa(int(*t.f.Tag))+" header)")
		e.field(t.f, t.n, v, true, p)
	}
}

func (e *refEncoder) mark(start int, path string) {
	if e.track {
		e.spans = append(e.spans, span{start, len(e.buf), path})
	}
}

func (e *refEncoder) field(f *schemaField, n *node, v int16, msgFlex bool, path string) {
	flex := msgFlex && (f.flexible == nil || f.flexible.has(v))
	start := len(e.buf)
	defer e.mark(start, path)
	switch {
	case f.array:
		if n.null {
			e.nullMarker(flex, 4)
			return
		}
		e.length(len(n.elems), flex, 4)
		for j, el := range n.elems {
			p := path + "[" + strconv.Itoa(j) + "]"
			if f.sub != nil {
				e.structBody(f.sub, el, v, msgFlex, p)
			} else {
				s := len(e.buf)
				e.primitive(f.base, el, flex)
				e.mark(s, p)
			}
		}
	case f.sub != nil:
		if f.nullable.has(v) {
			if n.null {
				e.buf = append(e.buf, 0xff)
				return
			}
			e.buf = append(e.buf, 1)
		}
		e.structBody(f.sub, n, v, msgFlex, path)
	default:
		e.primitive(f.base, n, flex)
	}
}

// nullMarker writes a null length: 0 when flexible, else -1 in width bytes.
func (e *refEncoder) nullMarker(flex bool, width int) {
	if flex {
		e.buf = append(e.buf, 0)
	} else if width == 2 {
		e.buf = binary.BigEndian.AppendUint16(e.buf, 0xffff)
	} else {
		e.buf = binary.BigEndian.AppendUint32(e.buf, 0xffffffff)
	}
}

func (e *refEncoder) length(n int, flex bool, width int) {
	if flex {
		e.uvarint(uint64(n) + 1)
	} else if width == 2 {
		e.buf = binary.BigEndian.AppendUint16(e.buf, uint16(n))
	} else {
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n))
	}
}

func (e *refEncoder) primitive(typ string, n *node, flex bool) {
	switch typ {
	case "bool", "int8":
		e.buf = append(e.buf, byte(n.i))
	case "int16", "uint16":
		e.buf = binary.BigEndian.AppendUint16(e.buf, uint16(n.i))
	case "int32", "uint32":
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n.i))
	case "int64":
		e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(n.i))
	case "float64":
		e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(n.f))
	case "uuid":
		e.buf = append(e.buf, n.u[:]...)
	case "string":
		if n.null {
			e.nullMarker(flex, 2)
			return
		}
		e.length(len(n.s), flex, 2)
		e.buf = append(e.buf, n.s...)
	case "bytes", "records":
		if n.null {
			e.nullMarker(flex, 4)
			return
		}
		e.length(len(n.b), flex, 4)
		e.buf = append(e.buf, n.b...)
	default:
		panic("unknown type " + typ)
	}
}

// refDecoder decodes bytes into a tree, failing on anything the definition
// does not allow: truncation, bad lengths, unknown or unordered tags,
// tagged data of the wrong size.
type refDecoder struct {
	b   []byte
	off int // offset of b[0] in the whole message, for errors
	err error
}

func (d *refDecoder) fail(path, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s at byte %d: %s", path, d.off, fmt.Sprintf(format, args...))
	}
	d.b = nil
}

func (d *refDecoder) take(n int, path string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail(path, "needs %d bytes, %d remain", n, len(d.b))
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	d.off += n
	return s
}

func (d *refDecoder) uvarint(path string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > math.MaxUint32 {
		d.fail(path, "bad unsigned varint")
		return 0
	}
	d.take(n, path)
	return v
}

func (d *refDecoder) fixed(width int, path string) uint64 {
	b := d.take(width, path)
	switch {
	case b == nil:
		return 0
	case width == 1:
		return uint64(b[0])
	case width == 2:
		return uint64(binary.BigEndian.Uint16(b))
	case width == 4:
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

// length reads a length: -1 for null (only when nullable), else n >= 0.
func (d *refDecoder) length(flex bool, width int, nullable bool, path string) int {
	var n int64
	if flex {
		n = int64(d.uvarint(path)) - 1
	} else if width == 2 {
		n = int64(int16(d.fixed(2, path)))
	} else {
		n = int64(int32(d.fixed(4, path)))
	}
	if d.err != nil {
		return 0
	}
	if n < -1 || (n == -1 && !nullable) {
		d.fail(path, "length %d in a non-nullable field", n)
		return 0
	}
	if n > int64(len(d.b)) {
		d.fail(path, "length %d exceeds the %d bytes that remain", n, len(d.b))
		return 0
	}
	return int(n)
}

func (d *refDecoder) message(m *schemaMessage, v int16) (*node, error) {
	n := d.structBody(m.Fields, v, m.flexible.has(v), m.Name)
	if d.err == nil && len(d.b) != 0 {
		d.fail(m.Name, "%d trailing bytes", len(d.b))
	}
	return n, d.err
}

func (d *refDecoder) structBody(fields []*schemaField, v int16, flex bool, path string) *node {
	n := &node{fields: make([]*node, len(fields))}
	for i, f := range fields {
		if !f.versions.has(v) {
			continue
		}
		if flex && f.tagged.has(v) {
			n.fields[i] = defaultNode(f, v)
			continue
		}
		n.fields[i] = d.field(f, v, flex, path+"."+f.Name)
	}
	if !flex {
		return n
	}
	count := d.uvarint(path + ".<tagged fields>")
	last := -1
	for ; count > 0 && d.err == nil; count-- {
		tag := int(d.uvarint(path + ".<tag>"))
		size := int(d.uvarint(path + ".<tag size>"))
		if tag <= last {
			d.fail(path, "tag %d after tag %d: tags must ascend", tag, last)
			break
		}
		last = tag
		i := slices.IndexFunc(fields, func(f *schemaField) bool {
			return f.Tag != nil && int(*f.Tag) == tag && f.versions.has(v) && f.tagged.has(v)
		})
		if i < 0 {
			d.fail(path, "tag %d is not defined for v%d", tag, v)
			break
		}
		p := path + "." + fields[i].Name
		data := d.take(size, p)
		if d.err != nil {
			break
		}
		sub := refDecoder{b: data, off: d.off - size}
		n.fields[i] = sub.field(fields[i], v, true, p)
		if sub.err == nil && len(sub.b) != 0 {
			sub.fail(p, "tagged field has %d bytes its value does not use", len(sub.b))
		}
		if sub.err != nil {
			d.err = sub.err
		}
	}
	return n
}

func (d *refDecoder) field(f *schemaField, v int16, msgFlex bool, path string) *node {
	flex := msgFlex && (f.flexible == nil || f.flexible.has(v))
	nullable := f.nullable.has(v)
	switch {
	case f.array:
		count := d.length(flex, 4, nullable, path)
		if d.err != nil {
			return &node{}
		}
		if count < 0 {
			return &node{null: true}
		}
		n := &node{elems: make([]*node, 0, min(count, 64))}
		for j := 0; j < count && d.err == nil; j++ {
			p := path + "[" + strconv.Itoa(j) + "]"
			if f.sub != nil {
				n.elems = append(n.elems, d.structBody(f.sub, v, msgFlex, p))
			} else {
				n.elems = append(n.elems, d.primitive(f.base, flex, false, p))
			}
		}
		return n
	case f.sub != nil:
		if nullable {
			switch m := int8(d.fixed(1, path)); m {
			case -1:
				return &node{null: true}
			case 1:
			default:
				d.fail(path, "nullable struct marker %d", m)
				return &node{}
			}
		}
		return d.structBody(f.sub, v, msgFlex, path)
	}
	return d.primitive(f.base, flex, nullable, path)
}

func (d *refDecoder) primitive(typ string, flex, nullable bool, path string) *node {
	n := &node{}
	switch typ {
	case "bool":
		n.i = int64(d.fixed(1, path))
		if n.i > 1 && d.err == nil {
			d.fail(path, "bool byte %d", n.i)
		}
	case "int8":
		n.i = int64(int8(d.fixed(1, path)))
	case "int16":
		n.i = int64(int16(d.fixed(2, path)))
	case "uint16":
		n.i = int64(d.fixed(2, path))
	case "int32":
		n.i = int64(int32(d.fixed(4, path)))
	case "uint32":
		n.i = int64(d.fixed(4, path))
	case "int64":
		n.i = int64(d.fixed(8, path))
	case "float64":
		n.f = math.Float64frombits(d.fixed(8, path))
	case "uuid":
		copy(n.u[:], d.take(16, path))
	case "string":
		l := d.length(flex, 2, nullable, path)
		if l < 0 {
			return &node{null: true}
		}
		n.s = string(d.take(l, path))
	case "bytes", "records":
		l := d.length(flex, 4, nullable, path)
		if l < 0 {
			return &node{null: true}
		}
		n.b = bytes.Clone(d.take(l, path))
	default:
		panic("unknown type " + typ)
	}
	return n
}

package scenario

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vswitch/vswitch/dockercli"
	"github.com/vswitch/vswitch/internal/frame"
)

// Error is one problem in a scenario file, at a 1-based line and column.
type Error struct {
	File      string
	Line, Col int
	Msg       string

	ref bool // an undefined reference (tests of fragments ignore these)
}

// Error formats e as "file:line:col: message".
func (e *Error) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": " + e.Msg
}

// Pos returns e's position.
func (e *Error) Pos() Pos { return Pos{e.Line, e.Col} }

// ErrorList is every problem found in a file, sorted by position. Parse
// and ParseFile return one (never empty) when a file is invalid.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (l ErrorList) sort() ErrorList {
	slices.SortStableFunc(l, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Col != b.Col {
			return a.Col - b.Col
		}
		return strings.Compare(a.Msg, b.Msg)
	})
	return slices.CompactFunc(l, func(a, b *Error) bool {
		return a.Line == b.Line && a.Col == b.Col && a.Msg == b.Msg
	})
}

// ParseFile reads and parses the scenario at path. An unreadable file gives
// the os error (wrapped); an invalid one gives an ErrorList.
func ParseFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates a scenario. filename is used in errors only.
// On success every default is filled in; otherwise the error is an
// ErrorList with every problem found, sorted by position.
func Parse(filename string, data []byte) (*Scenario, error) {
	s, errs := parse(filename, data)
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// errTooComplex aborts a parse whose aliases expand beyond the budget.
type errTooComplex struct{ pos Pos }

func parse(filename string, data []byte) (s *Scenario, errs ErrorList) {
	p := &parser{
		file:      filename,
		maxVisits: 16*len(data) + 10000,
		devices:   map[string]device{},
		networks:  map[string]*Network{},
		linked:    map[string]Pos{},
		dockerCtr: map[string]bool{},
		dockerNet: map[string]bool{},
		hostIdx:   map[string]*Host{},
		switchIdx: map[string]*Switch{},
		portIdx:   map[[2]string]*Port{},
		linkIdx:   map[string]*Link{},
	}
	root, ok := p.document(data)
	if ok {
		func() {
			defer func() {
				if r := recover(); r != nil {
					tc, ok := r.(errTooComplex)
					if !ok {
						panic(r)
					}
					p.errorAt(tc.pos, "the document is too complex: its aliases expand beyond %d nodes", p.maxVisits)
				}
			}()
			p.scenario(root)
		}()
		if p.s != nil {
			p.s.idx = buildIndex(p.s)
		}
	}
	return p.s, p.errs.sort()
}

// yamlLine matches the "line N: " the YAML library puts in its messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// document decodes data into a YAML node tree and returns its root.
func (p *parser) document(data []byte) (root *yaml.Node, ok bool) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := p.decodeYAML(dec, &doc)
	if err == io.EOF {
		p.errorAt(Pos{1, 1}, "the file is empty: a scenario needs at least a name")
		return nil, false
	}
	if err != nil {
		p.yamlError(err)
		return nil, false
	}
	var extra yaml.Node
	switch err := p.decodeYAML(dec, &extra); {
	case err == io.EOF:
	case err != nil:
		p.yamlError(err)
		return nil, false
	default:
		p.errorAt(Pos{max(extra.Line, 1), max(extra.Column, 1)}, "a scenario file holds one YAML document; this is a second one")
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.errorAt(Pos{1, 1}, "the file is empty: a scenario needs at least a name")
		return nil, false
	}
	return doc.Content[0], true
}

// decodeYAML runs the YAML decoder, turning a panic inside the library into
// an error so that no input can crash the caller.
func (p *parser) decodeYAML(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

// yamlParserErrors are the YAML library's parser (not scanner) errors:
// their "line N" counts from 0, the scanner's from 1.
var yamlParserErrors = []string{
	"did not find expected <document start>", "found undefined tag handle",
	"did not find expected node content", "did not find expected '-' indicator",
	"did not find expected key", "did not find expected ',' or ']'",
	"did not find expected ',' or '}'", "found duplicate %YAML directive",
	"found incompatible YAML document", "found duplicate %TAG directive",
}

func (p *parser) yamlError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			line = n
			if slices.Contains(yamlParserErrors, m[2]) {
				line++
			}
		}
		msg = m[2]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	p.errorAt(Pos{line, 1}, "invalid YAML: %s", msg)
}

// device is an entry of the shared namespace of switches, hosts, nodes,
// clients and containers.
type device struct {
	kind string
	pos  Pos
}

type parser struct {
	file      string
	errs      ErrorList
	visits    int
	maxVisits int
	s         *Scenario

	devices   map[string]device   // every switch, host, node, client and container
	networks  map[string]*Network // declared networks
	linked    map[string]Pos      // endpoint "dev.iface" -> the link that uses it
	dockerCtr map[string]bool     // containers created by docker steps so far
	dockerNet map[string]bool     // networks created by docker steps so far
	lastAt    *time.Duration
	lastAtPos Pos
	// minTime is the least virtual time the steps so far reach: their at
	// times and wait durations (other steps take time too, so the real
	// time is later).
	minTime  time.Duration
	unknowns int // unknown keys reported so far

	// Maps for the lookups of the checks, so that a file with 100,000
	// hosts parses in linear time.
	hostIdx   map[string]*Host
	switchIdx map[string]*Switch
	portIdx   map[[2]string]*Port // switch, port
	linkIdx   map[string]*Link    // by name, then by endpoint
}

func posOf(n *yaml.Node) Pos { return Pos{max(n.Line, 1), max(n.Column, 1)} }

func (p *parser) errorAt(pos Pos, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: max(pos.Line, 1), Col: max(pos.Col, 1), Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errorAt(posOf(n), format, args...)
}

// refErrorf reports an undefined reference.
func (p *parser) refErrorf(n *yaml.Node, format string, args ...any) {
	p.errorf(n, format, args...)
	p.errs[len(p.errs)-1].ref = true
}

// deref follows aliases and counts visited nodes against the budget that
// keeps alias bombs from expanding without end.
func (p *parser) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		if i > 64 {
			panic(errTooComplex{posOf(n)})
		}
		n = n.Alias
	}
	p.visits++
	if p.visits > p.maxVisits {
		panic(errTooComplex{posOf(n)})
	}
	return n
}

// describe names what n is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!bool":
			return n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return strconv.Quote(v)
	}
	return "an unknown node"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// entry is one key/value pair of a mapping.
type entry struct {
	key  string
	k, v *yaml.Node
}

// entries returns the pairs of mapping n in file order, with merge keys
// (<<) expanded and duplicate keys reported (dup names what a key is:
// "key", "host", ...). A null n is an empty mapping. ok is false when n is
// not a mapping.
func (p *parser) entries(n *yaml.Node, key, dup string) ([]entry, bool) {
	n = p.deref(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: expected a mapping, got %s", key, describe(n))
		return nil, false
	}
	var out []entry
	seen := map[string]Pos{}
	var merged []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := p.deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: keys must be plain strings, got %s", key, describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, p.mergeEntries(v, key)...)
			continue
		}
		if first, ok := seen[k.Value]; ok {
			p.errorf(k, "duplicate %s %q (first at %s)", dup, k.Value, first)
			continue
		}
		seen[k.Value] = posOf(k)
		out = append(out, entry{k.Value, k, v})
	}
	// Merged keys fill in what the mapping does not say itself.
	for _, e := range merged {
		if _, ok := seen[e.key]; !ok {
			seen[e.key] = posOf(e.k)
			out = append(out, e)
		}
	}
	return out, true
}

// mergeEntries returns the pairs a merge key (<<: *a or <<: [*a, *b])
// brings in, earlier mappings winning.
func (p *parser) mergeEntries(v *yaml.Node, key string) []entry {
	v = p.deref(v)
	var srcs []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		srcs = []*yaml.Node{v}
	case yaml.SequenceNode:
		for _, c := range v.Content {
			srcs = append(srcs, p.deref(c))
		}
	default:
		srcs = []*yaml.Node{v}
	}
	var out []entry
	have := map[string]bool{}
	for _, src := range srcs {
		if src.Kind != yaml.MappingNode {
			p.errorf(src, "%s: << merges mappings only, got %s", key, describe(src))
			continue
		}
		es, _ := p.entries(src, key, "key")
		for _, e := range es {
			if !have[e.key] {
				have[e.key] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// object decodes mapping n whose keys must be among allowed; label names
// the mapping in messages ("link", "host h1"). It calls fn for every known
// key in file order and reports the others.
func (p *parser) object(n *yaml.Node, key, label string, allowed []string, fn func(e entry)) bool {
	es, ok := p.entries(n, key, "key")
	if !ok {
		return false
	}
	for _, e := range es {
		if !slices.Contains(allowed, e.key) {
			p.unknownKey(e.k, label, allowed)
			continue
		}
		fn(e)
	}
	return true
}

func (p *parser) unknownKey(k *yaml.Node, label string, allowed []string) {
	p.unknowns++
	if hint := didYouMean(k.Value, allowed); hint != "" {
		p.errorf(k, "unknown key %q in %s%s", k.Value, label, hint)
		return
	}
	p.errorf(k, "unknown key %q in %s; valid keys: %s", k.Value, label, strings.Join(allowed, ", "))
}

// items returns the elements of sequence n (null: none).
func (p *parser) items(n *yaml.Node, key string) ([]*yaml.Node, bool) {
	n = p.deref(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: expected a list, got %s", key, describe(n))
		return nil, false
	}
	return n.Content, true
}

// scalar returns the text of a non-null scalar; want names the expected
// type for the message.
func (p *parser) scalar(n *yaml.Node, key, want string) (*yaml.Node, string, bool) {
	n = p.deref(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.errorf(n, "%s: expected %s, got %s", key, want, describe(n))
		return n, "", false
	}
	return n, n.Value, true
}

func (p *parser) str(n *yaml.Node, key string) (string, bool) {
	_, s, ok := p.scalar(n, key, "a string")
	return s, ok
}

func (p *parser) boolean(n *yaml.Node, key string) (bool, bool) {
	n = p.deref(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
	}
	p.errorf(n, "%s: expected true or false, got %s", key, describe(n))
	return false, false
}

// integer returns an integer within [lo, hi]. Integral floats (5e6) are
// accepted.
func (p *parser) integer(n *yaml.Node, key string, lo, hi int64) (int64, bool) {
	n, s, ok := p.scalar(n, key, "an integer")
	if !ok {
		return 0, false
	}
	var v int64
	switch n.ShortTag() {
	case "!!int":
		i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
		if err != nil {
			p.errorf(n, "%s: %s is out of range", key, s)
			return 0, false
		}
		v = i
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil || f != math.Trunc(f) || f < -(1<<62) || f > 1<<62 {
			p.errorf(n, "%s: expected an integer, got %s", key, describe(n))
			return 0, false
		}
		v = int64(f)
	default:
		p.errorf(n, "%s: expected an integer, got %s", key, describe(n))
		return 0, false
	}
	if v < lo || v > hi {
		p.errorf(n, "%s: %d is not between %d and %d", key, v, lo, hi)
		return 0, false
	}
	return v, true
}

// intField is integer for int-typed fields.
func (p *parser) intField(n *yaml.Node, key string, lo, hi int64, dst *int) {
	if v, ok := p.integer(n, key, lo, hi); ok {
		*dst = int(v)
	}
}

func (p *parser) duration(n *yaml.Node, key string) (time.Duration, bool) {
	n, s, ok := p.scalar(n, key, "a duration")
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return 0, false
	}
	return d, true
}

// positiveDuration is duration that must be above zero.
func (p *parser) positiveDuration(n *yaml.Node, key string, dst *time.Duration) {
	if d, ok := p.duration(n, key); ok {
		if d == 0 {
			p.errorf(n, "%s: must be longer than 0", key)
			return
		}
		*dst = d
	}
}

func (p *parser) percent(n *yaml.Node, key string) (Percent, bool) {
	n, s, ok := p.scalar(n, key, "a percentage")
	if !ok {
		return 0, false
	}
	v, err := ParsePercent(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return 0, false
	}
	return v, true
}

func (p *parser) rate(n *yaml.Node, key string) (Rate, bool) {
	n, s, ok := p.scalar(n, key, "a rate")
	if !ok {
		return 0, false
	}
	v, err := ParseRate(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return 0, false
	}
	return v, true
}

func (p *parser) addr4(n *yaml.Node, key string) (netip.Addr, bool) {
	n, s, ok := p.scalar(n, key, "an IPv4 address")
	if !ok {
		return netip.Addr{}, false
	}
	a, err := parseAddr4(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return a, false
	}
	return a, true
}

func (p *parser) addr4List(n *yaml.Node, key string) []netip.Addr {
	items, _ := p.items(n, key)
	var out []netip.Addr
	for _, it := range items {
		if a, ok := p.addr4(it, key); ok {
			out = append(out, a)
		}
	}
	return out
}

// netPrefix parses a canonical IPv4 prefix.
func (p *parser) netPrefix(n *yaml.Node, key string) (netip.Prefix, bool) {
	n, s, ok := p.scalar(n, key, "an IPv4 prefix")
	if !ok {
		return netip.Prefix{}, false
	}
	v, err := parseNetPrefix(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return v, false
	}
	return v, true
}

// underlayAddr parses a node or client address: "192.168.50.11" (on a /24)
// or "192.168.50.11/24".
func (p *parser) underlayAddr(n *yaml.Node, key string) (netip.Prefix, bool) {
	n, s, ok := p.scalar(n, key, "an IPv4 address")
	if !ok {
		return netip.Prefix{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if !a.Is4() {
			p.errorf(n, "%s: address %q is not IPv4", key, s)
			return netip.Prefix{}, false
		}
		s += "/" + strconv.Itoa(DefaultUnderlayBits)
	}
	v, err := parseHostPrefix(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return v, false
	}
	return v, true
}

// name checks that n is a name and returns it.
func (p *parser) name(n *yaml.Node, key string) (string, bool) {
	n, s, ok := p.scalar(n, key, "a name")
	if !ok {
		return "", false
	}
	if !ValidName(s) {
		p.errorf(n, "%s: %s", key, badName(s))
		return "", false
	}
	return s, true
}

func badName(s string) string {
	return fmt.Sprintf("invalid name %q: names are lower-case letters, digits and _ . - and start with a letter or digit", s)
}

// domainList parses a list of DNS names (search domains).
func (p *parser) domainList(n *yaml.Node, key string) []string {
	items, _ := p.items(n, key)
	var out []string
	for _, it := range items {
		it, s, ok := p.scalar(it, key, "a domain name")
		if !ok {
			continue
		}
		if !ValidDomain(s) {
			p.errorf(it, "%s: invalid domain name %q", key, s)
			continue
		}
		out = append(out, strings.TrimSuffix(s, "."))
	}
	return out
}

// intMatch parses N or {min: N, max: N} with bounds [lo, hi].
func (p *parser) intMatch(n *yaml.Node, key string, lo, hi int64) (*IntMatch, bool) {
	d := p.deref(n)
	if d.Kind != yaml.MappingNode {
		v, ok := p.integer(d, key, lo, hi)
		if !ok {
			return nil, false
		}
		m := Exactly(v)
		return &m, true
	}
	var m IntMatch
	ok := p.object(d, key, key, keys["int.match"], func(e entry) {
		v, ok := p.integer(e.v, e.key, lo, hi)
		if !ok {
			return
		}
		if e.key == "min" {
			m.Min, m.HasMin = v, true
		} else {
			m.Max, m.HasMax = v, true
		}
	})
	if !ok {
		return nil, false
	}
	if !m.HasMin && !m.HasMax {
		p.errorf(d, "%s: give min, max or both", key)
		return nil, false
	}
	if m.HasMin && m.HasMax && m.Min > m.Max {
		p.errorf(d, "%s: min %d is above max %d", key, m.Min, m.Max)
		return nil, false
	}
	return &m, true
}

// scenario decodes the root mapping. Sections are decoded in dependency
// order (definitions before the links and steps that name them) whatever
// their order in the file; errors are sorted by position at the end.
func (p *parser) scenario(root *yaml.Node) {
	s := &Scenario{
		File:   p.file,
		Seed:   DefaultSeed,
		Limits: Limits{Time: DefaultTimeLimit, Events: DefaultEventLimit},
	}
	p.s = s
	top := map[string]entry{}
	root = p.deref(root)
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "a scenario is a mapping (name:, hosts:, steps: ...), got %s", describe(root))
		return
	}
	// Top-level keys starting with x- are ignored, as in docker-compose: a
	// place for anchors.
	allowed := slices.Clone(keys["top"])
	es, _ := p.entries(root, "scenario", "key")
	for _, e := range es {
		if strings.HasPrefix(e.key, "x-") {
			allowed = append(allowed, e.key)
		}
	}
	p.object(root, "scenario", "the scenario", allowed, func(e entry) { top[e.key] = e })

	if e, ok := top["name"]; ok {
		if v, ok := p.name(e.v, "name"); ok {
			s.Name = v
		}
	} else {
		p.errorf(root, "missing key \"name\": every scenario has a name")
	}
	if e, ok := top["description"]; ok {
		s.Description, _ = p.str(e.v, "description")
	}
	if e, ok := top["seed"]; ok {
		if n, v, ok := p.scalar(e.v, "seed", "an unsigned integer"); ok {
			seed, err := strconv.ParseUint(strings.ReplaceAll(v, "_", ""), 0, 64)
			if err != nil || n.ShortTag() != "!!int" {
				p.errorf(n, "seed: expected an unsigned integer, got %s", describe(n))
			} else {
				s.Seed = seed
			}
		}
	}
	if e, ok := top["limits"]; ok {
		// 0 lifts a cap (as sim.Loop.SetLimits), but one must remain so
		// that every run stops.
		p.object(e.v, "limits", "limits", keys["limits"], func(e entry) {
			switch e.key {
			case "time":
				s.Limits.Time, _ = p.duration(e.v, "time")
			case "events":
				if v, ok := p.integer(e.v, "events", 0, math.MaxInt64); ok {
					s.Limits.Events = uint64(v)
				}
			}
		})
		if s.Limits.Time == 0 && s.Limits.Events == 0 {
			p.errorf(p.deref(e.v), "limits: time and events cannot both be 0 (no cap): a run must stop")
		}
	}

	// The Docker level exists when the file uses it; its default node is
	// host1.
	docker := false
	for _, k := range []string{"nodes", "networks", "containers", "clients"} {
		if _, ok := top[k]; ok {
			docker = true
		}
	}
	if e, ok := top["steps"]; ok && hasDockerStep(e.v) {
		docker = true
	}

	if e, ok := top["nodes"]; ok {
		p.nodes(e.v)
	}
	if e, ok := top["switches"]; ok {
		p.switches(e.v)
	}
	if e, ok := top["hosts"]; ok {
		p.hosts(e.v)
	}
	if e, ok := top["clients"]; ok {
		p.clients(e.v)
	}
	if docker && len(s.Nodes) == 0 {
		p.defaultNode(root)
	}
	p.nodeAddresses()
	if e, ok := top["networks"]; ok {
		p.dockerNetworks(e.v)
	}
	if e, ok := top["containers"]; ok {
		p.containers(e.v)
	}
	if e, ok := top["links"]; ok {
		p.links(e.v)
	}
	deriveMACs(s)
	p.checkMACs()
	p.checkSTPPorts()
	if e, ok := top["steps"]; ok {
		p.steps(e.v)
	}
}

// hasDockerStep reports whether a steps list has a docker step, looking
// only at the shape (errors come later).
func hasDockerStep(n *yaml.Node) bool {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.SequenceNode {
		return false
	}
	for _, it := range n.Content {
		if it.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(it.Content); i += 2 {
			if it.Content[i].Value == "docker" {
				return true
			}
		}
	}
	return false
}

// named iterates a mapping of names to definitions.
func (p *parser) named(n *yaml.Node, key, what string, fn func(name string, e entry)) {
	es, _ := p.entries(n, key, what)
	for _, e := range es {
		if !ValidName(e.key) {
			p.errorf(e.k, "%s: %s", key, badName(e.key))
			continue
		}
		fn(e.key, e)
	}
}

func (p *parser) switches(n *yaml.Node) {
	p.named(n, "switches", "switch", func(name string, e entry) {
		sw := &Switch{Pos: posOf(e.k), Name: name, Aging: DefaultAging, FDBLimit: DefaultFDBLimit}
		if !p.define(e.k, name, "switch") {
			return
		}
		p.s.Switches = append(p.s.Switches, sw)
		p.switchIdx[name] = sw
		p.object(e.v, name, "switch "+name, keys["switch"], func(e entry) {
			switch e.key {
			case "stp":
				sw.STP = &STP{Priority: DefaultSTPPriority, HelloTime: DefaultHelloTime, MaxAge: DefaultMaxAge, ForwardDelay: DefaultForwardDelay}
				p.object(e.v, "stp", "stp of switch "+name, keys["switch.stp"], func(e entry) {
					switch e.key {
					case "priority":
						p.intField(e.v, "priority", 0, 65535, &sw.STP.Priority)
					case "hello_time":
						p.positiveDuration(e.v, "hello_time", &sw.STP.HelloTime)
					case "max_age":
						p.positiveDuration(e.v, "max_age", &sw.STP.MaxAge)
					case "forward_delay":
						p.positiveDuration(e.v, "forward_delay", &sw.STP.ForwardDelay)
					}
				})
			case "aging":
				// 0 means entries never age, as for the bridge.
				if d, ok := p.duration(e.v, "aging"); ok {
					sw.Aging = d
				}
			case "fdb_limit":
				p.intField(e.v, "fdb_limit", 0, math.MaxInt32, &sw.FDBLimit)
			case "arp_suppress":
				sw.ARPSuppress, _ = p.boolean(e.v, "arp_suppress")
			case "ports":
				p.named(e.v, "ports", "port", func(pname string, e entry) {
					if pt := p.port(sw, pname, e); pt != nil {
						sw.Ports = append(sw.Ports, pt)
						p.portIdx[[2]string{name, pname}] = pt
					}
				})
			}
		})
	})
}

func (p *parser) port(sw *Switch, name string, e entry) *Port {
	pt := &Port{Pos: posOf(e.k), Name: name, Priority: DefaultPortPriority}
	var vlanNode, nativeNode *yaml.Node
	label := "port " + sw.Name + "." + name
	p.object(e.v, name, label, keys["port"], func(e entry) {
		switch e.key {
		case "vlan":
			vlanNode = e.k
			p.intField(e.v, "vlan", 1, 4094, &pt.VLAN)
		case "trunk":
			items, _ := p.items(e.v, "trunk")
			pt.Trunk = []int{}
			if len(items) == 0 {
				p.errorf(e.v, "trunk: list the VLANs the port carries tagged")
			}
			for _, it := range items {
				v, ok := p.integer(it, "trunk", 1, 4094)
				if !ok {
					continue
				}
				if slices.Contains(pt.Trunk, int(v)) {
					p.errorf(it, "trunk: VLAN %d is listed twice", v)
					continue
				}
				pt.Trunk = append(pt.Trunk, int(v))
			}
		case "native":
			nativeNode = e.k
			p.intField(e.v, "native", 1, 4094, &pt.Native)
		case "stp":
			p.object(e.v, "stp", "stp of "+label, keys["port.stp"], func(e entry) {
				switch e.key {
				case "cost":
					p.intField(e.v, "cost", 1, 200000000, &pt.Cost)
				case "priority":
					p.intField(e.v, "priority", 0, 255, &pt.Priority)
				}
			})
		}
	})
	switch {
	case pt.Trunk != nil && vlanNode != nil:
		p.errorf(vlanNode, "vlan: a port is an access port (vlan) or a trunk (trunk, native), not both")
	case pt.Trunk == nil && nativeNode != nil:
		p.errorf(nativeNode, "native: only trunk ports have a native VLAN (add trunk: [...])")
	case pt.Trunk == nil && pt.VLAN == 0:
		pt.VLAN = 1
	}
	return pt
}

func (p *parser) hosts(n *yaml.Node) {
	p.named(n, "hosts", "host", func(name string, e entry) {
		h := &Host{Pos: posOf(e.k), Name: name}
		if !p.define(e.k, name, "host") {
			return
		}
		p.s.Hosts = append(p.s.Hosts, h)
		p.hostIdx[name] = h
		var gwNode *yaml.Node
		var routeNodes []*yaml.Node
		p.object(e.v, name, "host "+name, keys["host"], func(e entry) {
			switch e.key {
			case "interfaces":
				p.named(e.v, "interfaces", "interface", func(iname string, e entry) {
					h.Interfaces = append(h.Interfaces, p.iface(name, iname, e))
				})
			case "forward":
				h.Forward, _ = p.boolean(e.v, "forward")
			case "gateway":
				if a, ok := p.addr4(e.v, "gateway"); ok {
					h.Gateway, gwNode = a, e.v
				}
			case "routes":
				items, _ := p.items(e.v, "routes")
				for _, it := range items {
					if r, ok := p.route(it); ok {
						h.Routes = append(h.Routes, r)
						routeNodes = append(routeNodes, it)
					}
				}
			case "dns":
				h.DNS = p.resolver(e.v, "dns")
			case "services":
				h.Services = p.services(e.v)
			}
		})
		if gwNode != nil && !onLink(h.Interfaces, h.Gateway) {
			p.errorf(gwNode, "gateway: %s is not on any subnet of host %s's interfaces", h.Gateway, name)
		}
		for i, r := range h.Routes {
			if !onLink(h.Interfaces, r.Via) {
				p.errorf(routeNodes[i], "routes: via %s is not on any subnet of host %s's interfaces", r.Via, name)
			}
		}
	})
}

func (p *parser) iface(host, name string, e entry) *Interface {
	i := &Interface{Pos: posOf(e.k), Name: name, MTU: DefaultMTU, MACDerived: true}
	p.object(e.v, name, "interface "+host+"."+name, keys["interface"], func(e entry) {
		switch e.key {
		case "ip":
			n, s, ok := p.scalar(e.v, "ip", "an IPv4 address with prefix length")
			if !ok {
				return
			}
			v, err := parseHostPrefix(s)
			if err != nil {
				p.errorf(n, "ip: %v", err)
				return
			}
			i.IP = v
		case "mac":
			n, s, ok := p.scalar(e.v, "mac", "a MAC address")
			if !ok {
				return
			}
			m, err := frame.ParseMAC(s)
			if err != nil {
				p.errorf(n, "mac: invalid MAC address %q (write e.g. \"02:00:00:00:00:01\")", s)
				return
			}
			if m.IsMulticast() {
				p.errorf(n, "mac: %s is a multicast address; a NIC needs a unicast one", m)
				return
			}
			if m.IsZero() {
				p.errorf(n, "mac: 00:00:00:00:00:00 is not a usable address")
				return
			}
			i.MAC, i.MACDerived = m, false
		case "mtu":
			p.intField(e.v, "mtu", 68, 9000, &i.MTU)
		}
	})
	return i
}

func (p *parser) route(n *yaml.Node) (Route, bool) {
	r := Route{Pos: posOf(p.deref(n))}
	var hasTo, hasVia bool
	valid := true
	ok := p.object(n, "routes", "route", keys["route"], func(e entry) {
		switch e.key {
		case "to":
			hasTo = true
			n, s, ok := p.scalar(e.v, "to", "an IPv4 prefix")
			if !ok {
				valid = false
				return
			}
			v, err := netip.ParsePrefix(s)
			switch {
			case err != nil || !v.Addr().Is4():
				p.errorf(n, "to: invalid IPv4 prefix %q (write e.g. 10.9.0.0/16)", s)
				valid = false
			case v.Masked() != v:
				p.errorf(n, "to: %s is not a network address (did you mean %s?)", s, v.Masked())
				valid = false
			default:
				r.To = v
			}
		case "via":
			hasVia = true
			var ok bool
			if r.Via, ok = p.addr4(e.v, "via"); !ok {
				valid = false
			}
		}
	})
	if !valid {
		return r, false
	}
	if ok && (!hasTo || !hasVia) {
		if !hasTo && !hasVia {
			p.errorAt(r.Pos, "route: give to and via")
		} else if !hasTo {
			p.errorAt(r.Pos, "route: missing to")
		} else {
			p.errorAt(r.Pos, "route: missing via")
		}
		return r, false
	}
	return r, ok
}

func (p *parser) resolver(n *yaml.Node, key string) *Resolver {
	r := &Resolver{NDots: DefaultNDots, Timeout: DefaultDNSTimeout, Attempts: DefaultDNSAttempts}
	var nsNode *yaml.Node
	ok := p.object(n, key, key+" settings", keys["resolver"], func(e entry) {
		switch e.key {
		case "nameservers":
			nsNode = e.v
			r.Nameservers = p.addr4List(e.v, "nameservers")
			if items, ok := p.items(e.v, "nameservers"); ok && len(items) == 0 {
				p.errorf(p.deref(e.v), "nameservers: at least one is needed (an empty list leaves the resolver nothing to ask)")
			}
			if len(r.Nameservers) > 3 {
				p.errorf(e.v, "nameservers: at most 3, as in resolv.conf")
			}
		case "search":
			r.Search = p.domainList(e.v, "search")
			if len(r.Search) > 6 {
				p.errorf(e.v, "search: at most 6 domains, as in resolv.conf")
			}
		case "ndots":
			p.intField(e.v, "ndots", 0, 15, &r.NDots)
		case "timeout":
			p.positiveDuration(e.v, "timeout", &r.Timeout)
		case "attempts":
			p.intField(e.v, "attempts", 1, 5, &r.Attempts)
		}
	})
	if ok && len(r.Nameservers) == 0 && nsNode == nil {
		p.errorf(p.deref(n), "%s: nameservers: at least one is needed", key)
	}
	return r
}

// services decodes a list of services and checks that no port is served
// twice.
func (p *parser) services(n *yaml.Node) []*Service {
	items, _ := p.items(n, "services")
	var out []*Service
	used := map[string]Pos{}
	claim := func(n *yaml.Node, proto string, port uint16) {
		k := proto + "/" + strconv.Itoa(int(port))
		if first, ok := used[k]; ok {
			p.errorf(n, "services: port %s is already served (at %s)", k, first)
			return
		}
		used[k] = posOf(n)
	}
	for _, it := range items {
		it = p.deref(it)
		if sv := p.service(it, claim); sv != nil {
			out = append(out, sv)
		}
	}
	return out
}

func (p *parser) service(n *yaml.Node, claim func(*yaml.Node, string, uint16)) *Service {
	sv := &Service{Pos: posOf(n)}
	var kinds []entry
	var body, status *yaml.Node
	ok := p.object(n, "services", "service", keys["service"], func(e entry) {
		switch e.key {
		case "http":
			kinds = append(kinds, e)
			if v, ok := p.integer(e.v, "http", 1, 65535); ok {
				sv.HTTP = &HTTPService{Port: uint16(v), Status: DefaultHTTPStatus}
				claim(e.v, "tcp", uint16(v))
			}
		case "echo":
			kinds = append(kinds, e)
			n, s, ok := p.scalar(e.v, "echo", "a port such as udp/7")
			if !ok {
				return
			}
			proto, port, err := ParsePortSpec(s)
			if err != nil {
				p.errorf(n, "echo: %v", err)
				return
			}
			sv.Echo = &EchoService{Proto: proto, Port: port}
			claim(n, proto, port)
		case "dns":
			kinds = append(kinds, e)
			sv.DNS = p.dnsService(e.v, claim)
		case "body":
			body = e.v
		case "status":
			status = e.v
		}
	})
	if !ok {
		return nil
	}
	switch len(kinds) {
	case 0:
		p.errorAt(sv.Pos, "service: give one of http, echo or dns")
		return nil
	case 1:
	default:
		p.errorf(kinds[1].k, "service: one service per entry; this one is already %s", kinds[0].key)
		return nil
	}
	if kinds[0].key != "http" {
		for _, x := range []struct {
			k string
			n *yaml.Node
		}{{"body", body}, {"status", status}} {
			if x.n != nil {
				p.errorf(x.n, "%s: only http services have a %s", x.k, x.k)
			}
		}
	}
	if sv.HTTP != nil {
		if body != nil {
			sv.HTTP.Body, _ = p.str(body, "body")
		}
		if status != nil {
			p.intField(status, "status", 100, 599, &sv.HTTP.Status)
		}
	}
	if sv.HTTP == nil && sv.Echo == nil && sv.DNS == nil {
		return nil
	}
	return sv
}

func (p *parser) dnsService(n *yaml.Node, claim func(*yaml.Node, string, uint16)) *DNSService {
	d := &DNSService{Port: DefaultDNSPort}
	var portNode *yaml.Node
	p.object(n, "dns", "dns service", keys["dnsservice"], func(e entry) {
		switch e.key {
		case "port":
			portNode = e.v
			if v, ok := p.integer(e.v, "port", 1, 65535); ok {
				d.Port = uint16(v)
			}
		case "records":
			es, _ := p.entries(e.v, "records", "record")
			seen := map[string]Pos{}
			for _, r := range es {
				if !ValidDomain(r.key) {
					p.errorf(r.k, "records: invalid domain name %q", r.key)
					continue
				}
				name := strings.ToLower(strings.TrimSuffix(r.key, "."))
				if first, ok := seen[name]; ok {
					p.errorf(r.k, "records: %q is already listed (at %s); names are case-insensitive", r.key, first)
					continue
				}
				seen[name] = posOf(r.k)
				rec := DNSRecord{Name: name}
				v := p.deref(r.v)
				if v.Kind == yaml.SequenceNode {
					rec.Addrs = p.addr4List(v, name)
				} else if a, ok := p.addr4(v, name); ok {
					rec.Addrs = []netip.Addr{a}
				}
				d.Records = append(d.Records, rec)
			}
		}
	})
	at := p.deref(n)
	if portNode != nil {
		at = portNode
	}
	claim(at, "udp", d.Port)
	claim(at, "tcp", d.Port)
	return d
}

func (p *parser) links(n *yaml.Node) {
	items, _ := p.items(n, "links")
	names := map[string]Pos{}
	for _, it := range items {
		it = p.deref(it)
		l := &Link{Pos: posOf(it), LinkProps: LinkProps{Queue: DefaultQueue}}
		var a, b *yaml.Node
		ok := p.object(it, "links", "link", keys["link"], func(e entry) {
			switch e.key {
			case "name":
				if v, ok := p.name(e.v, "name"); ok {
					if first, dup := names[v]; dup {
						p.errorf(e.v, "name: duplicate link name %q (first at %s)", v, first)
						return
					}
					names[v] = posOf(e.v)
					l.Name = v
				}
			case "a":
				a = e.v
			case "b":
				b = e.v
			default:
				p.linkProp(e, &l.LinkProps)
			}
		})
		if !ok {
			continue
		}
		if a == nil || b == nil {
			missing := "a"
			if a != nil {
				missing = "b"
			} else if b == nil {
				missing = "a and b"
			}
			p.errorf(it, "link: missing %s (the endpoints, e.g. a: h1.eth0, b: sw1.p1)", missing)
			continue
		}
		ea, okA := p.endpoint(a, "a")
		eb, okB := p.endpoint(b, "b")
		if !okA || !okB {
			continue
		}
		l.A, l.B = ea, eb
		p.s.Links = append(p.s.Links, l)
		for _, k := range []string{ea.String(), eb.String()} {
			if _, ok := p.linkIdx[k]; !ok {
				p.linkIdx[k] = l
			}
		}
		if l.Name != "" {
			p.linkIdx[l.Name] = l // a name wins over an endpoint
		}
	}
}

// linkProp decodes one impairment key into props.
func (p *parser) linkProp(e entry, props *LinkProps) {
	switch e.key {
	case "latency":
		props.Latency, _ = p.duration(e.v, "latency")
	case "jitter":
		props.Jitter, _ = p.duration(e.v, "jitter")
	case "loss":
		props.Loss, _ = p.loss(e.v)
	case "bandwidth":
		props.Bandwidth, _ = p.rate(e.v, "bandwidth")
	case "queue":
		p.intField(e.v, "queue", 1, 1_000_000, &props.Queue)
	case "mtu":
		p.intField(e.v, "mtu", 68, 9000, &props.MTU)
	case "duplicate":
		props.Duplicate, _ = p.percent(e.v, "duplicate")
	case "reorder":
		props.Reorder, _ = p.percent(e.v, "reorder")
	}
}

func (p *parser) loss(n *yaml.Node) (Loss, bool) {
	d := p.deref(n)
	if d.Kind != yaml.MappingNode {
		v, ok := p.percent(d, "loss")
		return Loss{Random: v}, ok
	}
	var l Loss
	var burstNode *yaml.Node
	p.object(d, "loss", "loss", keys["loss"], func(e entry) {
		burstNode = e.v
		ge := &GilbertElliott{BadLoss: 1}
		var hasP, hasR bool
		ok := p.object(e.v, "burst", "burst", keys["burst"], func(e entry) {
			v, ok := p.percent(e.v, e.key)
			if !ok {
				return
			}
			switch e.key {
			case "p":
				ge.P, hasP = v, true
			case "r":
				ge.R, hasR = v, true
			case "bad_loss":
				ge.BadLoss = v
			case "good_loss":
				ge.GoodLoss = v
			}
		})
		if ok && (!hasP || !hasR) {
			p.errorf(p.deref(e.v), "burst: give p (good to bad) and r (bad to good), e.g. {p: 1%%, r: 30%%}")
			return
		}
		l.Burst = ge
	})
	if burstNode == nil {
		if len(d.Content) == 0 {
			p.errorf(d, "loss: write a percentage (1%%) or {burst: {p: 1%%, r: 30%%}}")
		}
		return l, false
	}
	return l, l.Burst != nil
}

func (p *parser) nodes(n *yaml.Node) {
	p.named(n, "nodes", "node", func(name string, e entry) {
		nd := &Node{Pos: posOf(e.k), Name: name}
		if !p.define(e.k, name, "node") {
			return
		}
		p.s.Nodes = append(p.s.Nodes, nd)
		p.object(e.v, name, "node "+name, keys["node"], func(e entry) {
			switch e.key {
			case "address":
				nd.Address, _ = p.underlayAddr(e.v, "address")
			case "dns":
				nd.DNS = p.addr4List(e.v, "dns")
				if len(nd.DNS) > 3 {
					p.errorf(e.v, "dns: at most 3 nameservers, as in resolv.conf")
				}
			case "address_pools":
				items, _ := p.items(e.v, "address_pools")
				nd.AddressPools = []AddressPool{}
				for _, it := range items {
					var ap AddressPool
					var hasBase, hasSize bool
					var sizeNode *yaml.Node
					ok := p.object(it, "address_pools", "address pool", keys["pool"], func(e entry) {
						switch e.key {
						case "base":
							ap.Base, hasBase = p.netPrefix(e.v, "base")
						case "size":
							sizeNode = e.v
							if v, ok := p.integer(e.v, "size", 1, 30); ok {
								ap.Size, hasSize = int(v), true
							}
						}
					})
					if !ok {
						continue
					}
					if !hasBase || !hasSize {
						p.errorf(p.deref(it), "address_pools: give base and size, e.g. {base: 10.10.0.0/16, size: 24}")
						continue
					}
					if ap.Size < ap.Base.Bits() {
						p.errorf(sizeNode, "size: /%d is larger than the base %s", ap.Size, ap.Base)
						continue
					}
					nd.AddressPools = append(nd.AddressPools, ap)
				}
				if len(items) == 0 {
					p.errorf(p.deref(e.v), "address_pools: list at least one pool, or leave the key out for Docker's defaults")
				}
			}
		})
	})
}

func (p *parser) clients(n *yaml.Node) {
	p.named(n, "clients", "client", func(name string, e entry) {
		c := &Client{Pos: posOf(e.k), Name: name}
		if !p.define(e.k, name, "client") {
			return
		}
		p.s.Clients = append(p.s.Clients, c)
		var gwNode *yaml.Node
		ok := p.object(e.v, name, "client "+name, keys["client"], func(e entry) {
			switch e.key {
			case "address":
				c.Address, _ = p.underlayAddr(e.v, "address")
			case "gateway":
				if a, ok := p.addr4(e.v, "gateway"); ok {
					c.Gateway, gwNode = a, e.v
				}
			case "dns":
				c.DNS = p.resolver(e.v, "dns")
			case "services":
				c.Services = p.services(e.v)
			}
		})
		if ok && !c.Address.IsValid() {
			if _, given := findKey(e.v, "address"); !given {
				p.errorf(e.k, "client %s: missing address (its IPv4 address on the underlay, e.g. 192.168.50.99)", name)
			}
		}
		if gwNode != nil && c.Address.IsValid() && !c.Address.Masked().Contains(c.Gateway) {
			p.errorf(gwNode, "gateway: %s is not on client %s's subnet %s", c.Gateway, name, c.Address.Masked())
		}
	})
}

// findKey returns the value of key in mapping n, if present.
func findKey(n *yaml.Node, key string) (*yaml.Node, bool) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1], true
		}
	}
	return nil, false
}

// Predefined Docker networks: they exist on every node and cannot be
// declared.
var predefinedNetworks = []string{"bridge", "host", "none"}

// SupportedDrivers lists the network drivers the simulator implements.
var SupportedDrivers = []string{"bridge"}

func (p *parser) dockerNetworks(n *yaml.Node) {
	p.named(n, "networks", "network", func(name string, e entry) {
		if slices.Contains(predefinedNetworks, name) {
			p.errorf(e.k, "network with name %s already exists (bridge, host and none are predefined)", name)
			return
		}
		nw := &Network{Pos: posOf(e.k), Name: name, Node: p.firstNode(), Driver: DefaultDriver}
		var rangeNode, gwNode, auxNode *yaml.Node
		var aux []entry
		ok := p.object(e.v, name, "network "+name, keys["network"], func(e entry) {
			switch e.key {
			case "node":
				if v, ok := p.nodeRef(e.v, "node"); ok {
					nw.Node = v
				}
			case "driver":
				n, s, ok := p.scalar(e.v, "driver", "a driver name")
				if !ok {
					return
				}
				if !slices.Contains(SupportedDrivers, s) {
					p.errorf(n, "driver: %q is not supported (supported: %s)", s, strings.Join(SupportedDrivers, ", "))
					return
				}
				nw.Driver = s
			case "subnet":
				nw.Subnet, _ = p.netPrefix(e.v, "subnet")
			case "ip_range":
				rangeNode = e.v
				nw.IPRange, _ = p.netPrefix(e.v, "ip_range")
			case "gateway":
				gwNode = e.v
				nw.Gateway, _ = p.addr4(e.v, "gateway")
			case "aux_addresses":
				auxNode = e.v
				aux, _ = p.entries(e.v, "aux_addresses", "aux address")
			case "internal":
				nw.Internal, _ = p.boolean(e.v, "internal")
			case "attachable":
				nw.Attachable, _ = p.boolean(e.v, "attachable")
			case "labels":
				nw.Labels = p.kvs(e.v, "labels")
			case "options":
				nw.Options = p.kvs(e.v, "options")
			}
		})
		if !ok {
			return
		}
		for _, a := range aux {
			addr, ok := p.addr4(a.v, a.key)
			if !ok {
				continue
			}
			if nw.Subnet.IsValid() && !nw.Subnet.Contains(addr) {
				p.errorf(p.deref(a.v), "auxiliary address: (%s:%s) must belong to the master pool: %s", a.key, addr, nw.Subnet)
				continue
			}
			nw.AuxAddresses = append(nw.AuxAddresses, NamedAddr{a.key, addr})
		}
		if !nw.Subnet.IsValid() {
			for _, x := range []*yaml.Node{rangeNode, gwNode, auxNode} {
				if x != nil {
					p.errorf(x, "every ip-range or gateway must have a corresponding subnet")
					break
				}
			}
		} else {
			if nw.IPRange.IsValid() && !(nw.Subnet.Contains(nw.IPRange.Addr()) && nw.IPRange.Bits() >= nw.Subnet.Bits()) {
				p.errorf(rangeNode, "ip_range: %s is not inside subnet %s", nw.IPRange, nw.Subnet)
			}
			if nw.Gateway.IsValid() && !nw.Subnet.Contains(nw.Gateway) {
				p.errorf(gwNode, "no matching subnet for gateway %s", nw.Gateway)
			}
			for _, other := range p.s.Networks {
				if other.Node == nw.Node && other.Subnet.IsValid() && other.Subnet.Overlaps(nw.Subnet) {
					p.errorf(e.k, "invalid pool request: Pool overlaps with other one on this address space (%s of network %s)", other.Subnet, other.Name)
					break
				}
			}
		}
		p.networks[name] = nw
		p.s.Networks = append(p.s.Networks, nw)
	})
}

// kvs decodes an ordered map of strings.
func (p *parser) kvs(n *yaml.Node, key string) []KV {
	es, _ := p.entries(n, key, "key")
	out := []KV{}
	for _, e := range es {
		if e.key == "" {
			p.errorf(e.k, "%s: empty key", key)
			continue
		}
		if v, ok := p.str(e.v, e.key); ok {
			out = append(out, KV{e.key, v})
		}
	}
	return out
}

func (p *parser) containers(n *yaml.Node) {
	// Static IPs and published ports must be unique per network / node.
	ips := map[string]string{}
	ports := map[string]string{}
	p.named(n, "containers", "container", func(name string, e entry) {
		if len(name) < 2 { // Docker: [a-zA-Z0-9][a-zA-Z0-9_.-]+
			p.errorf(e.k, "containers: Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed (Docker needs at least 2 characters)", name)
			return
		}
		c := &Container{Pos: posOf(e.k), Name: name, Node: p.firstNode(), Image: DefaultImage}
		if !p.define(e.k, name, "container") {
			return
		}
		var netsNode *yaml.Node
		var nodeGiven bool
		var publishNodes []*yaml.Node
		ok := p.object(e.v, name, "container "+name, keys["container"], func(e entry) {
			switch e.key {
			case "node":
				nodeGiven = true
				if v, ok := p.nodeRef(e.v, "node"); ok {
					c.Node = v
				}
			case "image":
				c.Image, _ = p.str(e.v, "image")
			case "hostname":
				n, s, ok := p.scalar(e.v, "hostname", "a host name")
				if ok && !ValidDomain(s) {
					p.errorf(n, "hostname: invalid host name %q", s)
					return
				}
				c.Hostname = s
			case "networks":
				netsNode = e.v
			case "dns":
				c.DNS = p.addr4List(e.v, "dns")
			case "dns_search":
				c.DNSSearch = p.domainList(e.v, "dns_search")
			case "dns_options":
				items, _ := p.items(e.v, "dns_options")
				for _, it := range items {
					it, s, ok := p.scalar(it, "dns_options", "an option such as ndots:2")
					if !ok {
						continue
					}
					if s == "" || strings.ContainsAny(s, " \t") {
						p.errorf(it, "dns_options: invalid option %q (write e.g. ndots:2)", s)
						continue
					}
					c.DNSOptions = append(c.DNSOptions, s)
				}
			case "publish":
				items, _ := p.items(e.v, "publish")
				for _, it := range items {
					it, s, ok := p.scalar(it, "publish", "a port mapping such as \"8080:80\"")
					if !ok {
						continue
					}
					m, err := dockercli.ParsePublish(s)
					if err != nil {
						p.errorf(it, "publish: %v", err)
						continue
					}
					c.Publish = append(c.Publish, m)
					publishNodes = append(publishNodes, it)
				}
			case "services":
				c.Services = p.services(e.v)
			}
		})
		if !ok {
			return
		}
		if netsNode != nil {
			c.Networks = p.attachments(c, netsNode, ips, nodeGiven)
		}
		if len(c.Networks) == 0 {
			c.Networks = []*Attachment{{Pos: c.Pos, Network: DefaultBridge}}
		}
		for i, m := range c.Publish {
			if m.HostPort == 0 {
				continue
			}
			for port := int(m.HostPort); port <= int(m.HostPortEnd); port++ {
				if m.HostPortEnd != m.HostPort && m.PortEnd == m.Port {
					break // a host range with one container port takes one free port
				}
				ip := "0.0.0.0"
				if m.HostIP.IsValid() {
					ip = m.HostIP.String()
				}
				k := c.Node + "/" + m.Proto + "/" + strconv.Itoa(port)
				if other, ok := ports[k]; ok {
					p.errorf(publishNodes[i], "Bind for %s:%d failed: port is already allocated (by container %s)", ip, port, other)
					break
				}
				ports[k] = name
			}
		}
		p.s.Containers = append(p.s.Containers, c)
	})
}

// attachments decodes a container's networks: a list of names, or a
// mapping of names to {aliases, ip}.
// A container without node: goes to the node of its first declared
// network.
func (p *parser) attachments(c *Container, n *yaml.Node, ips map[string]string, nodeGiven bool) []*Attachment {
	var out []*Attachment
	add := func(k *yaml.Node, name string, v *yaml.Node) {
		for _, a := range out {
			if a.Network == name {
				p.errorf(k, "networks: %s is listed twice", name)
				return
			}
		}
		at := &Attachment{Pos: posOf(k), Network: name}
		var aliasNode, ipNode *yaml.Node
		if v != nil {
			p.object(v, name, "network attachment "+c.Name+"/"+name, keys["attachment"], func(e entry) {
				switch e.key {
				case "aliases":
					aliasNode = e.v
					items, _ := p.items(e.v, "aliases")
					for _, it := range items {
						it, s, ok := p.scalar(it, "aliases", "a name")
						if !ok {
							continue
						}
						if !ValidDomain(s) {
							p.errorf(it, "aliases: invalid alias %q", s)
							continue
						}
						at.Aliases = append(at.Aliases, s)
					}
				case "ip":
					ipNode = e.v
					at.IP, _ = p.addr4(e.v, "ip")
				}
			})
		}
		nw := p.networks[name]
		switch {
		case slices.Contains(predefinedNetworks, name):
			if aliasNode != nil {
				p.errorf(aliasNode, "network-scoped aliases are only supported for user-defined networks")
			}
			if ipNode != nil {
				p.errorf(ipNode, "user-specified IP address is supported on user-defined networks only")
			}
		case nw == nil:
			p.refErrorf(k, "networks: undefined network %q%s", name, didYouMean(name, p.networkNames()))
			return
		default:
			if !nodeGiven {
				c.Node, nodeGiven = nw.Node, true
			}
			if nw.Node != c.Node {
				p.errorf(k, "networks: network %s is on node %s, container %s on node %s", name, nw.Node, c.Name, c.Node)
			}
			if at.IP.IsValid() {
				if nw.Subnet.IsValid() && !nw.Subnet.Contains(at.IP) {
					p.errorf(ipNode, "ip: %s is not in network %s's subnet %s", at.IP, name, nw.Subnet)
				} else if at.IP == nw.Gateway {
					p.errorf(ipNode, "Address already in use (%s is network %s's gateway)", at.IP, name)
				} else {
					k := name + "/" + at.IP.String()
					if other, ok := ips[k]; ok {
						p.errorf(ipNode, "Address already in use (%s is container %s's on network %s)", at.IP, other, name)
					} else {
						ips[k] = c.Name
					}
				}
			}
		}
		out = append(out, at)
	}
	d := p.deref(n)
	switch d.Kind {
	case yaml.SequenceNode:
		for _, it := range d.Content {
			it = p.deref(it)
			if name, ok := p.name(it, "networks"); ok {
				add(it, name, nil)
			}
		}
	case yaml.MappingNode:
		p.named(d, "networks", "network", func(name string, e entry) { add(e.k, name, e.v) })
	default:
		if !isNull(d) {
			p.errorf(d, "networks: expected a list of network names or a mapping of names to {aliases, ip}, got %s", describe(d))
		}
	}
	for _, a := range out {
		if (a.Network == "host" || a.Network == "none") && len(out) > 1 {
			p.errorf(n, "container sharing network namespace with another container or host cannot be connected to any other network (%s is on %s)", c.Name, a.Network)
			break
		}
	}
	return out
}

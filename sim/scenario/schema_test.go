package scenario

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The JSON Schema in docs/ is for editors; these tests keep it honest. There
// is no JSON-Schema module in go.mod, so a small validator below implements
// the keywords the schema uses, and fails on any other keyword so that the
// schema cannot grow past what is tested.

const schemaPath = "../../docs/scenario.schema.json"

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	require.NoError(t, err)
	var s map[string]any
	require.NoError(t, json.Unmarshal(data, &s), "the schema must be valid JSON")
	return s
}

// TestSchemaKeysMatchParser checks that the schema's property names are
// exactly the keys the parser knows.
func TestSchemaKeysMatchParser(t *testing.T) {
	s := loadSchema(t)
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", s["$schema"])
	names := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if props, ok := x["properties"].(map[string]any); ok {
				for k := range props {
					names[k] = true
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(s)
	got := slices.Sorted(maps.Keys(names))
	assert.Equal(t, KnownKeys(), got, "schema property names vs parser keys")
}

// TestSchemaAcceptsValidSamples validates every valid sample file against
// the schema.
func TestSchemaAcceptsValidSamples(t *testing.T) {
	s := loadSchema(t)
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	files = append(files, "testdata/scenarios_md/full.yaml")
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			inst := loadYAML(t, f)
			v := &validator{root: s}
			errs := v.validate(s, inst, "")
			assert.Empty(t, errs)
		})
	}
}

// TestSchemaRejects checks that the schema catches what it can of the
// mistakes the parser reports.
func TestSchemaRejects(t *testing.T) {
	s := loadSchema(t)
	cases := []struct{ name, src string }{
		{"unknown top key", "name: t\nswiches: {}\n"},
		{"missing name", "seed: 1\n"},
		{"bad name", "name: Bad\n"},
		{"bad duration", "name: t\nlimits: {time: 10}\n"},
		{"bare percent", "name: t\nlinks: [{a: h.e, b: s.p, loss: 0.5}]\n"},
		{"bad rate", "name: t\nlinks: [{a: h.e, b: s.p, bandwidth: 10MB}]\n"},
		{"vlan range", "name: t\nswitches: {s: {ports: {p: {vlan: 5000}}}}\n"},
		{"two actions", "name: t\nsteps: [{wait: 1s, docker: network ls}]\n"},
		{"no action", "name: t\nsteps: [{name: x}]\n"},
		{"wrong expect key", "name: t\nsteps: [{ping: {from: a, to: b}, expect: {output: x}}]\n"},
		{"expect on wait", "name: t\nsteps: [{wait: 1s, expect: {fail: true}}]\n"},
		{"node on ping", "name: t\nsteps: [{ping: {from: a, to: b}, node: n}]\n"},
		{"two services", "name: t\nhosts: {h: {services: [{http: 80, echo: udp/7}]}}\n"},
		{"link step without op", "name: t\nsteps: [{link: {for: 1s}}]\n"},
		{"stp state", "name: t\nsteps: [{stp: {switch: s}, expect: {ports: {p1: fowarding}}}]\n"},
		{"client address", "name: t\nclients: {c: {}}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var inst any
			require.NoError(t, yaml.Unmarshal([]byte(tc.src), &inst))
			v := &validator{root: s}
			assert.NotEmpty(t, v.validate(s, inst, ""), "the schema accepted %q", tc.src)
			_, err := Parse("x.yaml", []byte(tc.src))
			assert.Error(t, err, "the parser accepted %q", tc.src)
		})
	}
}

func loadYAML(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v))
	return v
}

type validator struct{ root map[string]any }

// annotations are keywords without effect on validation.
var annotations = []string{"$schema", "$id", "$comment", "title", "description", "default", "examples", "markdownDescription"}

func (v *validator) validate(schema, inst any, path string) []string {
	if b, ok := schema.(bool); ok {
		if b {
			return nil
		}
		return []string{path + ": not allowed"}
	}
	s := schema.(map[string]any)
	var errs []string
	fail := func(format string, args ...any) {
		errs = append(errs, path+": "+fmt.Sprintf(format, args...))
	}
	for _, k := range slices.Sorted(maps.Keys(s)) {
		kw := s[k]
		switch k {
		case "$ref":
			ref := kw.(string)
			name, ok := strings.CutPrefix(ref, "#/$defs/")
			if !ok {
				fail("unsupported $ref %s", ref)
				continue
			}
			target, ok := v.root["$defs"].(map[string]any)[name]
			if !ok {
				fail("dangling $ref %s", ref)
				continue
			}
			errs = append(errs, v.validate(target, inst, path)...)
		case "$defs":
		case "type":
			var types []string
			switch x := kw.(type) {
			case string:
				types = []string{x}
			case []any:
				for _, y := range x {
					types = append(types, y.(string))
				}
			}
			if !slices.ContainsFunc(types, func(t string) bool { return hasType(inst, t) }) {
				fail("type %v, got %T", types, inst)
			}
		case "properties":
			m, ok := inst.(map[string]any)
			if !ok {
				continue
			}
			props := kw.(map[string]any)
			for name, val := range m {
				if ps, ok := props[name]; ok {
					errs = append(errs, v.validate(ps, val, path+"."+name)...)
				}
			}
		case "patternProperties":
			m, ok := inst.(map[string]any)
			if !ok {
				continue
			}
			for pat, sub := range kw.(map[string]any) {
				for name, val := range m {
					if regexp.MustCompile(pat).MatchString(name) {
						errs = append(errs, v.validate(sub, val, path+"."+name)...)
					}
				}
			}
		case "additionalProperties":
			m, ok := inst.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			pats, _ := s["patternProperties"].(map[string]any)
			for name, val := range m {
				if _, ok := props[name]; ok {
					continue
				}
				if slices.ContainsFunc(slices.Collect(maps.Keys(pats)), func(p string) bool { return regexp.MustCompile(p).MatchString(name) }) {
					continue
				}
				if b, ok := kw.(bool); ok && !b {
					fail("unknown property %q", name)
					continue
				}
				errs = append(errs, v.validate(kw, val, path+"."+name)...)
			}
		case "propertyNames":
			if m, ok := inst.(map[string]any); ok {
				for name := range m {
					errs = append(errs, v.validate(kw, name, path+"["+name+"]")...)
				}
			}
		case "required":
			if m, ok := inst.(map[string]any); ok {
				for _, r := range kw.([]any) {
					if _, ok := m[r.(string)]; !ok {
						fail("missing %q", r)
					}
				}
			}
		case "minProperties", "maxProperties":
			if m, ok := inst.(map[string]any); ok {
				n := int(kw.(float64))
				if (k == "minProperties" && len(m) < n) || (k == "maxProperties" && len(m) > n) {
					fail("%s %d, got %d", k, n, len(m))
				}
			}
		case "items":
			if a, ok := inst.([]any); ok {
				for i, it := range a {
					errs = append(errs, v.validate(kw, it, fmt.Sprintf("%s[%d]", path, i))...)
				}
			}
		case "minItems", "maxItems":
			if a, ok := inst.([]any); ok {
				n := int(kw.(float64))
				if (k == "minItems" && len(a) < n) || (k == "maxItems" && len(a) > n) {
					fail("%s %d, got %d", k, n, len(a))
				}
			}
		case "enum":
			if !slices.ContainsFunc(kw.([]any), func(e any) bool { return jsonEqual(e, inst) }) {
				fail("%v is not one of %v", inst, kw)
			}
		case "const":
			if !jsonEqual(kw, inst) {
				fail("%v is not %v", inst, kw)
			}
		case "pattern":
			if str, ok := inst.(string); ok && !regexp.MustCompile(kw.(string)).MatchString(str) {
				fail("%q does not match %s", str, kw)
			}
		case "minimum", "maximum":
			if f, ok := jsonNumber(inst); ok {
				n := kw.(float64)
				if (k == "minimum" && f < n) || (k == "maximum" && f > n) {
					fail("%s %v, got %v", k, n, f)
				}
			}
		case "anyOf", "oneOf":
			matched := 0
			for _, sub := range kw.([]any) {
				if len(v.validate(sub, inst, path)) == 0 {
					matched++
				}
			}
			if matched == 0 || (k == "oneOf" && matched > 1) {
				fail("%s: %d branches match", k, matched)
			}
		case "allOf":
			for _, sub := range kw.([]any) {
				errs = append(errs, v.validate(sub, inst, path)...)
			}
		case "not":
			if len(v.validate(kw, inst, path)) == 0 {
				fail("matches a not")
			}
		case "if":
			branch := "else"
			if len(v.validate(kw, inst, path)) == 0 {
				branch = "then"
			}
			if sub, ok := s[branch]; ok {
				errs = append(errs, v.validate(sub, inst, path)...)
			}
		case "then", "else":
		default:
			if !slices.Contains(annotations, k) {
				fail("keyword %q is not supported by the test validator", k)
			}
		}
	}
	sort.Strings(errs)
	return errs
}

func hasType(inst any, t string) bool {
	switch t {
	case "object":
		_, ok := inst.(map[string]any)
		return ok
	case "array":
		_, ok := inst.([]any)
		return ok
	case "string":
		_, ok := inst.(string)
		return ok
	case "boolean":
		_, ok := inst.(bool)
		return ok
	case "null":
		return inst == nil
	case "number":
		_, ok := jsonNumber(inst)
		return ok
	case "integer":
		f, ok := jsonNumber(inst)
		return ok && f == math.Trunc(f)
	}
	return false
}

func jsonNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func jsonEqual(a, b any) bool {
	fa, okA := jsonNumber(a)
	fb, okB := jsonNumber(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	return a == b
}

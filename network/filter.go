package network

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Filters are docker --filter values by key, in the order given. A key
// with several values matches any of them, except label, where every value
// must match (Docker's filters.Args).
type Filters map[string][]string

var (
	listFilters  = []string{"dangling", "driver", "id", "label", "name", "scope", "type"}
	pruneFilters = []string{"label", "label!", "until"}
)

// ParseFilters parses "key=value" arguments of --filter. Error: "bad format
// of filter (expected name=value)".
func ParseFilters(args []string) (Filters, error) {
	f := Filters{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return nil, errorf(ErrInvalidParameter, "bad format of filter (expected name=value)")
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if !slices.Contains(f[k], v) {
			f[k] = append(f[k], v)
		}
	}
	return f, nil
}

// validate refuses keys the operation does not accept: "invalid filter 'X'".
func (f Filters) validate(accepted []string) error {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(accepted, k) {
			return errorf(ErrInvalidParameter, "invalid filter '%s'", k)
		}
	}
	return nil
}

// exactMatch is true when key is absent or one of its values equals s.
func (f Filters) exactMatch(key, s string) bool {
	vals, ok := f[key]
	return !ok || slices.Contains(vals, s)
}

// match is Docker's Args.Match: an exact value or an (unanchored) regular
// expression, so "name=loc" matches "localnet".
func (f Filters) match(key, s string) bool {
	vals, ok := f[key]
	if !ok {
		return true
	}
	for _, v := range vals {
		if v == s {
			return true
		}
		if m, err := regexp.MatchString(v, s); err == nil && m {
			return true
		}
	}
	return false
}

// matchKVList is Docker's Args.MatchKVList: every "key" or "key=value" must
// be in labels.
func (f Filters) matchKVList(key string, labels map[string]string) bool {
	vals := f[key]
	if len(vals) == 0 {
		return true
	}
	if len(labels) == 0 {
		return false
	}
	for _, v := range vals {
		k, want, hasValue := strings.Cut(v, "=")
		got, ok := labels[k]
		if !ok || (hasValue && got != want) {
			return false
		}
	}
	return true
}

// ParseTimestamp reads a prune "until" value as Docker's GetTimestamp does:
// a Go duration before now ("24h"), an RFC 3339 time with or without
// fractional seconds and zone, a date ("2006-01-02"), or Unix seconds with
// optional fraction ("1700000000.5"). Times without a zone are in now's
// location.
func ParseTimestamp(value string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(value); value != "0" && err == nil {
		return now.Add(-d), nil
	}
	zoned := strings.ContainsAny(value, "zZ+") || strings.Count(value, "-") == 3
	var layouts []string
	if zoned {
		layouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15Z07:00", "2006-01-02Z07:00"}
	} else {
		layouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15", "2006-01-02"}
	}
	for _, l := range layouts {
		var t time.Time
		var err error
		if zoned {
			t, err = time.Parse(l, value)
		} else {
			t, err = time.ParseInLocation(l, value, now.Location())
		}
		if err == nil {
			return t, nil
		}
	}
	if !strings.Contains(value, "-") {
		sec, frac, _ := strings.Cut(value, ".")
		s, err1 := strconv.ParseInt(sec, 10, 64)
		var ns int64
		var err2 error
		if frac != "" {
			if len(frac) > 9 {
				frac = frac[:9]
			}
			ns, err2 = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		}
		if err1 == nil && err2 == nil {
			return time.Unix(s, ns).In(now.Location()), nil
		}
	}
	return time.Time{}, errorf(ErrInvalidParameter, "failed to parse value as time or duration: %q", value)
}

// String formats the filters as --filter arguments, sorted.
func (f Filters) String() string {
	var parts []string
	for k, vs := range f {
		for _, v := range vs {
			parts = append(parts, fmt.Sprintf("%s=%s", k, v))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

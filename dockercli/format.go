package dockercli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"
	"unicode/utf8"
)

// This file renders output as the docker CLI's formatter package does:
// --format templates with docker's template functions, the "table"
// prefix with a header row, and inspect's JSON.

// basicFuncs are docker's template functions (docker/cli templates).
var basicFuncs = template.FuncMap{
	"json": func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		return strings.TrimSpace(buf.String())
	},
	"split":    strings.Split,
	"join":     strings.Join,
	"title":    strings.Title, //nolint:staticcheck // docker uses strings.Title; the output must match
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"pad":      padWithSpace,
	"truncate": truncateWithLength,
}

// headerFuncs replace basicFuncs when a table's header row is rendered,
// so that the header shows the column names unchanged.
var headerFuncs = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v string, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

func padWithSpace(source string, prefix, suffix int) string {
	if source == "" {
		return source
	}
	return strings.Repeat(" ", max(prefix, 0)) + source + strings.Repeat(" ", max(suffix, 0))
}

func truncateWithLength(source string, length int) string {
	if len(source) < length || length < 0 {
		return source
	}
	return source[:length]
}

// parseTemplate parses a format as docker's templates.Parse does.
func parseTemplate(format string) (*template.Template, error) {
	return template.New("").Funcs(basicFuncs).Parse(format)
}

// headerContext is the header row of a table: column names by field.
type headerContext map[string]string

// Label is the header of a {{.Label "name"}} column.
func (h headerContext) Label(name string) string {
	n := strings.Split(name, ".")
	return strings.NewReplacer("-", " ", "_", " ").Replace(n[len(n)-1])
}

// renderList renders rows through a --format value as docker's
// formatter.Context.Write does: "table ..." formats get a header row and
// columns aligned by a tabwriter (minwidth 10, padding 3).
func renderList(format string, header headerContext, rows []any) (string, error) {
	isTable := strings.HasPrefix(format, "table")
	final := format
	switch {
	case isTable:
		final = final[len("table"):]
	case format == "json":
		final = "{{json .}}"
	}
	final = strings.Trim(final, " ")
	final = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(final)
	tmpl, err := parseTemplate(final)
	if err != nil {
		return "", usagef("template parsing error: %v", err)
	}
	var body bytes.Buffer
	for _, r := range rows {
		if err := tmpl.Execute(&body, r); err != nil {
			return "", usagef("template parsing error: %v", err)
		}
		body.WriteByte('\n')
	}
	if !isTable {
		return body.String(), nil
	}
	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 10, 1, 3, ' ', 0)
	var head bytes.Buffer
	_ = tmpl.Funcs(headerFuncs).Execute(&head, header)
	_, _ = head.WriteTo(tw)
	_, _ = tw.Write([]byte("\n"))
	_, _ = body.WriteTo(tw)
	_ = tw.Flush()
	return out.String(), nil
}

// renderInspect renders inspect output as docker's inspect.Inspect does:
// a JSON array indented by four spaces, compact JSON for "json", or a
// template run on each element (falling back to the element's JSON
// decoded into maps, so that both .ID and .Id work, as in Docker). A
// format that does not parse fails before anything is printed (err);
// elements the template fails on are reported in errs.
func renderInspect(format string, elems []any) (out string, errs []string, err error) {
	switch format {
	case "", "json":
		if len(elems) == 0 {
			return "[]\n", nil, nil
		}
		var b []byte
		if format == "" {
			b, err = json.MarshalIndent(elems, "", "    ")
		} else {
			b, err = json.Marshal(elems)
		}
		if err != nil {
			return "", nil, err
		}
		return string(b) + "\n", nil, nil
	}
	tmpl, err := parseTemplate(format)
	if err != nil {
		return "", nil, usagef("template parsing error: %s", err)
	}
	var buf bytes.Buffer
	for _, el := range elems {
		var one bytes.Buffer
		if err := tmpl.Execute(&one, el); err != nil {
			one.Reset()
			raw, rerr := rawElement(el)
			if rerr != nil {
				errs = append(errs, fmt.Sprintf("unable to read inspect data: %v", rerr))
				continue
			}
			if err := tmpl.Option("missingkey=error").Execute(&one, raw); err != nil {
				errs = append(errs, fmt.Sprintf("template parsing error: %v", err))
				continue
			}
		}
		buf.Write(one.Bytes())
		buf.WriteByte('\n')
	}
	if buf.Len() == 0 {
		buf.WriteByte('\n')
	}
	return buf.String(), errs, nil
}

// rawElement is the element as the daemon's JSON, decoded as the docker
// CLI decodes it for templates (numbers kept as json.Number).
func rawElement(el any) (any, error) {
	b, err := json.Marshal(el)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw any
	err = dec.Decode(&raw)
	return raw, err
}

// naturalLess is fvbommel/sortorder's NaturalLess, which the docker CLI
// sorts names and port mappings with: digit runs compare as numbers.
func naturalLess(str1, str2 string) bool {
	isdigit := func(b byte) bool { return '0' <= b && b <= '9' }
	idx1, idx2 := 0, 0
	for idx1 < len(str1) && idx2 < len(str2) {
		c1, c2 := str1[idx1], str2[idx2]
		dig1, dig2 := isdigit(c1), isdigit(c2)
		switch {
		case dig1 != dig2:
			return dig1
		case !dig1:
			if c1 != c2 {
				return c1 < c2
			}
			idx1++
			idx2++
		default:
			for ; idx1 < len(str1) && str1[idx1] == '0'; idx1++ {
			}
			for ; idx2 < len(str2) && str2[idx2] == '0'; idx2++ {
			}
			nonZero1, nonZero2 := idx1, idx2
			for ; idx1 < len(str1) && isdigit(str1[idx1]); idx1++ {
			}
			for ; idx2 < len(str2) && isdigit(str2[idx2]); idx2++ {
			}
			if len1, len2 := idx1-nonZero1, idx2-nonZero2; len1 != len2 {
				return len1 < len2
			}
			if nr1, nr2 := str1[nonZero1:idx1], str2[nonZero2:idx2]; nr1 != nr2 {
				return nr1 < nr2
			}
			if nonZero1 != nonZero2 {
				return nonZero1 < nonZero2
			}
		}
	}
	return len(str1) < len(str2)
}

// humanDuration is go-units' HumanDuration, which docker ps uses for
// CREATED and STATUS.
func humanDuration(d time.Duration) string {
	if seconds := int(d.Seconds()); seconds < 1 {
		return "Less than a second"
	} else if seconds == 1 {
		return "1 second"
	} else if seconds < 60 {
		return fmt.Sprintf("%d seconds", seconds)
	} else if minutes := int(d.Minutes()); minutes == 1 {
		return "About a minute"
	} else if minutes < 60 {
		return fmt.Sprintf("%d minutes", minutes)
	} else if hours := int(math.Round(d.Hours())); hours == 1 {
		return "About an hour"
	} else if hours < 48 {
		return fmt.Sprintf("%d hours", hours)
	} else if hours < 24*7*2 {
		return fmt.Sprintf("%d days", hours/24)
	} else if hours < 24*30*2 {
		return fmt.Sprintf("%d weeks", hours/24/7)
	} else if hours < 24*365*2 {
		return fmt.Sprintf("%d months", hours/24/30)
	}
	return fmt.Sprintf("%d years", int(d.Hours())/24/365)
}

// ellipsis is the docker formatter's Ellipsis for text of one-column
// characters: it cuts s to width, ending with "…".
func ellipsis(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	rs := []rune(s)
	if width == 1 {
		return string(rs[0])
	}
	return string(rs[:width-1]) + "…"
}

// truncateID is stringid.TruncateID: the first 12 characters.
func truncateID(id string) string {
	if i := strings.IndexRune(id, ':'); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

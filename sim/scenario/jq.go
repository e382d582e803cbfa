package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jqIdentity prints the JSON values in out as jq's identity filter does:
// each value indented by two spaces, keys in their order, numbers as
// written, and the HTML escapes Go's encoder writes (\u003c, \u003e,
// \u0026) as the characters, since jq re-serializes what it parsed.
func jqIdentity(out string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(out))
	var b strings.Builder
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return b.String(), fmt.Errorf("jq: error (at <stdin>:%d): Cannot parse input: %v", dec.InputOffset(), err)
		}
		var ind bytes.Buffer
		if err := json.Indent(&ind, raw, "", "  "); err != nil {
			return b.String(), fmt.Errorf("jq: error: %v", err)
		}
		b.Write(unescapeHTML(ind.Bytes()))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// unescapeHTML turns \u003c, \u003e and \u0026 inside JSON strings back into
// <, > and &, leaving every other escape (an escaped backslash included)
// as it is.
func unescapeHTML(j []byte) []byte {
	out := make([]byte, 0, len(j))
	for i := 0; i < len(j); i++ {
		if j[i] != '\\' || i+1 >= len(j) {
			out = append(out, j[i])
			continue
		}
		if j[i+1] == 'u' && i+6 <= len(j) {
			switch string(j[i+2 : i+6]) {
			case "003c":
				out = append(out, '<')
				i += 5
				continue
			case "003e":
				out = append(out, '>')
				i += 5
				continue
			case "0026":
				out = append(out, '&')
				i += 5
				continue
			}
		}
		out = append(out, j[i], j[i+1])
		i++
	}
	return out
}

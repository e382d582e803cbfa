package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, tc := range errorCases {
		_, err := Parse("t.yaml", []byte(tc.src))
		var got []string
		var list ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				got = append(got, strings.TrimPrefix(e.Error(), "t.yaml:"))
			}
		}
		g := strings.Join(got, " | ")
		if g == tc.want {
			continue
		}
		at := ""
		if len(list) > 0 {
			lines := strings.Split(tc.src, "\n")
			e := list[0]
			if e.Line-1 < len(lines) {
				l := lines[e.Line-1]
				if e.Col-1 <= len(l) {
					at = l[e.Col-1:]
				}
			}
		}
		fmt.Printf("%q\n  want %s\n  got  %s\n  at   %q\n", tc.name, tc.want, g, at)
	}
}

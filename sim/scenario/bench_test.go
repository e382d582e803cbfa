package scenario

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// generated returns a scenario with n hosts on one switch, each pinging
// the first host once: the shape of the scale test.
func generatedScenario(n int) []byte {
	var b strings.Builder
	b.WriteString("name: scale\nswitches: {sw: {}}\nhosts:\n")
	for i := range n {
		fmt.Fprintf(&b, "  h%d: {interfaces: {eth0: {ip: 10.%d.%d.%d/8}}}\n", i, (i+1)>>16&255, (i+1)>>8&255, (i+1)&255)
	}
	b.WriteString("links:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {a: h%d.eth0, b: sw.p%d}\n", i, i)
	}
	b.WriteString("steps:\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  - {ping: {from: h%d, to: h0}, at: 1s}\n", i)
	}
	return []byte(b.String())
}

func TestGeneratedScale(t *testing.T) {
	s, err := Parse("scale.yaml", generatedScenario(2000))
	require.NoError(t, err)
	require.Len(t, s.Hosts, 2000)
	require.Len(t, s.Switch("sw").Ports, 2000)
	require.Same(t, s.Hosts[1999], s.Host("h1999"))
	require.Same(t, s.Links[1234], s.LinkAt("sw.p1234"))
}

// TestLookupsAfterChanges checks that lookups stay right when the slices
// change after Parse (the index falls back to a scan).
func TestLookupsAfterChanges(t *testing.T) {
	s, err := Parse("t.yaml", []byte(l2Lab))
	require.NoError(t, err)
	s.Hosts = append(s.Hosts, &Host{Name: "late"})
	require.Equal(t, "late", s.Host("late").Name)
	s.Hosts[0], s.Hosts[1] = s.Hosts[1], s.Hosts[0]
	require.Equal(t, "h1", s.Host("h1").Name)
	require.Equal(t, "h2", s.Host("h2").Name)
	s.Links = s.Links[1:]
	require.Nil(t, s.LinkAt("l1"))
	require.Equal(t, "h2", s.LinkAt("sw1.p2").A.Device)
	var zero Scenario
	require.Nil(t, zero.Host("h1"), "a Scenario not from Parse has no index")
}

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		data := generatedScenario(n)
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse("scale.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

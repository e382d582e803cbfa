package node

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim"
)

// FuzzResolvConf feeds arbitrary --dns-search and --dns-option values
// (comma-separated lists) to the resolv.conf writer: the file never gains
// lines of its own making and the stub always gets exactly the servers.
func FuzzResolvConf(f *testing.F) {
	servers := []netip.Addr{EmbeddedDNSAddr, nsAddr, deadNS, netip.MustParseAddr("10.0.0.1")}
	f.Fuzz(func(t *testing.T, search, opts string, nservers uint8) {
		srv := servers[:int(nservers)%(len(servers)+1)]
		text, cfg := resolvConf(srv, strings.Split(search, ","), strings.Split(opts, ","))
		if got, want := len(cfg.Nameservers), min(len(srv), 3); got != want {
			t.Fatalf("got %d nameservers, want %d", got, want)
		}
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if text == "" {
			lines = nil
		}
		nameservers := 0
		for _, line := range lines {
			switch {
			case strings.HasPrefix(line, "nameserver "):
				if nameservers >= len(srv) || line != "nameserver "+srv[nameservers].String() {
					t.Fatalf("unexpected line %q in\n%s", line, text)
				}
				nameservers++
			case strings.HasPrefix(line, "search "), strings.HasPrefix(line, "options "):
			default:
				t.Fatalf("unexpected line %q in\n%s", line, text)
			}
		}
		if nameservers != len(srv) {
			t.Fatalf("got %d nameserver lines, want %d", nameservers, len(srv))
		}
	})
}

// FuzzSplitDNSStream checks the DNS-over-TCP framing: whatever the chunks
// a stream arrives in, the same messages come out, and messages plus rest
// are the stream.
func FuzzSplitDNSStream(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		var whole [][]byte
		rest := splitDNSStream(data, func(m []byte) { whole = append(whole, bytes.Clone(m)) })
		var again []byte
		for _, m := range whole {
			again = append(again, frameDNS(m)...)
		}
		if !bytes.Equal(append(again, rest...), data) {
			t.Fatalf("messages and rest do not add up to the stream")
		}
		var pieces [][]byte
		var buf []byte
		step := int(chunk)%64 + 1
		for i := 0; i < len(data); i += step {
			buf = splitDNSStream(append(buf, data[i:min(i+step, len(data))]...), func(m []byte) {
				pieces = append(pieces, bytes.Clone(m))
			})
		}
		if len(pieces) != len(whole) {
			t.Fatalf("got %d messages in chunks of %d, want %d", len(pieces), step, len(whole))
		}
		for i := range pieces {
			if !bytes.Equal(pieces[i], whole[i]) {
				t.Fatalf("message %d differs", i)
			}
		}
		if !bytes.Equal(buf, rest) {
			t.Fatalf("rest differs")
		}
	})
}

// FuzzIngressVerdict runs arbitrary frames through the gateway filter of
// a plain and an internal network: no panic, and only IPv4 frames sent to
// the gateway's MAC are ever dropped.
func FuzzIngressVerdict(f *testing.F) {
	n, err := New(sim.NewLoop(1), Config{Name: "fuzz", Underlay: nodeAddr})
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		subnet   string
		internal bool
	}{{"localnet", "172.18.0.0/16", false}, {"backend", "10.30.0.0/24", true}} {
		if _, err := n.Controller().Create(c.name, network.CreateOptions{Subnets: []string{c.subnet}, Internal: c.internal}); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, toGateway bool) {
		for _, p := range n.planes {
			fr := bytes.Clone(b)
			if toGateway && len(fr) >= 6 {
				mac := p.gw.MAC()
				copy(fr, mac[:])
			}
			_, drop := n.ingressVerdict(p, p.gw, fr)
			if drop && (len(fr) < frame.EthernetLen+frame.IPv4MinLen || frame.Ethernet(fr).RawType() != frame.TypeIPv4 || frame.Ethernet(fr).Dst() != p.gw.MAC()) {
				t.Fatalf("dropped a frame that is not IPv4 to the gateway: % x", fr)
			}
			_ = n.forwarded(fr)
		}
	})
}

// FuzzNATHooks feeds arbitrary IPv4 packets (any protocol, truncated or
// hostile ICMP quotes) to the NAT's prerouting and forward hooks, from the
// underlay and from a bridge: they never panic, a rewritten packet keeps
// its length, and its IPv4 header checksum stays valid.
func FuzzNATHooks(f *testing.F) {
	ctr := netip.MustParseAddrPort("172.18.0.2:40000")
	peer := netip.AddrPortFrom(laptopAddr.Addr(), 80)
	node := netip.AddrPortFrom(nodeAddr.Addr(), 5005)
	for _, p := range []frame.IPv4{
		rvPkt(frame.ProtoTCP, peer, node, frame.TCPSyn),
		rvPkt(frame.ProtoUDP, ctr, peer, 0),
		rvPkt(frame.ProtoICMP, ctr, peer, frame.ICMPEchoRequest),
		rvPkt(frame.ProtoICMP, peer, netip.AddrPortFrom(nodeAddr.Addr(), 40000), frame.ICMPEchoReply),
	} {
		f.Add([]byte(p), false)
		f.Add([]byte(p), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, fromBridge bool) {
		l, _, _, _ := rvLab(t)
		if err := l.node.Publish("c1", []PortMapping{{Proto: "tcp", HostPort: 5005, Port: 80}, {Proto: "udp", HostPort: 5007, Port: 7}}); err != nil {
			t.Fatal(err)
		}
		ip := frame.IPv4(data)
		if !ip.Valid() || !ip.ChecksumValid() {
			return
		}
		ip = ip[:ip.TotalLen()]
		in, out := l.node.underlay, l.node.planes[len(l.node.planes)-1].gw
		if fromBridge {
			in, out = out, in
		}
		got := l.node.prerouting(in, ip)
		if got != nil {
			if len(got) != len(ip) || !got.ChecksumValid() {
				t.Fatalf("prerouting broke the packet: %x -> %x", []byte(ip), []byte(got))
			}
		}
		fwd := append(frame.IPv4(nil), ip...)
		l.node.postrouting(in, out, fwd)
		if len(fwd) != len(ip) || !fwd.ChecksumValid() {
			t.Fatalf("postrouting broke the packet: %x -> %x", []byte(ip), []byte(fwd))
		}
	})
}

package scenario

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/sim"
)

const twoHosts = `
name: two
switches: {sw1: {}}
hosts:
  h1: {interfaces: {eth0: {ip: 10.0.0.1/24}}}
  h2: {interfaces: {eth0: {ip: 10.0.0.2/24}}, services: [{echo: udp/7}]}
links:
  - {a: h1.eth0, b: sw1.p1, latency: 1ms}
  - {a: h2.eth0, b: sw1.p2, latency: 1ms}
`

func TestRunJudgesSteps(t *testing.T) {
	s := mustParse(t, twoHosts+`
steps:
  - ping: {from: h1, to: h2, count: 2}
    expect: {received: 2, rtt_max: 6ms, rtt_min: 4ms}   # the first RTT includes ARP
  - ping: {from: h1, to: 10.0.0.9}
    expect: {fail: true}
  - ping: {from: h1, to: 10.0.0.9}
  - udp: {from: h1, to: "h2:7", data: hi}
    expect: {reply: hi}
  - udp: {from: h1, to: "h2:9"}
    expect: {unreachable: true}
  - ping: {from: h1, to: h2}
    expect: {error: "nothing like this"}
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	require.Len(t, res.Steps, 6)
	var verdicts []bool
	for _, sr := range res.Steps {
		verdicts = append(verdicts, sr.Pass)
	}
	assert.Equal(t, []bool{true, true, false, true, true, false}, verdicts)
	assert.Contains(t, res.Steps[2].Detail, "received: want 1, got 0")
	assert.Contains(t, res.Steps[5].Detail, "expected failure, got success")
	assert.Equal(t, 4, res.Passed())
	assert.Equal(t, 2, res.Failed())
	assert.False(t, res.OK())
}

// A loop without STP never settles: the run stops at the limits with a
// clear message instead of hanging.
func TestStormStopsAtLimits(t *testing.T) {
	storm := `
name: storm
limits: {time: 1m, events: 200000}
switches: {sw1: {}, sw2: {}}
hosts:
  h1: {interfaces: {eth0: {ip: 10.0.0.1/24}}}
links:
  - {a: sw1.p1, b: sw2.p1}
  - {a: sw1.p2, b: sw2.p2}
  - {a: h1.eth0, b: sw1.p9}
steps:
  - wait: 10s
  - ping: {from: h1, to: 10.0.0.2}
`
	res, err := Run(mustParse(t, storm), Options{})
	require.NoError(t, err)
	require.Error(t, res.Err)
	assert.True(t, errors.Is(res.Err, sim.ErrEventLimit), "got %v", res.Err)
	assert.Contains(t, res.Err.Error(), "event limit reached (200000 events)")
	assert.Equal(t, 2, res.Failed())
	var out bytes.Buffer
	WriteResult(&out, res)
	assert.Contains(t, out.String(), "ERROR sim: event limit reached")
	assert.Contains(t, out.String(), "not run")

	// A time limit reached at run time: the waits fit, the ping series
	// does not.
	timeLimited := strings.Replace(storm, "events: 200000", "events: 0", 1)
	timeLimited = strings.Replace(timeLimited, "limits: {time: 1m", "limits: {time: 2s", 1)
	timeLimited = strings.Replace(timeLimited, "  - wait: 10s\n  - ping: {from: h1, to: 10.0.0.2}", "  - wait: 1500ms\n  - ping: {from: h1, to: 10.0.0.2, count: 3}", 1)
	timeLimited = strings.Replace(timeLimited, "sw1.p2, b: sw2.p2", "sw1.p2, b: sw2.p2, latency: 10ms", 1)
	timeLimited = strings.Replace(timeLimited, "sw1.p1, b: sw2.p1", "sw1.p1, b: sw2.p1, latency: 10ms", 1)
	res, err = Run(mustParse(t, timeLimited), Options{})
	require.NoError(t, err)
	assert.True(t, errors.Is(res.Err, sim.ErrTimeLimit), "got %v", res.Err)
}

func TestSeedOverrideChangesDerivedMACsAndHash(t *testing.T) {
	s := mustParse(t, twoHosts+`
steps:
  - ping: {from: h1, to: h2}
`)
	a, err := Run(s, Options{})
	require.NoError(t, err)
	b, err := Run(s, Options{})
	require.NoError(t, err)
	assert.Equal(t, a.TraceHash, b.TraceHash)
	seed := uint64(42)
	c, err := Run(s, Options{Seed: &seed})
	require.NoError(t, err)
	assert.True(t, c.OK())
	assert.EqualValues(t, 42, c.Seed)
	assert.NotEqual(t, a.TraceHash, c.TraceHash, "another seed derives other MACs")
	assert.EqualValues(t, 1, s.Seed, "the parsed scenario is not modified")
}

func TestPcapAndTraceOutput(t *testing.T) {
	s := mustParse(t, twoHosts+`
steps:
  - ping: {from: h1, to: h2}
`)
	dir := t.TempDir()
	var trace, verbose bytes.Buffer
	res, err := Run(s, Options{PcapDir: dir, Trace: &trace, Verbose: &verbose})
	require.NoError(t, err)
	require.True(t, res.OK())

	f, err := os.Open(filepath.Join(dir, "two.h1.eth0--sw1.p1.pcapng"))
	require.NoError(t, err)
	defer f.Close()
	r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
	require.NoError(t, err)
	n := 0
	var last time.Time
	for {
		_, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		n++
		assert.False(t, ci.Timestamp.Before(sim.Epoch))
		last = ci.Timestamp
	}
	// Sent: h1's gratuitous ARP, its ARP request, the echo request (as
	// soon as h2's gratuitous ARP answered the pending resolution, at 2 ms).
	// Received: h2's gratuitous ARP, h2's ARP reply, the echo reply.
	assert.Equal(t, 6, n)
	assert.Equal(t, sim.Epoch.Add(6*time.Millisecond), last.UTC(), "echo request at 2 ms, reply back after 4 hops of 1 ms")

	lines := strings.Split(strings.TrimSpace(trace.String()), "\n")
	assert.EqualValues(t, res.Events, len(lines))
	assert.Contains(t, lines[0], `"what":`)
	assert.Contains(t, verbose.String(), "ICMP")
}

func TestJUnitAndGraph(t *testing.T) {
	s := mustParse(t, twoHosts+`
steps:
  - ping: {from: h1, to: h2}
  - ping: {from: h1, to: 10.0.0.99}
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, WriteJUnit(&buf, []*Result{res}))
	var suites junitSuites
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &suites))
	assert.Equal(t, 2, suites.Tests)
	assert.Equal(t, 1, suites.Fails)
	require.Len(t, suites.Suites, 1)
	assert.Nil(t, suites.Suites[0].Cases[0].Failure)
	require.NotNil(t, suites.Suites[0].Cases[1].Failure)
	assert.Contains(t, suites.Suites[0].Cases[1].Failure.Text, "t.yaml:")

	var dot, mer bytes.Buffer
	WriteDOT(&dot, s)
	assert.Contains(t, dot.String(), `"h1" -- "sw1"`)
	assert.Contains(t, dot.String(), `label="1ms"`)
	assert.NotContains(t, dot.String(), `\\n`, "DOT reads a doubled backslash as a literal one")
	WriteMermaid(&mer, s)
	assert.Contains(t, mer.String(), "flowchart LR")
	assert.Contains(t, mer.String(), "h1 ---|")
}

func TestGraphDockerLevel(t *testing.T) {
	s := mustParse(t, `
name: d
networks: {localnet: {}}
containers:
  c1: {networks: {localnet: {aliases: [web]}}}
  c2: {}
clients: {laptop: {address: 192.168.50.99}}
`)
	var dot, mer bytes.Buffer
	WriteDOT(&dot, s)
	for _, want := range []string{`subgraph "cluster_host1"`, `"c1" -- "host1/localnet" [label="alias web"]`, `"c2" -- "host1/bridge"`, `"laptop" -- "underlay"`, `label="laptop\n192.168.50.99/24"`} {
		assert.Contains(t, dot.String(), want)
	}
	WriteMermaid(&mer, s)
	assert.Contains(t, mer.String(), "c1([\"c1\"]) --- host1_localnet")
	assert.Contains(t, mer.String(), "node_host1 --- underlay")
}

// Consecutive link set steps add up: the second keeps what the first set.
func TestLinkSetAccumulates(t *testing.T) {
	s := mustParse(t, twoHosts+`
steps:
  - ping: {from: h1, to: h2}
  - link: {set: h1.eth0, latency: 20ms}
  - link: {set: h1.eth0, loss: 0%}
  - ping: {from: h1, to: h2}
    expect: {rtt_min: 42ms, rtt_max: 42ms}   # 2 x (20ms + 1ms): the loss change kept the latency
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	assert.True(t, res.OK(), "%+v", res.Steps[len(res.Steps)-1])
}

// Capture steps without --pcap count frames and write nothing; with it,
// Docker labs get a file per container and per underlay link.
func TestCaptureFiles(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	s := mustParse(t, twoHosts+`
steps:
  - capture: {start: h1}
  - ping: {from: h1, to: h2}
  - capture: {stop: h1}
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	require.True(t, res.OK())
	assert.Contains(t, res.Steps[2].Detail, "not written")
	entries, _ := os.ReadDir(wd)
	assert.Empty(t, entries, "no files without --pcap")

	d := mustParse(t, `
name: dl
networks: {localnet: {}}
containers: {c1: {networks: [localnet]}, c2: {networks: [localnet]}}
clients: {laptop: {address: 192.168.50.99}}
steps:
  - ping: {from: c1, to: c2}
  - docker: run -d --name c3 --network localnet alpine sleep 1d
  - ping: {from: c3, to: c1}
`)
	dir := t.TempDir()
	res, err = Run(d, Options{PcapDir: dir})
	require.NoError(t, err)
	require.True(t, res.OK())
	var names []string
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Subset(t, names, []string{"dl.c1.pcapng", "dl.c2.pcapng", "dl.c3.pcapng"}, "containers, including one a step created")
	assert.Len(t, names, 5, "and the two underlay links: %v", names)
}

func TestReportKeepsOneLinePerStep(t *testing.T) {
	var buf bytes.Buffer
	WriteStep(&buf, StepResult{Pass: false, Desc: "docker network create x", Detail: "invalid network config:\ninvalid subnet"})
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"))
	assert.Contains(t, buf.String(), "invalid network config: | invalid subnet")
}

// A pending "back up" of link down with for follows the latest command on
// the link; an at: earlier than the previous step's end is reported.
func TestLinkDownForFollowsLatestCommand(t *testing.T) {
	s := mustParse(t, twoHosts+`
steps:
  - ping: {from: h1, to: h2}
  - link: {down: h2.eth0, for: 5s}
  - link: {up: h2.eth0}
    at: 2s
  - link: {down: h2.eth0}
    at: 3s
  - ping: {from: h1, to: h2}
    at: 6s
    expect: {received: 0}
  - link: {down: h2.eth0, for: 10s}
    at: 20s
  - link: {down: h2.eth0, for: 10s}
    at: 25s
  - ping: {from: h1, to: h2}
    at: 32s
    expect: {received: 0}
  - ping: {from: h1, to: h2, count: 10}
    at: 40s
  - wait: 1s
    at: 45s
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	for _, sr := range res.Steps {
		assert.True(t, sr.Pass, "%s: %s", sr.Desc, sr.Detail)
	}
	last := res.Steps[len(res.Steps)-1]
	assert.Contains(t, last.Detail, "late: at 45s")
}

// Burst loss with bad_loss: 0% loses nothing even when the link stays in
// the bad state; only an absent bad_loss means netem's 100%.
func TestBurstBadLossZero(t *testing.T) {
	s := mustParse(t, `
name: badloss
hosts:
  h1: {interfaces: {eth0: {ip: 10.0.0.1/24}}}
  h2: {interfaces: {eth0: {ip: 10.0.0.2/24}}}
links:
  - {a: h1.eth0, b: h2.eth0, loss: {burst: {p: 100%, r: 0%, bad_loss: 0%}}}
steps:
  - ping: {from: h1, to: h2, count: 20, interval: 10ms}
    expect: {received: 20}
  - link: {set: h1.eth0, loss: {burst: {p: 100%, r: 0%}}}
  - ping: {from: h1, to: h2, count: 20, interval: 10ms}
    expect: {received: 0}
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	for _, sr := range res.Steps {
		assert.True(t, sr.Pass, "%+v", sr)
	}
}

// A node is a step source: its own stack (the Docker host itself) pings,
// connects and traceroutes, and names other nodes by their underlay address.
func TestNodeAsSource(t *testing.T) {
	s := mustParse(t, `
name: nodefrom
nodes: {host1: {}, host2: {}}
clients:
  laptop: {address: 192.168.50.99}
networks:
  n1: {}
containers:
  c1: {networks: [n1]}
steps:
  - ping: {from: host1, to: 192.168.50.99}
  - ping: {from: host1, to: host2}
  - ping: {from: host1, to: 172.18.0.2}
  - tcp: {from: host1, to: "192.168.50.99:80"}
    expect: {refused: true}
  - traceroute: {from: host2, to: 192.168.50.99}
    expect: {hops: [192.168.50.99]}
  - udp: {from: host1, to: "192.168.50.99:7"}
    expect: {fail: true}
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	require.Len(t, res.Steps, 6)
	for _, sr := range res.Steps {
		assert.True(t, sr.Pass, "%+v", sr)
	}
}

// Declared ports are created first, in file order, then the ports only a
// link names, in link order: the order gives the STP port IDs. sw1 declares
// pb before pa, so pb has the lower port ID and sw2's root port is the one
// facing it (x2), although the link to pa comes first.
func TestPortOrder(t *testing.T) {
	s := mustParse(t, `
name: porder
hosts:
  h1: {interfaces: {eth0: {ip: 10.0.0.1/24}}}
switches:
  sw1:
    stp: {priority: 4096}
    ports:
      pb: {}
      pa: {}
      unlinked: {}
  sw2:
    stp: {}
links:
  - {a: sw1.z, b: h1.eth0}
  - {a: sw1.pa, b: sw2.x1}
  - {a: sw1.pb, b: sw2.x2}
steps:
  - wait: 35s
  - stp: {switch: sw2}
    expect: {root: sw1, root_port: x2, ports: {x1: blocking, x2: forwarding}}
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	for _, sr := range res.Steps {
		assert.True(t, sr.Pass, "%+v", sr)
	}
	w, err := buildWorld(s, sim.NewLoop(1))
	require.NoError(t, err)
	var names []string
	for _, p := range w.switches["sw1"].b.Ports() {
		names = append(names, p.Config.Name)
	}
	assert.Equal(t, []string{"pb", "pa", "unlinked", "z"}, names)
}

// A network the file declares without subnet takes the file's static
// addresses, but a docker run --ip step there gets Docker's refusal, as
// on any network without a user-configured subnet.
func TestStaticIPStepRefusedWithoutUserSubnet(t *testing.T) {
	s := mustParse(t, `
name: sip
networks:
  localnet: {}
containers:
  c2: {networks: {localnet: {ip: 172.18.0.10}}}
steps:
  - docker: inspect c2 --format '{{.NetworkSettings.Networks.localnet.IPAddress}}'
    expect: {output: 172.18.0.10}
  - docker: run -d --name c3 --network localnet --ip 172.18.0.20 alpine
    expect: {error: "user specified IP address is supported only when connecting to networks with user configured subnets"}
  - docker: run -d --name c4 alpine
  - docker: network connect --ip 172.18.0.30 localnet c4
    expect: {error: "user specified IP address is supported only when connecting to networks with user configured subnets"}
`)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	for _, sr := range res.Steps {
		assert.True(t, sr.Pass, "%+v", sr)
	}
}

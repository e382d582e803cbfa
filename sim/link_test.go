package sim

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
)

var (
	macA = frame.MAC{0x02, 0, 0, 0, 0, 0x0a}
	macB = frame.MAC{0x02, 0, 0, 0, 0, 0x0b}
)

// testFrame returns an untagged Ethernet frame of n bytes (at least 18)
// carrying seq in the first four payload bytes.
func testFrame(n int, seq uint32) []byte {
	b := make([]byte, max(n, 18))
	frame.PutEthernet(b, macB, macA, frame.TypeIPv4)
	binary.BigEndian.PutUint32(b[14:], seq)
	return b
}

type arrival struct {
	at  time.Duration
	seq uint32
	n   int
}

// recorder is a Receiver that notes what arrived when.
type recorder struct {
	l   *Loop
	got []arrival
}

func (r *recorder) Receive(b []byte) {
	var seq uint32
	if len(b) >= 18 {
		seq = binary.BigEndian.Uint32(b[14:])
	}
	r.got = append(r.got, arrival{at: r.l.Now(), seq: seq, n: len(b)})
}

func (r *recorder) seqs() []uint32 {
	out := make([]uint32, len(r.got))
	for i, a := range r.got {
		out[i] = a.seq
	}
	return out
}

func newTestLink(seed uint64, cfg LinkConfig) (*Loop, *Link, *recorder) {
	l := NewLoop(seed)
	k := NewLink(l, "h1.eth0<->sw1.p1", cfg)
	r := &recorder{l: l}
	k.B().Attach(r)
	return l, k, r
}

// sendEvery sends count frames of size n from end e, one every gap,
// starting now.
func sendEvery(l *Loop, e *LinkEnd, count, n int, gap time.Duration) {
	start := l.Now()
	for i := range count {
		seq := uint32(i)
		l.At(start+time.Duration(i)*gap, func() { e.Send(testFrame(n, seq)) })
	}
}

func TestLinkNames(t *testing.T) {
	l := NewLoop(1)
	k := NewLink(l, "h1.eth0<->sw1.p1", LinkConfig{})
	assert.Equal(t, "h1.eth0<->sw1.p1", k.Name())
	assert.Equal(t, "h1.eth0", k.A().Name())
	assert.Equal(t, "sw1.p1", k.B().Name())
	assert.Same(t, k.B(), k.A().Peer())
	assert.Same(t, k.A(), k.B().Peer())
	assert.Same(t, k, k.A().Link())
	k2 := NewLink(l, "wire", LinkConfig{})
	assert.Equal(t, "wire/a", k2.A().Name())
	assert.Equal(t, "wire/b", k2.B().Name())
	assert.True(t, k.Up())
}

func TestLinkLatency(t *testing.T) {
	l, k, r := newTestLink(1, LinkConfig{Latency: 3 * time.Millisecond})
	ra := &recorder{l: l}
	k.A().Attach(ra)
	l.At(time.Millisecond, func() { k.A().Send(testFrame(60, 1)) })
	l.At(time.Millisecond, func() { k.B().Send(testFrame(70, 2)) })
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []arrival{{4 * time.Millisecond, 1, 60}}, r.got)
	assert.Equal(t, []arrival{{4 * time.Millisecond, 2, 70}}, ra.got, "full duplex")
	sa, sb := k.A().Stats(), k.B().Stats()
	assert.Equal(t, LinkStats{TxFrames: 1, TxBytes: 60, RxFrames: 1, RxBytes: 70}, sa)
	assert.Equal(t, LinkStats{TxFrames: 1, TxBytes: 70, RxFrames: 1, RxBytes: 60}, sb)
	assert.Equal(t, uint64(2), l.Trace().Count())
}

func TestLinkJitterKeepsFIFO(t *testing.T) {
	const lat, jit = time.Millisecond, 900 * time.Microsecond
	l, k, r := newTestLink(3, LinkConfig{Latency: lat, Jitter: jit})
	const n = 2000
	sendEvery(l, k.A(), n, 100, 10*time.Microsecond)
	require.NoError(t, l.Run(time.Second))
	require.Len(t, r.got, n)
	distinct := map[time.Duration]bool{}
	for i, a := range r.got {
		require.Equal(t, uint32(i), a.seq, "frames arrive in order")
		sent := time.Duration(i) * 10 * time.Microsecond
		delay := a.at - sent
		assert.GreaterOrEqual(t, delay, lat-jit, "frame %d", i)
		assert.LessOrEqual(t, delay, lat+jit, "frame %d", i)
		if i > 0 {
			assert.GreaterOrEqual(t, a.at, r.got[i-1].at)
		}
		distinct[delay] = true
	}
	assert.Greater(t, len(distinct), n/2, "jitter varies the delay")
}

func TestLinkJitterNeverNegative(t *testing.T) {
	l, k, r := newTestLink(1, LinkConfig{Latency: 100 * time.Microsecond, Jitter: time.Millisecond})
	sendEvery(l, k.A(), 500, 100, time.Millisecond)
	require.NoError(t, l.Run(time.Second))
	require.Len(t, r.got, 500)
	zero := 0
	for i, a := range r.got {
		sent := time.Duration(i) * time.Millisecond
		require.GreaterOrEqual(t, a.at, sent)
		if a.at == sent {
			zero++
		}
	}
	assert.Positive(t, zero, "delays below zero are clamped to zero")
}

func TestLinkBandwidth(t *testing.T) {
	tests := []struct {
		name string
		cfg  LinkConfig
		n    int
		size int
		want []time.Duration
	}{
		{"1500 B at 10 Mbit/s", LinkConfig{Bandwidth: 10_000_000}, 1, 1500, []time.Duration{1200 * time.Microsecond}},
		{"back to back", LinkConfig{Bandwidth: 10_000_000}, 3, 1500, []time.Duration{1200 * time.Microsecond, 2400 * time.Microsecond, 3600 * time.Microsecond}},
		{"plus latency", LinkConfig{Bandwidth: 10_000_000, Latency: time.Millisecond}, 2, 1500, []time.Duration{2200 * time.Microsecond, 3400 * time.Microsecond}},
		{"64 B at 1 Gbit/s", LinkConfig{Bandwidth: 1_000_000_000}, 2, 64, []time.Duration{512, 1024}},
		{"unlimited", LinkConfig{}, 2, 1500, []time.Duration{0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, k, r := newTestLink(1, tc.cfg)
			for i := range tc.n {
				k.A().Send(testFrame(tc.size, uint32(i)))
			}
			require.NoError(t, l.Run(time.Second))
			var got []time.Duration
			for _, a := range r.got {
				got = append(got, a.at)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLinkBandwidthIdleGap(t *testing.T) {
	// A frame sent after the transmitter went idle starts at once.
	l, k, r := newTestLink(1, LinkConfig{Bandwidth: 10_000_000})
	k.A().Send(testFrame(1500, 0))
	l.At(5*time.Millisecond, func() { k.A().Send(testFrame(1500, 1)) })
	require.NoError(t, l.Run(time.Second))
	require.Len(t, r.got, 2)
	assert.Equal(t, 6200*time.Microsecond, r.got[1].at)
}

func TestLinkQueueDropTail(t *testing.T) {
	l, k, r := newTestLink(1, LinkConfig{Bandwidth: 10_000_000, QueueLen: 5})
	for i := range 10 {
		k.A().Send(testFrame(1500, uint32(i)))
	}
	// One frame on the wire plus five waiting; the last four are dropped.
	s := k.A().Stats()
	assert.Equal(t, uint64(4), s.Drops.Queue)
	assert.Equal(t, uint64(6), s.TxFrames)
	// After two frames have left, two more fit.
	l.At(2400*time.Microsecond, func() {
		for i := range 3 {
			k.A().Send(testFrame(1500, uint32(100+i)))
		}
	})
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []uint32{0, 1, 2, 3, 4, 5, 100, 101}, r.seqs())
	assert.Equal(t, uint64(5), k.A().Stats().Drops.Queue)
	assert.Equal(t, 8400*time.Microsecond, r.got[6].at)
	assert.Equal(t, 9600*time.Microsecond, r.got[7].at)
	assert.Equal(t, uint64(5), k.A().Stats().Drops.Total())
}

func TestLinkQueueDefault(t *testing.T) {
	l, k, _ := newTestLink(1, LinkConfig{Bandwidth: 1_000_000})
	assert.Equal(t, DefaultQueueLen, k.Config().QueueLen)
	for i := range 150 {
		k.A().Send(testFrame(100, uint32(i)))
	}
	assert.Equal(t, uint64(150-DefaultQueueLen-1), k.A().Stats().Drops.Queue)
	require.NoError(t, l.Run(time.Minute))
}

func TestLinkMTU(t *testing.T) {
	tagged := func(payload int) []byte {
		b := testFrame(14+payload, 0)
		return frame.PushTag(make([]byte, len(b)+4), frame.Ethernet(b), 10)
	}
	tests := []struct {
		name  string
		f     []byte
		drops uint64
	}{
		{"payload at MTU", testFrame(14+1500, 0), 0},
		{"payload over MTU", testFrame(14+1501, 0), 1},
		{"tagged at MTU", tagged(1500), 0},
		{"tagged over MTU", tagged(1501), 1},
		{"runt", []byte{1, 2, 3}, 0},
		{"over MaxFrame", make([]byte, MaxFrame+1), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := LinkConfig{MTU: 1500}
			l, k, r := newTestLink(1, cfg)
			k.A().Send(tc.f)
			require.NoError(t, l.Run(time.Second))
			s := k.A().Stats()
			assert.Equal(t, tc.drops, s.Drops.Total())
			assert.Equal(t, 1-int(tc.drops), len(r.got))
			if tc.drops > 0 {
				assert.Equal(t, uint64(0), s.TxFrames, "a dropped frame never went on the wire")
			}
		})
	}
	t.Run("reasons", func(t *testing.T) {
		l, k, _ := newTestLink(1, LinkConfig{MTU: 1500})
		k.A().Send(testFrame(14+1501, 0))
		k.A().Send(make([]byte, MaxFrame+1))
		require.NoError(t, l.Run(time.Second))
		assert.Equal(t, LinkDrops{MTU: 1, Oversize: 1}, k.A().Stats().Drops)
	})
}

// lossRun sends n frames over a link with cfg and returns which ones were
// lost.
func lossRun(t *testing.T, seed uint64, cfg LinkConfig, n int) []bool {
	t.Helper()
	l, k, r := newTestLink(seed, cfg)
	sendEvery(l, k.A(), n, 64, time.Microsecond)
	require.NoError(t, l.Run(time.Hour))
	lost := make([]bool, n)
	for i := range lost {
		lost[i] = true
	}
	for _, a := range r.got {
		lost[a.seq] = false
	}
	var count uint64
	for _, x := range lost {
		if x {
			count++
		}
	}
	require.Equal(t, count, k.A().Stats().Drops.Loss, "every missing frame is counted as lost")
	return lost
}

func countTrue(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

func TestLinkLoss(t *testing.T) {
	const n, p = 20000, 0.1
	first := lossRun(t, 42, LinkConfig{Loss: p}, n)
	second := lossRun(t, 42, LinkConfig{Loss: p}, n)
	assert.Equal(t, first, second, "the same seed loses the same frames")
	other := lossRun(t, 43, LinkConfig{Loss: p}, n)
	assert.NotEqual(t, first, other, "another seed loses other frames")
	// Binomial(n, p): mean 2000, standard deviation 42; allow 6 of them.
	sd := math.Sqrt(n * p * (1 - p))
	got := countTrue(first)
	assert.InDelta(t, n*p, got, 6*sd, "lost %d of %d", got, n)
	t.Logf("lost %d of %d (expected %.0f ± %.0f)", got, n, n*p, sd)
}

func TestLinkLossExtremes(t *testing.T) {
	assert.Equal(t, 0, countTrue(lossRun(t, 1, LinkConfig{}, 1000)))
	assert.Equal(t, 1000, countTrue(lossRun(t, 1, LinkConfig{Loss: 1}, 1000)))
}

func TestLinkGilbertElliott(t *testing.T) {
	const n = 200000
	ge := &GilbertElliott{P: 0.01, R: 0.25, LossBad: 1}
	lost := lossRun(t, 9, LinkConfig{Burst: ge}, n)
	var bursts, inBursts int
	for i := 0; i < n; {
		if !lost[i] {
			i++
			continue
		}
		j := i
		for j < n && lost[j] {
			j++
		}
		bursts++
		inBursts += j - i
		i = j
	}
	require.Positive(t, bursts)
	mean := float64(inBursts) / float64(bursts)
	t.Logf("%d bursts, mean length %.2f (1/R = %.2f), loss rate %.4f (P/(P+R) = %.4f)",
		bursts, mean, 1/ge.R, float64(inBursts)/n, ge.P/(ge.P+ge.R))
	assert.InDelta(t, 1/ge.R, mean, 0.3, "mean burst length is 1/R")
	assert.InDelta(t, ge.P/(ge.P+ge.R), float64(inBursts)/n, 0.005, "stationary loss rate")
	// Independent losses at the same rate would almost never form bursts
	// this long on average.
	random := lossRun(t, 9, LinkConfig{Loss: ge.P / (ge.P + ge.R)}, n)
	var rb, rin int
	for i := 0; i < n; i++ {
		if random[i] && (i == 0 || !random[i-1]) {
			rb++
		}
		if random[i] {
			rin++
		}
	}
	assert.Less(t, float64(rin)/float64(rb), 1.2)
	assert.Equal(t, lost, lossRun(t, 9, LinkConfig{Burst: ge}, n), "deterministic")
}

func TestLinkGilbertElliottLossGood(t *testing.T) {
	// LossBad 0 is taken literally; LossGood applies in the good state.
	k := NewLink(NewLoop(1), "x", LinkConfig{Burst: &GilbertElliott{P: 0.1, R: 0.5, LossGood: 0.01}})
	c := k.Config()
	require.NotNil(t, c.Burst)
	assert.Equal(t, GilbertElliott{P: 0.1, R: 0.5, LossGood: 0.01}, *c.Burst)
	lost := lossRun(t, 1, LinkConfig{Burst: &GilbertElliott{P: 0, R: 1, LossGood: 0.5, LossBad: 0.5}}, 10000)
	assert.InDelta(t, 5000, countTrue(lost), 6*50)
}

func TestLinkGilbertElliottLossBadZero(t *testing.T) {
	// Always in the bad state, losing nothing there: an explicit 0 is 0.
	lost := lossRun(t, 1, LinkConfig{Burst: &GilbertElliott{P: 1, R: 0, LossBad: 0}}, 2000)
	assert.Zero(t, countTrue(lost))
	lost = lossRun(t, 1, LinkConfig{Burst: &GilbertElliott{P: 1, R: 0, LossBad: 1}}, 2000)
	assert.Equal(t, 2000-1, countTrue(lost), "all but the first frame, sent in the good state")
}

func TestLinkDuplicate(t *testing.T) {
	const n = 5000
	l, k, r := newTestLink(5, LinkConfig{Duplicate: 0.2, Latency: time.Millisecond})
	sendEvery(l, k.A(), n, 64, 10*time.Microsecond)
	require.NoError(t, l.Run(time.Hour))
	dups := k.A().Stats().Duplicated
	assert.Equal(t, n+int(dups), len(r.got))
	assert.InDelta(t, n*0.2, float64(dups), 6*math.Sqrt(n*0.2*0.8))
	// Copies arrive together, in order.
	seen := map[uint32]int{}
	for i, a := range r.got {
		seen[a.seq]++
		if i > 0 {
			assert.GreaterOrEqual(t, a.seq, r.got[i-1].seq)
		}
	}
	assert.Len(t, seen, n)
	assert.Equal(t, uint64(len(r.got)), k.B().Stats().RxFrames)
}

func TestLinkReorder(t *testing.T) {
	const n = 2000
	for _, tc := range []struct {
		name    string
		cfg     LinkConfig
		reorder bool
	}{
		{"none", LinkConfig{Latency: time.Millisecond, Jitter: 100 * time.Microsecond}, false},
		{"10%", LinkConfig{Latency: time.Millisecond, Jitter: 100 * time.Microsecond, Reorder: 0.1}, true},
		{"10% without latency", LinkConfig{Reorder: 0.1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, k, r := newTestLink(11, tc.cfg)
			sendEvery(l, k.A(), n, 64, 100*time.Microsecond)
			require.NoError(t, l.Run(time.Hour))
			require.Len(t, r.got, n, "reordering loses nothing")
			inversions := 0
			for i := 1; i < n; i++ {
				if r.got[i].seq < r.got[i-1].seq {
					inversions++
				}
			}
			held := k.A().Stats().Reordered
			if !tc.reorder {
				assert.Zero(t, inversions)
				assert.Zero(t, held)
				return
			}
			assert.InDelta(t, n*0.1, float64(held), 6*math.Sqrt(n*0.1*0.9))
			assert.Positive(t, inversions)
			assert.LessOrEqual(t, uint64(inversions), held)
		})
	}
}

func TestLinkDownUp(t *testing.T) {
	l, k, r := newTestLink(1, LinkConfig{Latency: 10 * time.Millisecond})
	var carrier []string
	for _, e := range []*LinkEnd{k.A(), k.B()} {
		name := e.Name()
		e.OnCarrier(func(up bool) {
			s := "down"
			if up {
				s = "up"
			}
			carrier = append(carrier, name+" "+s)
		})
	}
	for i := range 5 {
		k.A().Send(testFrame(64, uint32(i)))
	}
	l.At(5*time.Millisecond, func() { k.SetUp(false) })
	l.At(5*time.Millisecond, func() { k.A().Send(testFrame(64, 10)) })  // sent while down
	l.At(5*time.Millisecond, func() { k.SetUp(false) })                 // no change, no callback
	l.At(6*time.Millisecond, func() { k.SetUp(true) })                  // in-flight frames stay lost
	l.At(6*time.Millisecond, func() { k.A().Send(testFrame(64, 20)) })  // delivered
	l.At(20*time.Millisecond, func() { k.A().Send(testFrame(64, 30)) }) // delivered
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []arrival{{16 * time.Millisecond, 20, 64}, {30 * time.Millisecond, 30, 64}}, r.got)
	assert.Equal(t, []string{"h1.eth0 down", "sw1.p1 down", "h1.eth0 up", "sw1.p1 up"}, carrier)
	assert.Equal(t, LinkDrops{Down: 6}, k.A().Stats().Drops)
	assert.True(t, k.Up())
}

func TestLinkDownClearsQueue(t *testing.T) {
	l, k, r := newTestLink(1, LinkConfig{Bandwidth: 10_000_000})
	for i := range 5 {
		k.A().Send(testFrame(1500, uint32(i)))
	}
	l.At(2*time.Millisecond, func() { k.SetUp(false); k.SetUp(true) })
	l.At(2*time.Millisecond, func() { k.A().Send(testFrame(1500, 9)) })
	require.NoError(t, l.Run(time.Second))
	// Frame 0 arrived at 1.2 ms; the rest was queued or on the wire and is
	// gone; frame 9 starts at once on the idle transmitter.
	assert.Equal(t, []arrival{{1200 * time.Microsecond, 0, 1500}, {3200 * time.Microsecond, 9, 1500}}, r.got)
	assert.Equal(t, uint64(4), k.A().Stats().Drops.Down)
}

func TestLinkUnattached(t *testing.T) {
	l := NewLoop(1)
	k := NewLink(l, "a<->b", LinkConfig{})
	k.A().Send(testFrame(64, 0))
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, LinkDrops{Unattached: 1}, k.A().Stats().Drops)
}

func TestLinkSetConfig(t *testing.T) {
	l, k, r := newTestLink(1, LinkConfig{Latency: time.Millisecond})
	k.A().Send(testFrame(64, 0))
	l.At(500*time.Microsecond, func() {
		k.SetConfig(LinkConfig{Latency: 5 * time.Millisecond, Loss: 1})
		k.A().Send(testFrame(64, 1))
		k.SetConfig(LinkConfig{Latency: 5 * time.Millisecond})
		k.A().Send(testFrame(64, 2))
	})
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []arrival{{time.Millisecond, 0, 64}, {5500 * time.Microsecond, 2, 64}}, r.got)
	assert.Equal(t, uint64(1), k.A().Stats().Drops.Loss)
}

func TestLinkConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  LinkConfig
		ok   bool
	}{
		{"zero", LinkConfig{}, true},
		{"full", LinkConfig{Latency: 1, Jitter: 1, Loss: 0.5, Burst: &GilbertElliott{P: 0.1, R: 0.2, LossBad: 1}, Bandwidth: 1, QueueLen: 3, MTU: 1500, Duplicate: 1, Reorder: 0}, true},
		{"negative latency", LinkConfig{Latency: -1}, false},
		{"negative jitter", LinkConfig{Jitter: -1}, false},
		{"huge jitter", LinkConfig{Jitter: 1<<63 - 1}, false},
		{"huge latency", LinkConfig{Latency: MaxLinkDelay + 1}, false},
		{"loss above 1", LinkConfig{Loss: 1.5}, false},
		{"loss NaN", LinkConfig{Loss: math.NaN()}, false},
		{"negative bandwidth", LinkConfig{Bandwidth: -1}, false},
		{"negative queue", LinkConfig{QueueLen: -1}, false},
		{"negative MTU", LinkConfig{MTU: -1}, false},
		{"duplicate", LinkConfig{Duplicate: -0.1}, false},
		{"reorder", LinkConfig{Reorder: 2}, false},
		{"burst r", LinkConfig{Burst: &GilbertElliott{R: 1.1}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrLinkConfig)
			// A link given the bad value clamps it instead of misbehaving.
			l, k, r := newTestLink(1, tc.cfg)
			k.A().Send(testFrame(64, 0))
			require.NoError(t, l.Run(time.Hour))
			assert.LessOrEqual(t, len(r.got), 2)
			assert.NoError(t, k.Config().Validate())
		})
	}
}

func TestLinkTraceEvents(t *testing.T) {
	l, k, _ := newTestLink(1, LinkConfig{MTU: 100})
	var out jsonLines
	l.Trace().SetWriter(&out)
	k.A().Send(testFrame(64, 0))
	k.A().Send(testFrame(200, 1))
	l.At(time.Millisecond, func() { k.SetUp(false) })
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []string{
		`{"t":0,"where":"link h1.eth0<->sw1.p1","what":"drop","why":"mtu","len":200}`,
		`{"t":0,"where":"link h1.eth0<->sw1.p1","what":"deliver","why":"","len":64}`,
		`{"t":1000000,"where":"link h1.eth0<->sw1.p1","what":"state","why":"down","len":0}`,
	}, out.lines())
}

func TestLinkSendNoAlloc(t *testing.T) {
	cfg := LinkConfig{Latency: 10 * time.Microsecond, Jitter: 5 * time.Microsecond, Loss: 0.01,
		Burst: &GilbertElliott{P: 0.01, R: 0.3, LossBad: 1}, Bandwidth: 1_000_000_000, MTU: 1500, Duplicate: 0.01, Reorder: 0.01}
	l, k, _ := newTestLink(1, cfg)
	k.B().Attach(recvFunc(func([]byte) {}))
	f := testFrame(1000, 0)
	step := func() {
		k.A().Send(f)
		if err := l.Run(l.Now() + 10*time.Microsecond); err != nil {
			panic(err)
		}
	}
	for range 1000 {
		step()
	}
	assert.Zero(t, testing.AllocsPerRun(5000, step))
}

type nopReceiver struct{}

func (nopReceiver) Receive([]byte) {}

func BenchmarkLinkDeliver(b *testing.B) {
	for _, size := range []int{64, 1500} {
		b.Run(map[int]string{64: "64B", 1500: "1500B"}[size], func(b *testing.B) {
			l := NewLoop(1)
			k := NewLink(l, "h1.eth0<->sw1.p1", LinkConfig{Latency: 10 * time.Microsecond})
			k.B().Attach(nopReceiver{})
			f := testFrame(size, 0)
			for range 100 { // 100 frames in flight
				k.A().Send(f)
				l.now += 100 * time.Nanosecond
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				k.A().Send(f)
				l.step()
			}
		})
	}
}

// FuzzLinkSend sends arbitrary bytes over a link with arbitrary (clamped)
// impairments: nothing panics and every frame is either delivered or counted
// as dropped.
func FuzzLinkSend(f *testing.F) {
	f.Add(testFrame(64, 1), 1500, int64(0), 0.0, 0, int64(0))
	f.Add(testFrame(1600, 1), 1500, int64(10_000_000), 0.5, 2, int64(time.Millisecond))
	f.Add([]byte{0x81, 0x00}, -1, int64(-5), 2.0, -1, int64(-1))
	f.Add(testFrame(100, 1), 0, int64(1), 0.0, 1, int64(1<<63-1))
	f.Fuzz(func(t *testing.T, b []byte, mtu int, bw int64, loss float64, qlen int, lat int64) {
		l, k, r := newTestLink(1, LinkConfig{MTU: mtu, Bandwidth: bw, Loss: loss, QueueLen: qlen, Latency: time.Duration(lat) / 2, Jitter: time.Duration(lat)})
		for range 3 {
			k.A().Send(b)
		}
		if err := l.Run(l.Now() + time.Hour); err != nil {
			t.Fatal(err)
		}
		l.SetLimits(1000, 0)
		for l.Pending() > 0 { // huge latencies: drain without a clock limit
			if err := l.Run(1<<63 - 1); err != nil {
				t.Fatal(err)
			}
		}
		s := k.A().Stats()
		if got := uint64(len(r.got)) + s.Drops.Total(); got != 3 {
			t.Fatalf("delivered %d + dropped %d, want 3 frames accounted for", len(r.got), s.Drops.Total())
		}
	})
}

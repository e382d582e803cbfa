package sim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoopOrder(t *testing.T) {
	l := NewLoop(1)
	var got []string
	add := func(at time.Duration, name string) {
		l.At(at, func() { got = append(got, name) })
	}
	add(3*time.Millisecond, "c1")
	add(1*time.Millisecond, "a1")
	add(3*time.Millisecond, "c2")
	add(2*time.Millisecond, "b1")
	add(1*time.Millisecond, "a2")
	add(0, "z")
	l.At(2*time.Millisecond, func() {
		// Scheduled while running: after everything already due at 2 ms,
		// and "now" for a time in the past.
		add(2*time.Millisecond, "b3")
		add(time.Millisecond, "b4")
	})
	add(2*time.Millisecond, "b2")
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []string{"z", "a1", "a2", "b1", "b2", "b3", "b4", "c1", "c2"}, got)
	assert.Equal(t, time.Second, l.Now(), "Run leaves the clock at until")
	assert.Equal(t, uint64(10), l.Fired())
}

func TestLoopRunStopsAtUntil(t *testing.T) {
	l := NewLoop(1)
	var fired []time.Duration
	for _, at := range []time.Duration{time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond} {
		l.At(at, func() { fired = append(fired, l.Now()) })
	}
	require.NoError(t, l.Run(5*time.Millisecond))
	assert.Equal(t, []time.Duration{time.Millisecond, 5 * time.Millisecond}, fired)
	next, ok := l.NextAt()
	assert.True(t, ok)
	assert.Equal(t, 10*time.Millisecond, next)
	assert.Equal(t, 1, l.Pending())
}

func TestLoopRunUntil(t *testing.T) {
	l := NewLoop(1)
	n := 0
	var tick func()
	tick = func() { n++; l.After(time.Millisecond, tick) }
	l.At(0, tick)
	ok, err := l.RunUntil(time.Second, func() bool { return n == 5 })
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, 4*time.Millisecond, l.Now(), "stops right after the event that made cond true")

	ok, err = l.RunUntil(l.Now()+2500*time.Microsecond, func() bool { return n == 100 })
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, 6500*time.Microsecond, l.Now(), "a deadline that is not met leaves the clock there")
	assert.Equal(t, 7, n)
}

type recvFunc func([]byte)

func (f recvFunc) Receive(b []byte) { f(b) }

func TestLoopDeliverCopies(t *testing.T) {
	l := NewLoop(1)
	var got []byte
	var at time.Duration
	buf := []byte("hello")
	l.Deliver(time.Millisecond, recvFunc(func(b []byte) { got = append([]byte(nil), b...); at = l.Now() }), buf)
	copy(buf, "XXXXX") // the loop took a copy; the caller may reuse its buffer
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, "hello", string(got))
	assert.Equal(t, time.Millisecond, at)
}

func TestLoopDeliverSizes(t *testing.T) {
	l := NewLoop(1)
	var got []int
	r := recvFunc(func(b []byte) {
		got = append(got, len(b))
		for i, c := range b {
			if c != byte(i) {
				t.Fatalf("byte %d of a %d-byte frame is %d", i, len(b), c)
			}
		}
	})
	sizes := []int{0, 1, 128, 129, 1500, 2049, MaxFrame, MaxFrame + 100}
	for round := range 2 { // the second round reuses the buffers
		got = got[:0]
		for _, n := range sizes {
			f := make([]byte, n)
			for i := range f {
				f[i] = byte(i)
			}
			l.Deliver(l.Now(), r, f)
		}
		require.NoError(t, l.Run(l.Now()+time.Millisecond))
		assert.Equal(t, []int{0, 1, 128, 129, 1500, 2049, MaxFrame, MaxFrame}, got, "round %d", round)
	}
}

func TestTimer(t *testing.T) {
	type op struct {
		at    time.Duration
		reset time.Duration // Reset(reset) if >= 0
		stop  bool
	}
	tests := []struct {
		name string
		ops  []op
		want []time.Duration // firing times
	}{
		{"once", []op{{at: 0, reset: 5 * time.Millisecond}}, []time.Duration{5 * time.Millisecond}},
		{"pushed back", []op{{at: 0, reset: 5 * time.Millisecond}, {at: 2 * time.Millisecond, reset: 5 * time.Millisecond}}, []time.Duration{7 * time.Millisecond}},
		{"pulled in", []op{{at: 0, reset: 10 * time.Millisecond}, {at: time.Millisecond, reset: 2 * time.Millisecond}}, []time.Duration{3 * time.Millisecond}},
		{"stopped", []op{{at: 0, reset: 5 * time.Millisecond}, {at: time.Millisecond, reset: -1, stop: true}}, nil},
		{"stopped then rearmed later", []op{{at: 0, reset: 5 * time.Millisecond}, {at: time.Millisecond, reset: -1, stop: true}, {at: 2 * time.Millisecond, reset: 8 * time.Millisecond}}, []time.Duration{10 * time.Millisecond}},
		{"stopped then rearmed earlier", []op{{at: 0, reset: 5 * time.Millisecond}, {at: time.Millisecond, reset: -1, stop: true}, {at: 2 * time.Millisecond, reset: time.Millisecond}}, []time.Duration{3 * time.Millisecond}},
		{"rearmed after firing", []op{{at: 0, reset: time.Millisecond}, {at: 2 * time.Millisecond, reset: time.Millisecond}}, []time.Duration{time.Millisecond, 3 * time.Millisecond}},
		{"reset to zero", []op{{at: time.Millisecond, reset: 0}}, []time.Duration{time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLoop(1)
			var got []time.Duration
			tm := l.NewTimer(func() { got = append(got, l.Now()) })
			for _, o := range tc.ops {
				l.At(o.at, func() {
					if o.stop {
						tm.Stop()
					}
					if o.reset >= 0 {
						tm.Reset(o.reset)
					}
				})
			}
			require.NoError(t, l.Run(time.Second))
			assert.Equal(t, tc.want, got)
			armed, _ := tm.Armed()
			assert.False(t, armed)
			assert.Equal(t, uint64(len(tc.ops)+len(tc.want)), l.Fired(), "stale entries are not counted as events")
		})
	}
}

func TestTimerStopReports(t *testing.T) {
	l := NewLoop(1)
	tm := l.NewTimer(func() {})
	assert.False(t, tm.Stop())
	tm.Reset(time.Second)
	armed, when := tm.Armed()
	assert.True(t, armed)
	assert.Equal(t, time.Second, when)
	assert.True(t, tm.Stop())
	assert.False(t, tm.Stop())
}

// A timer pushed back keeps the sequence number of the Reset that armed it,
// so it fires before events scheduled for the same time after that Reset,
// and after events scheduled before it.
func TestTimerPushedBackKeepsOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		resetAt time.Duration // when the timer is pushed back to 10 ms
		want    []string
	}{
		{"reset before the other event was scheduled", time.Millisecond, []string{"timer", "fn"}},
		{"reset after the other event was scheduled", 6 * time.Millisecond, []string{"fn", "timer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLoop(1)
			var got []string
			tm := l.NewTimer(func() { got = append(got, "timer") })
			tm.Reset(8 * time.Millisecond)
			l.At(tc.resetAt, func() { tm.Reset(10*time.Millisecond - l.Now()) })
			l.At(5*time.Millisecond, func() { l.At(10*time.Millisecond, func() { got = append(got, "fn") }) })
			require.NoError(t, l.Run(time.Second))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestTimerPushBackDoesNotGrowQueue(t *testing.T) {
	l := NewLoop(1)
	fired := 0
	tm := l.NewTimer(func() { fired++ })
	var tick func()
	n := 0
	tick = func() {
		tm.Reset(time.Second) // like an RTO re-armed on every ACK
		if n++; n < 10000 {
			l.After(time.Microsecond, tick)
		}
	}
	l.At(0, tick)
	maxPending := 0
	for l.Pending() > 0 {
		require.NoError(t, l.Run(l.Now()+time.Millisecond))
		maxPending = max(maxPending, l.Pending())
	}
	assert.LessOrEqual(t, maxPending, 2)
	assert.Equal(t, 1, fired)
}

func TestLoopLimits(t *testing.T) {
	storm := func(l *Loop) {
		var f func()
		f = func() { l.After(time.Microsecond, f) }
		l.At(0, f)
	}
	t.Run("event limit", func(t *testing.T) {
		l := NewLoop(1)
		l.SetLimits(1000, 0)
		storm(l)
		err := l.Run(time.Hour)
		require.ErrorIs(t, err, ErrEventLimit)
		assert.Equal(t, uint64(1000), l.Fired())
		assert.Contains(t, err.Error(), "1000 events")
	})
	t.Run("time limit", func(t *testing.T) {
		l := NewLoop(1)
		l.SetLimits(0, time.Millisecond)
		storm(l)
		err := l.Run(time.Hour)
		require.ErrorIs(t, err, ErrTimeLimit)
		assert.Equal(t, time.Millisecond, l.Now())
		assert.Equal(t, uint64(1001), l.Fired(), "events at 0..1ms inclusive ran")
	})
	t.Run("time limit on an idle loop", func(t *testing.T) {
		l := NewLoop(1)
		l.SetLimits(0, time.Second)
		require.ErrorIs(t, l.Run(2*time.Second), ErrTimeLimit)
		assert.Equal(t, time.Second, l.Now())
		require.NoError(t, NewLoop(1).Run(2*time.Second), "no limit set")
	})
	t.Run("RunUntil event limit", func(t *testing.T) {
		l := NewLoop(1)
		l.SetLimits(50, 0)
		storm(l)
		ok, err := l.RunUntil(time.Hour, func() bool { return false })
		assert.False(t, ok)
		require.ErrorIs(t, err, ErrEventLimit)
	})
	t.Run("RunUntil time limit", func(t *testing.T) {
		l := NewLoop(1)
		l.SetLimits(0, time.Millisecond)
		ok, err := l.RunUntil(time.Hour, func() bool { return false })
		assert.False(t, ok)
		require.ErrorIs(t, err, ErrTimeLimit)
		assert.Equal(t, time.Millisecond, l.Now())
	})
}

func TestRandStreams(t *testing.T) {
	draw := func(l *Loop, names ...string) map[string][3]uint64 {
		out := map[string][3]uint64{}
		rs := map[string]interface{ Uint64() uint64 }{}
		for _, n := range names {
			rs[n] = l.Rand(n)
		}
		for _, n := range names {
			r := rs[n]
			out[n] = [3]uint64{r.Uint64(), r.Uint64(), r.Uint64()}
		}
		return out
	}
	ab := draw(NewLoop(7), "link/a", "link/b", "host/h1")
	ba := draw(NewLoop(7), "host/h1", "link/b", "link/a")
	assert.Equal(t, ab, ba, "streams do not depend on creation order")
	assert.NotEqual(t, ab["link/a"], ab["link/b"], "names give different streams")
	other := draw(NewLoop(8), "link/a")
	assert.NotEqual(t, ab["link/a"], other["link/a"], "seeds give different streams")
}

func TestLoopEpoch(t *testing.T) {
	l := NewLoop(1)
	assert.Equal(t, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), l.Epoch())
	require.NoError(t, l.Run(1500*time.Millisecond))
	assert.Equal(t, Epoch.Add(1500*time.Millisecond), l.Time())
	assert.NotNil(t, l.Trace())
}

func TestLoopEventNoAlloc(t *testing.T) {
	l := NewLoop(1)
	fn := func() {}
	tm := l.NewTimer(fn)
	r := recvFunc(func([]byte) {})
	frame := make([]byte, 100)
	for range 100 { // warm up the queue and buffer pool
		l.After(time.Microsecond, fn)
		l.Deliver(l.Now()+time.Microsecond, r, frame)
	}
	require.NoError(t, l.Run(time.Second))
	allocs := testing.AllocsPerRun(1000, func() {
		l.After(time.Microsecond, fn)
		l.Deliver(l.Now()+time.Microsecond, r, frame)
		tm.Reset(time.Microsecond)
		if err := l.Run(l.Now() + time.Microsecond); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkLoopEvent(b *testing.B) {
	// A queue of 1000 pending events; each op pushes one at a pseudo-random
	// offset and pops the earliest.
	l := NewLoop(1)
	fn := func() {}
	x := uint64(1)
	next := func() time.Duration {
		x = x*6364136223846793005 + 1442695040888963407
		return time.Duration(x >> 44) // up to ~1 ms
	}
	for range 1000 {
		l.After(next(), fn)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.After(next(), fn)
		l.step()
	}
}

// TestFIFOKeepsOrder mixes events due now (taken by the FIFO) with heap
// events at the same instant and re-armed timers, and checks the firing
// order is exactly (time, sequence).
func TestFIFOKeepsOrder(t *testing.T) {
	l := NewLoop(1)
	var got []string
	rec := func(s string) func() { return func() { got = append(got, s) } }
	l.At(10, func() {
		got = append(got, "a")
		l.At(10, rec("c"))   // due now: FIFO
		l.At(11, rec("e"))   // later: heap
		l.After(0, rec("d")) // due now: FIFO, after c
	})
	l.At(10, rec("b")) // queued before time 10: heap, runs before c and d
	tm := l.NewTimer(rec("f"))
	l.At(11, func() { got = append(got, "e2"); tm.Reset(0) })
	if err := l.Run(20); err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c", "d", "e2", "e", "f"} // e2 was queued before the run: lower sequence than e
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestFIFOCompaction runs a long burst at one instant.
func TestFIFOCompaction(t *testing.T) {
	l := NewLoop(1)
	n := 0
	var chain func()
	chain = func() {
		n++
		if n < 20000 {
			l.After(0, chain)
			l.After(0, func() {})
		}
	}
	l.At(5, chain)
	if err := l.Run(5); err != nil {
		t.Fatal(err)
	}
	if n != 20000 || l.Pending() != 0 {
		t.Fatalf("ran %d, %d pending", n, l.Pending())
	}
	if cap(l.fifo) > 40000 {
		t.Errorf("fifo grew to %d entries for a queue of at most 2", cap(l.fifo))
	}
}

// TestQueueCap: a flood that queues more events than the limit ends the run
// with ErrEventLimit before memory does.
func TestQueueCap(t *testing.T) {
	l := NewLoop(1)
	l.SetLimits(1000, 0)
	l.At(1, func() {
		for range 5000 {
			l.Deliver(2, nopReceiver{}, make([]byte, 60))
		}
	})
	err := l.Run(10)
	if !errors.Is(err, ErrEventLimit) || !strings.Contains(err.Error(), "queued at once") {
		t.Fatalf("got %v, want the queue cap", err)
	}
	if l.Pending() > 1000 {
		t.Errorf("%d events queued, cap 1000", l.Pending())
	}
}

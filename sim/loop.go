package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// Receiver accepts a frame delivered by the loop. The frame is borrowed for
// the call; a receiver that keeps it must copy it.
type Receiver interface {
	Receive(frame []byte)
}

// Errors returned by Run when a limit is hit.
var (
	ErrEventLimit = errors.New("sim: event limit reached")
	ErrTimeLimit  = errors.New("sim: virtual time limit reached")
)

// event is one pending event. Exactly one of fn, timer or recv is set.
type event struct {
	at    time.Duration
	seq   uint64
	fn    func()
	timer *Timer
	gen   uint64
	recv  Receiver
	buf   []byte // the frame; its capacity is one of bufClasses
}

// qkey is an entry of the priority queue: the ordering key and the slot of
// the event in Loop.ev. Keeping the heap to 24-byte keys makes sifting
// cheap; the event itself is written once and read once.
type qkey struct {
	at   time.Duration
	seq  uint64
	slot int
}

// MaxFrame is the largest frame the loop carries (a 9000-byte jumbo payload
// plus headers and two VLAN tags, rounded up).
const MaxFrame = 9216

// bufClasses are the capacities of the loop's frame buffers: a frame in
// flight holds the smallest that fits, so that a flood of small frames (ARP,
// TCP ACKs) does not pin a jumbo-sized buffer each.
var bufClasses = [...]int{128, 512, 2048, MaxFrame}

// Loop is a discrete-event kernel: it owns virtual time, the queue of
// pending events ordered by (time, sequence), and the seeded random streams.
// It is not safe for concurrent use: everything it drives runs on the
// goroutine that calls Run.
type Loop struct {
	now      time.Duration
	seq      uint64
	q        []qkey  // 4-ary min-heap on (at, seq)
	fifo     []qkey  // events due now, in sequence order: no heap work for them
	fhead    int     // first live entry of fifo
	ev       []event // event slots, indexed by qkey.slot
	freeEv   []int   // free slots of ev
	seed     uint64
	fired    uint64
	maxEvent uint64
	// maxQueued caps Pending (0: no cap); overflow is set when an event had
	// to be refused, which ends the run with ErrEventLimit.
	maxQueued int
	overflow  bool
	maxTime   time.Duration
	free      [len(bufClasses)][][]byte // recycled frame buffers per class
	cur       uint64                    // sequence number of the event being fired
	trace     *Trace
}

// Epoch is the wall-clock instant that virtual time 0 maps to in captures
// and logs. It is fixed so that output does not depend on when a run
// happens.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// NewLoop returns a loop at virtual time 0 whose random streams derive from
// seed, with an empty trace.
func NewLoop(seed uint64) *Loop {
	return &Loop{seed: seed, trace: NewTrace()}
}

// Trace returns the loop's trace, which links (and anything else driven by
// the loop) record their deliveries and drops into.
func (l *Loop) Trace() *Trace { return l.trace }

// Epoch returns the wall-clock instant of virtual time 0 (the package's
// Epoch).
func (l *Loop) Epoch() time.Time { return Epoch }

// Time returns the current virtual time as a wall-clock instant: Epoch plus
// Now.
func (l *Loop) Time() time.Time { return Epoch.Add(l.now) }

// Seed returns the loop's seed.
func (l *Loop) Seed() uint64 { return l.seed }

// Now returns the current virtual time since the start of the run.
func (l *Loop) Now() time.Duration { return l.now }

// Fired returns how many events have run so far.
func (l *Loop) Fired() uint64 { return l.fired }

// Pending returns the number of queued events (cancelled timers included
// until they reach the head of the queue).
func (l *Loop) Pending() int { return len(l.q) + len(l.fifo) - l.fhead }

// DefaultMaxQueued caps the events waiting in the queue at once, whatever
// the event limit: with small frames in flight, about 800 MB at the peak.
const DefaultMaxQueued = 2_000_000

// SetLimits caps the run: Run fails with ErrEventLimit after maxEvents events
// and with ErrTimeLimit once virtual time would pass maxTime. Zero means no
// cap. The queue is capped too, at maxEvents or DefaultMaxQueued, whichever
// is lower: a storm queues a flood of deliveries at one instant, and memory
// must run out no sooner than the event budget.
func (l *Loop) SetLimits(maxEvents uint64, maxTime time.Duration) {
	l.maxEvent, l.maxTime = maxEvents, maxTime
	l.maxQueued = DefaultMaxQueued
	if maxEvents > 0 && maxEvents < DefaultMaxQueued {
		l.maxQueued = int(maxEvents)
	}
}

// Rand returns a random stream for the named component. The same seed and
// name always give the same stream, independent of creation order.
func (l *Loop) Rand(component string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(component))
	return rand.New(rand.NewPCG(l.seed, h.Sum64()))
}

// At schedules fn at virtual time t (or now, if t is in the past).
func (l *Loop) At(t time.Duration, fn func()) {
	l.push(event{at: t, fn: fn})
}

// After schedules fn d after now.
func (l *Loop) After(d time.Duration, fn func()) { l.At(l.now+d, fn) }

// Deliver schedules a delivery of a copy of frame to r at virtual time t.
// frame is borrowed for the call; the copy lives in a loop-owned buffer that
// is recycled after r.Receive returns. Frames longer than MaxFrame are
// truncated to it.
func (l *Loop) Deliver(t time.Duration, r Receiver, frame []byte) {
	if len(frame) > MaxFrame {
		frame = frame[:MaxFrame]
	}
	buf := l.getBuf(len(frame))
	copy(buf, frame)
	l.push(event{at: t, recv: r, buf: buf})
}

// getBuf returns a buffer of length n from the smallest class that fits.
func (l *Loop) getBuf(n int) []byte {
	c := 0
	for bufClasses[c] < n {
		c++
	}
	if k := len(l.free[c]); k > 0 {
		b := l.free[c][k-1]
		l.free[c] = l.free[c][:k-1]
		return b[:n]
	}
	return make([]byte, n, bufClasses[c])
}

// putBuf recycles a buffer from getBuf.
func (l *Loop) putBuf(b []byte) {
	c := 0
	for bufClasses[c] < cap(b) {
		c++
	}
	l.free[c] = append(l.free[c], b)
}

// Timer is a restartable one-shot callback. Reset and Stop do not allocate.
//
// A timer keeps at most one live entry in the loop's queue for a given
// deadline: re-arming it to a later time (the usual case for retransmission
// and aging timers pushed back on every packet) reuses the pending entry,
// which re-queues itself when it comes due early. Only re-arming to an
// earlier time queues a new entry. Ordering is unaffected: a firing keeps the
// sequence number of the Reset that armed it.
type Timer struct {
	l      *Loop
	fn     func()
	gen    uint64        // generation of the live queue entry
	armed  bool          // the timer will fire at when
	when   time.Duration // deadline of the current arming
	seq    uint64        // sequence number of the current arming
	queued bool          // a live entry (gen) is in the queue
	qat    time.Duration // time of the live entry
}

// NewTimer returns a stopped timer that runs fn when it fires.
func (l *Loop) NewTimer(fn func()) *Timer { return &Timer{l: l, fn: fn} }

// Reset (re)arms the timer to fire d after now, cancelling any pending
// firing. A negative d fires it now (after the events already due now).
func (t *Timer) Reset(d time.Duration) {
	l := t.l
	when := l.now + max(d, 0)
	l.seq++
	t.seq = l.seq
	t.when = when
	t.armed = true
	if t.queued && t.qat <= when {
		return // the live entry fires first and re-queues itself at when
	}
	t.gen++
	t.queued = true
	t.qat = when
	l.insert(event{at: when, seq: t.seq, timer: t, gen: t.gen})
}

// Stop cancels a pending firing and reports whether one was pending.
func (t *Timer) Stop() bool {
	was := t.armed
	t.armed = false
	return was
}

// Armed reports whether the timer will fire, and when.
func (t *Timer) Armed() (bool, time.Duration) { return t.armed, t.when }

// fire handles the timer's queue entry e: it runs the callback if e is the
// current arming, re-queues the entry if the timer was pushed back, and
// otherwise drops the entry. Only a callback counts as a fired event.
func (t *Timer) fire(e *event) {
	if e.gen != t.gen {
		return // superseded by an earlier deadline
	}
	t.queued = false
	if !t.armed {
		return
	}
	if t.when != e.at || t.seq != e.seq {
		// Pushed back since this entry was queued: queue it again at the
		// new deadline with the arming's own sequence number.
		t.queued = true
		t.qat = t.when
		t.l.insert(event{at: t.when, seq: t.seq, timer: t, gen: t.gen})
		return
	}
	t.armed = false
	t.l.fired++
	t.fn()
}

// push queues e with the next sequence number, at now if e.at is in the
// past.
func (l *Loop) push(e event) {
	if e.at < l.now {
		e.at = l.now
	}
	l.seq++
	e.seq = l.seq
	l.insert(e)
}

// insert queues e as it is (time and sequence already set), unless the
// queue is full: then the event is dropped and the run ends at the next
// limit check.
func (l *Loop) insert(e event) {
	if l.maxQueued > 0 && l.Pending() >= l.maxQueued {
		l.overflow = true
		if e.buf != nil {
			l.putBuf(e.buf)
		}
		return
	}
	var slot int
	if n := len(l.freeEv); n > 0 {
		slot = l.freeEv[n-1]
		l.freeEv = l.freeEv[:n-1]
		l.ev[slot] = e
	} else {
		slot = len(l.ev)
		l.ev = append(l.ev, e)
	}
	k := qkey{at: e.at, seq: e.seq, slot: slot}
	// Most events of a busy simulation are due now (zero-latency links,
	// floods): a FIFO takes them in O(1). It stays sorted by sequence, so
	// merging it with the heap in pop keeps the (time, sequence) order.
	if e.at == l.now && (len(l.fifo) == l.fhead || l.fifo[len(l.fifo)-1].seq < e.seq) {
		l.fifo = append(l.fifo, k)
		return
	}
	l.q = append(l.q, k)
	l.up(len(l.q) - 1)
}

// head returns the key of the next event, from the FIFO or the heap.
func (l *Loop) head() (*qkey, bool) {
	hasF := len(l.fifo) > l.fhead
	if len(l.q) == 0 {
		if !hasF {
			return nil, false
		}
		return &l.fifo[l.fhead], true
	}
	if hasF && l.fifo[l.fhead].less(&l.q[0]) {
		return &l.fifo[l.fhead], true
	}
	return &l.q[0], true
}

func (a *qkey) less(b *qkey) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// The queue is a 4-ary min-heap of keys: shallower than a binary heap and
// no per-event allocation. Sifting moves a hole instead of swapping.
func (l *Loop) up(i int) {
	q := l.q
	k := q[i]
	for i > 0 {
		p := (i - 1) / 4
		if !k.less(&q[p]) {
			break
		}
		q[i] = q[p]
		i = p
	}
	q[i] = k
}

func (l *Loop) down(i int) {
	q := l.q
	n := len(q)
	k := q[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if q[j].less(&q[m]) {
				m = j
			}
		}
		if !q[m].less(&k) {
			break
		}
		q[i] = q[m]
		i = m
	}
	q[i] = k
}

// pop removes the earliest event from the queue and returns it. The queue
// must not be empty.
func (l *Loop) pop() event {
	var slot int
	if len(l.fifo) > l.fhead && (len(l.q) == 0 || l.fifo[l.fhead].less(&l.q[0])) {
		slot = l.fifo[l.fhead].slot
		l.fhead++
		switch {
		case l.fhead == len(l.fifo):
			l.fifo, l.fhead = l.fifo[:0], 0
		case l.fhead >= 4096 && 2*l.fhead >= len(l.fifo):
			// A long burst at one instant: drop the consumed prefix.
			n := copy(l.fifo, l.fifo[l.fhead:])
			l.fifo, l.fhead = l.fifo[:n], 0
		}
	} else {
		q := l.q
		slot = q[0].slot
		n := len(q) - 1
		q[0] = q[n]
		l.q = q[:n]
		if n > 0 {
			l.down(0)
		}
	}
	e := l.ev[slot]
	l.ev[slot] = event{} // drop references for the collector
	l.freeEv = append(l.freeEv, slot)
	return e
}

// NextAt returns the time of the earliest queued event.
func (l *Loop) NextAt() (time.Duration, bool) {
	k, ok := l.head()
	if !ok {
		return 0, false
	}
	return k.at, true
}

// due reports whether an event is queued at or before t.
func (l *Loop) due(t time.Duration) bool {
	k, ok := l.head()
	return ok && k.at <= t
}

// Run fires events in order until the queue is empty or the next event is
// later than until; then virtual time is set to until (if it was reached
// without a limit). It returns ErrEventLimit or ErrTimeLimit (wrapped with
// the time and count) if a limit stops it first; asking to run past the time
// limit is an ErrTimeLimit once the events up to the limit have run.
func (l *Loop) Run(until time.Duration) error {
	for l.due(until) {
		if err := l.checkLimits(); err != nil {
			return err
		}
		l.step()
	}
	if err := l.checkEnd(until); err != nil {
		return err
	}
	if until > l.now {
		l.now = until
	}
	return nil
}

// RunUntil fires events until cond returns true (checked first and after
// every event), the queue empties or virtual time passes deadline; then
// virtual time is set to deadline. It reports whether cond became true. A
// limit stops it with an error, as for Run.
func (l *Loop) RunUntil(deadline time.Duration, cond func() bool) (bool, error) {
	if cond() {
		return true, nil
	}
	for l.due(deadline) {
		if err := l.checkLimits(); err != nil {
			return false, err
		}
		l.step()
		if cond() {
			return true, nil
		}
	}
	if err := l.checkEnd(deadline); err != nil {
		return false, err
	}
	if deadline > l.now {
		l.now = deadline
	}
	return false, nil
}

// checkLimits reports whether firing the head of the queue would break a
// limit.
func (l *Loop) checkLimits() error {
	if l.overflow {
		return fmt.Errorf("%w: more than %d events queued at once at virtual time %v", ErrEventLimit, l.maxQueued, l.now)
	}
	if k, _ := l.head(); l.maxTime > 0 && k.at > l.maxTime {
		l.now = max(l.now, l.maxTime)
		return l.timeLimitErr()
	}
	if l.maxEvent > 0 && l.fired >= l.maxEvent {
		return fmt.Errorf("%w (%d events) at virtual time %v", ErrEventLimit, l.maxEvent, l.now)
	}
	return nil
}

// checkEnd reports whether advancing the clock to end would pass the time
// limit.
func (l *Loop) checkEnd(end time.Duration) error {
	if l.maxTime > 0 && end > l.maxTime {
		l.now = max(l.now, l.maxTime)
		return l.timeLimitErr()
	}
	return nil
}

func (l *Loop) timeLimitErr() error {
	return fmt.Errorf("%w (%v) after %d events", ErrTimeLimit, l.maxTime, l.fired)
}

func (l *Loop) step() {
	e := l.pop()
	l.now = e.at
	l.cur = e.seq
	switch {
	case e.timer != nil:
		e.timer.fire(&e)
	case e.recv != nil:
		l.fired++
		e.recv.Receive(e.buf)
		l.putBuf(e.buf)
	default:
		l.fired++
		e.fn()
	}
}

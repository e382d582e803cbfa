package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// Drop reasons a link records in the trace (Event.Why) and counts in
// LinkDrops.
const (
	DropDown       = "down"       // the link was down when the frame was sent or while it was in flight
	DropLoss       = "loss"       // random or burst loss on the wire
	DropQueue      = "queue"      // the transmit queue was full (drop-tail)
	DropMTU        = "mtu"        // the payload exceeds the link's MTU
	DropOversize   = "oversize"   // the frame exceeds MaxFrame
	DropUnattached = "unattached" // nothing is attached to the receiving end
)

// Default values of LinkConfig fields left zero.
const (
	DefaultQueueLen = 100
	// DefaultReorderHold is how long a reordered frame is held back on a
	// link without latency and jitter, where Latency+Jitter would be zero.
	DefaultReorderHold = time.Millisecond
	// MaxLinkDelay bounds Latency and Jitter, so that arrival times cannot
	// overflow.
	MaxLinkDelay = 1000 * time.Hour
)

// ErrLinkConfig is wrapped by LinkConfig.Validate for out-of-range values.
var ErrLinkConfig = errors.New("sim: invalid link config")

// GilbertElliott is a two-state burst-loss model: in the good state frames
// are lost with probability LossGood, in the bad state with LossBad; after
// each frame the good state turns bad with probability P and the bad state
// turns good with probability R. With LossBad 1 the mean burst length is
// 1/R frames. Netem's gemodel loses every frame in the bad state by
// default; here the zero value is taken literally (no loss in the bad
// state), so callers wanting netem's default set LossBad to 1.
type GilbertElliott struct {
	P        float64 // good → bad, per frame
	R        float64 // bad → good, per frame
	LossGood float64 // loss probability in the good state (default 0)
	LossBad  float64 // loss probability in the bad state (0 is no loss)
}

// LinkConfig describes the impairments of a link. They apply to each
// direction separately.
type LinkConfig struct {
	// Latency is the propagation delay. Jitter adds a delay drawn uniformly
	// from [-Jitter, +Jitter] per frame (the total never below 0) without
	// reordering: a frame never arrives before the one sent before it,
	// unless Reorder picks it.
	Latency, Jitter time.Duration
	// Loss is the probability that a frame is lost on the wire.
	Loss float64
	// Burst adds Gilbert-Elliott burst loss when not nil.
	Burst *GilbertElliott
	// Bandwidth in bits per second (0 = unlimited): a frame takes
	// len*8/Bandwidth to serialize and waits behind earlier frames.
	Bandwidth int64
	// QueueLen is the number of frames that may wait behind the one being
	// serialized when Bandwidth > 0; more are dropped (drop-tail). 0 means
	// DefaultQueueLen.
	QueueLen int
	// MTU is the largest Ethernet payload (after the 14-byte header, 18 if
	// tagged) the link carries; 0 = unlimited.
	MTU int
	// Duplicate is the probability that a frame is delivered twice.
	Duplicate float64
	// Reorder is the probability that a frame is held back by an extra
	// Latency+Jitter (DefaultReorderHold if both are zero) so that later
	// frames overtake it.
	Reorder float64
}

// Validate reports the first out-of-range value of c, wrapping
// ErrLinkConfig.
func (c LinkConfig) Validate() error {
	prob := func(name string, p float64) error {
		if !(p >= 0 && p <= 1) { // also rejects NaN
			return fmt.Errorf("%w: %s %v not in [0, 1]", ErrLinkConfig, name, p)
		}
		return nil
	}
	switch {
	case c.Latency < 0 || c.Latency > MaxLinkDelay:
		return fmt.Errorf("%w: latency %v not in [0, %v]", ErrLinkConfig, c.Latency, MaxLinkDelay)
	case c.Jitter < 0 || c.Jitter > MaxLinkDelay:
		return fmt.Errorf("%w: jitter %v not in [0, %v]", ErrLinkConfig, c.Jitter, MaxLinkDelay)
	case c.Bandwidth < 0:
		return fmt.Errorf("%w: negative bandwidth %d", ErrLinkConfig, c.Bandwidth)
	case c.QueueLen < 0:
		return fmt.Errorf("%w: negative queue length %d", ErrLinkConfig, c.QueueLen)
	case c.MTU < 0:
		return fmt.Errorf("%w: negative MTU %d", ErrLinkConfig, c.MTU)
	}
	if err := prob("loss", c.Loss); err != nil {
		return err
	}
	if err := prob("duplicate", c.Duplicate); err != nil {
		return err
	}
	if err := prob("reorder", c.Reorder); err != nil {
		return err
	}
	if g := c.Burst; g != nil {
		for _, p := range []struct {
			name string
			v    float64
		}{{"burst p", g.P}, {"burst r", g.R}, {"burst loss-good", g.LossGood}, {"burst loss-bad", g.LossBad}} {
			if err := prob(p.name, p.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// normalize clamps c into range, so that a link never misbehaves on a value
// Validate would reject, and fills in defaults.
func (c LinkConfig) normalize() (LinkConfig, GilbertElliott, bool) {
	clampProb := func(p float64) float64 {
		if !(p > 0) { // NaN too
			return 0
		}
		return min(p, 1)
	}
	c.Latency = min(max(c.Latency, 0), MaxLinkDelay)
	c.Jitter = min(max(c.Jitter, 0), MaxLinkDelay)
	c.Bandwidth = max(c.Bandwidth, 0)
	c.MTU = max(c.MTU, 0)
	if c.QueueLen <= 0 {
		c.QueueLen = DefaultQueueLen
	}
	c.Loss = clampProb(c.Loss)
	c.Duplicate = clampProb(c.Duplicate)
	c.Reorder = clampProb(c.Reorder)
	var ge GilbertElliott
	hasGE := c.Burst != nil
	if hasGE {
		ge = *c.Burst
		ge.P, ge.R = clampProb(ge.P), clampProb(ge.R)
		ge.LossGood = clampProb(ge.LossGood)
		ge.LossBad = clampProb(ge.LossBad)
	}
	c.Burst = nil
	return c, ge, hasGE
}

// LinkDrops counts the frames a link dropped, by reason. Drops are counted
// at the end that sent the frame.
type LinkDrops struct {
	Down, Loss, Queue, MTU, Oversize, Unattached uint64
}

// Total returns the sum of all drop counters.
func (d LinkDrops) Total() uint64 {
	return d.Down + d.Loss + d.Queue + d.MTU + d.Oversize + d.Unattached
}

// LinkStats are the counters of one link end. Tx counts frames this end put
// on the wire (including those later lost there), Rx frames delivered to
// this end's receiver (duplicates included).
type LinkStats struct {
	TxFrames, TxBytes uint64
	RxFrames, RxBytes uint64
	Duplicated        uint64 // frames sent from this end delivered twice
	Reordered         uint64 // frames sent from this end held back
	Drops             LinkDrops
}

// Link is a full-duplex point-to-point link between two ends, each
// direction with its own serialization, queue and random stream. It is not
// safe for concurrent use; it runs on its loop's goroutine.
type Link struct {
	l     *Loop
	name  string
	where string // "link " + name, for the trace
	cfg   LinkConfig
	ge    GilbertElliott
	hasGE bool
	hold  time.Duration // reorder hold-back
	up    bool
	a, b  LinkEnd
	ab    direction
	ba    direction
}

// LinkEnd is one end of a link: a NIC or switch port attaches to it to
// receive frames and sends through it to the other end.
type LinkEnd struct {
	k       *Link
	name    string
	peer    *LinkEnd
	out     *direction // frames sent from this end
	recv    Receiver
	carrier []func(up bool)
	caps    []captureRef
	stats   LinkStats
}

type captureRef struct {
	c   *Capture
	ifc int
}

// direction is the transmit side of one end: serialization, queue, burst
// state, random stream. It is the Receiver the loop delivers its frames to.
type direction struct {
	k    *Link
	from *LinkEnd
	to   *LinkEnd
	rng  *rand.Rand
	bad  bool // Gilbert-Elliott state

	busyUntil   time.Duration   // the transmitter is serializing until then
	lastArrival time.Duration   // arrival of the last in-order frame (FIFO)
	txEnds      []time.Duration // ring: serialization end of frames in the system
	head, n     int
	// cut is the loop sequence number at the last time the link went down:
	// frames scheduled up to it were in flight then and are dropped.
	cut uint64
}

// NewLink returns a link named name on loop l, up, with the impairments of
// cfg (out-of-range values are clamped; see LinkConfig.Validate). A name of
// the form "x<->y" names the ends x and y; otherwise they are name+"/a" and
// name+"/b". The randomness of each direction comes from
// l.Rand("link/"+name+"/a") (A to B) and "/b" (B to A), so the same seed
// gives the same losses whatever else the simulation contains.
func NewLink(l *Loop, name string, cfg LinkConfig) *Link {
	k := &Link{l: l, name: name, where: "link " + name, up: true}
	an, bn, ok := strings.Cut(name, "<->")
	if !ok {
		an, bn = name+"/a", name+"/b"
	}
	k.a = LinkEnd{k: k, name: an, out: &k.ab}
	k.b = LinkEnd{k: k, name: bn, out: &k.ba}
	k.a.peer, k.b.peer = &k.b, &k.a
	k.ab = direction{k: k, from: &k.a, to: &k.b, rng: l.Rand("link/" + name + "/a")}
	k.ba = direction{k: k, from: &k.b, to: &k.a, rng: l.Rand("link/" + name + "/b")}
	k.SetConfig(cfg)
	return k
}

// A returns the first end of the link.
func (k *Link) A() *LinkEnd { return &k.a }

// B returns the second end of the link.
func (k *Link) B() *LinkEnd { return &k.b }

// Name returns the link's name.
func (k *Link) Name() string { return k.name }

// Up reports whether the link is up.
func (k *Link) Up() bool { return k.up }

// Config returns the link's current (normalized) configuration.
func (k *Link) Config() LinkConfig {
	c := k.cfg
	if k.hasGE {
		ge := k.ge
		c.Burst = &ge
	}
	return c
}

// SetConfig changes the link's impairments; frames already in flight keep
// their timing, later frames get the new one. The burst-loss state and the
// transmit queues are kept.
func (k *Link) SetConfig(cfg LinkConfig) {
	k.cfg, k.ge, k.hasGE = cfg.normalize()
	k.hold = k.cfg.Latency + k.cfg.Jitter
	if k.hold == 0 {
		k.hold = DefaultReorderHold
	}
	// The ring of transmission end times is only needed to serialize
	// frames: an unlimited link keeps none (it matters with 100k links).
	ring := 0
	if k.cfg.Bandwidth > 0 {
		ring = k.cfg.QueueLen + 1
	}
	k.ab.resize(ring)
	k.ba.resize(ring)
}

// Capture mirrors the frames leaving and arriving at both ends into c (two
// interfaces, A's then B's); nil stops all captures of both ends.
func (k *Link) Capture(c *Capture) {
	k.a.Capture(c)
	k.b.Capture(c)
}

// SetUp brings the link up or down. While down, frames sent are dropped
// with DropDown, and so are frames that were in flight when it went down
// (when they would have arrived). A change of state is recorded in the
// trace and reported to the OnCarrier callbacks of end A, then end B,
// synchronously.
func (k *Link) SetUp(up bool) {
	if up == k.up {
		return
	}
	k.up = up
	if !up {
		k.ab.reset()
		k.ba.reset()
	}
	why := "up"
	if !up {
		why = "down"
	}
	k.l.trace.Record(Event{Time: k.l.now, Where: k.where, What: "state", Why: why})
	for _, e := range []*LinkEnd{&k.a, &k.b} {
		for _, fn := range e.carrier {
			fn(up)
		}
	}
}

// Link returns the link this end belongs to.
func (e *LinkEnd) Link() *Link { return e.k }

// Name returns the end's name, e.g. "h1.eth0".
func (e *LinkEnd) Name() string { return e.name }

// Peer returns the other end of the link.
func (e *LinkEnd) Peer() *LinkEnd { return e.peer }

// Stats returns the end's counters.
func (e *LinkEnd) Stats() LinkStats { return e.stats }

// Attach makes r receive the frames arriving at this end, replacing any
// earlier receiver; nil detaches (arriving frames are then dropped with
// DropUnattached).
func (e *LinkEnd) Attach(r Receiver) { e.recv = r }

// OnCarrier registers fn to be called with the new state when the link
// goes down or up. Callbacks run in registration order.
func (e *LinkEnd) OnCarrier(fn func(up bool)) { e.carrier = append(e.carrier, fn) }

// Capture mirrors the frames leaving this end (when put on the wire) and
// arriving at it (when delivered) into c, on an interface named after the
// end. Several captures may watch one end; nil stops them all.
func (e *LinkEnd) Capture(c *Capture) {
	if c == nil {
		e.caps = nil
		return
	}
	e.caps = append(e.caps, captureRef{c: c, ifc: c.AddInterface(e.name)})
}

// Send transmits frame toward the other end. frame is borrowed for the
// call. Send satisfies vswitch.Port.
func (e *LinkEnd) Send(frame []byte) {
	k, d := e.k, e.out
	l := k.l
	now := l.now
	n := len(frame)
	switch {
	case !k.up:
		d.drop(DropDown, frame)
		return
	case n > MaxFrame:
		d.drop(DropOversize, frame)
		return
	case k.cfg.MTU > 0 && payloadLen(frame) > k.cfg.MTU:
		d.drop(DropMTU, frame)
		return
	}
	done := now // when the last bit is on the wire
	if bw := k.cfg.Bandwidth; bw > 0 {
		d.expire(now)
		if d.n > k.cfg.QueueLen {
			d.drop(DropQueue, frame)
			return
		}
		done = max(now, d.busyUntil) + time.Duration(int64(n)*8*int64(time.Second)/bw)
		d.busyUntil = done
		d.pushTx(done)
	}
	e.stats.TxFrames++
	e.stats.TxBytes += uint64(n)
	for _, c := range e.caps {
		c.c.WritePacket(c.ifc, now, frame)
	}
	if d.lost() {
		d.drop(DropLoss, frame)
		return
	}
	at := done + k.cfg.Latency
	if j := k.cfg.Jitter; j > 0 {
		at = max(done, at+time.Duration(d.rng.Int64N(2*int64(j)+1))-j)
	}
	at = max(at, d.lastArrival)
	if k.cfg.Reorder > 0 && d.rng.Float64() < k.cfg.Reorder {
		at += k.hold // and later frames need not wait for it
		e.stats.Reordered++
	} else {
		d.lastArrival = at
	}
	l.Deliver(at, d, frame)
	if k.cfg.Duplicate > 0 && d.rng.Float64() < k.cfg.Duplicate {
		l.Deliver(at, d, frame)
		e.stats.Duplicated++
	}
}

// payloadLen returns the length of the Ethernet payload of f (0 for a runt).
func payloadLen(f []byte) int {
	eth := frame.Ethernet(f)
	if !eth.Valid() {
		return 0
	}
	return len(f) - eth.HeaderLen()
}

// lost draws the fate of a frame on the wire: random loss, then burst loss
// (which advances the Gilbert-Elliott state for every frame).
func (d *direction) lost() bool {
	k := d.k
	lost := k.cfg.Loss > 0 && d.rng.Float64() < k.cfg.Loss
	if k.hasGE {
		p := k.ge.LossGood
		if d.bad {
			p = k.ge.LossBad
		}
		if p > 0 && d.rng.Float64() < p {
			lost = true
		}
		if d.bad {
			d.bad = d.rng.Float64() >= k.ge.R
		} else {
			d.bad = d.rng.Float64() < k.ge.P
		}
	}
	return lost
}

// Receive is the loop's delivery of a frame sent through d.
func (d *direction) Receive(frame []byte) {
	k := d.k
	if !k.up || k.l.cur <= d.cut {
		d.drop(DropDown, frame)
		return
	}
	to := d.to
	if to.recv == nil {
		d.drop(DropUnattached, frame)
		return
	}
	l := k.l
	to.stats.RxFrames++
	to.stats.RxBytes += uint64(len(frame))
	l.trace.Record(Event{Time: l.now, Where: k.where, What: "deliver", Len: len(frame), Frame: frame})
	for _, c := range to.caps {
		c.c.WritePacket(c.ifc, l.now, frame)
	}
	to.recv.Receive(frame)
}

// drop counts a drop of a frame sent from d's end and records it.
func (d *direction) drop(why string, frame []byte) {
	s := &d.from.stats.Drops
	switch why {
	case DropDown:
		s.Down++
	case DropLoss:
		s.Loss++
	case DropQueue:
		s.Queue++
	case DropMTU:
		s.MTU++
	case DropOversize:
		s.Oversize++
	case DropUnattached:
		s.Unattached++
	}
	k := d.k
	k.l.trace.Record(Event{Time: k.l.now, Where: k.where, What: "drop", Why: why, Len: len(frame), Frame: frame})
}

// expire forgets the frames whose serialization ended by now.
func (d *direction) expire(now time.Duration) {
	for d.n > 0 && d.txEnds[d.head] <= now {
		d.head++
		if d.head == len(d.txEnds) {
			d.head = 0
		}
		d.n--
	}
}

func (d *direction) pushTx(end time.Duration) {
	i := d.head + d.n
	if i >= len(d.txEnds) {
		i -= len(d.txEnds)
	}
	d.txEnds[i] = end
	d.n++
}

// resize gives the ring room for size frames, keeping the newest ones.
func (d *direction) resize(size int) {
	if size == len(d.txEnds) {
		return
	}
	ring := make([]time.Duration, size)
	keep := min(d.n, size)
	for i := range keep {
		j := (d.head + d.n - keep + i) % len(d.txEnds)
		ring[i] = d.txEnds[j]
	}
	d.txEnds, d.head, d.n = ring, 0, keep
}

// reset empties the direction when the link goes down: queued frames are
// gone and in-flight ones will be dropped on arrival.
func (d *direction) reset() {
	l := d.k.l
	d.cut = l.seq
	d.busyUntil = l.now
	d.lastArrival = l.now
	d.head, d.n = 0, 0
}

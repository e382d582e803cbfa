package host

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// PingOptions configures Ping. Zero values take the defaults of Linux ping.
type PingOptions struct {
	Count    int           // echo requests to send; default 1
	Interval time.Duration // between requests; default 1s
	Size     int           // ICMP data bytes (ping -s); default 56, at most 65507
	Timeout  time.Duration // how long to wait for answers after the last request; default 1s
	TTL      int           // default 64, at most 255
	DF       bool          // set don't fragment (ping -M do); otherwise large requests are fragmented
	Source   netip.Addr    // source address (ping -I); default chosen by route
}

// PingReply is one answer to a ping: an echo reply or an ICMP error.
type PingReply struct {
	Seq   int // icmp_seq, from 1
	From  netip.Addr
	TTL   uint8         // TTL of an echo reply, 0 for an error
	RTT   time.Duration // for an echo reply
	Error string        // the error text, "" for an echo reply
}

// PingResult is the outcome of a ping, as ping's summary reports it.
type PingResult struct {
	Dst            netip.Addr
	Sent, Received int
	RTTs           []time.Duration // in the order the replies came
	RTTMin, RTTAvg time.Duration
	RTTMax         time.Duration
	Errors         []string // "Destination Host Unreachable", "Frag needed and DF set (mtu = 1400)", ...
	Replies        []PingReply
}

// Loss returns the fraction of requests that got no echo reply.
func (r PingResult) Loss() float64 {
	if r.Sent == 0 {
		return 1
	}
	return 1 - float64(r.Received)/float64(r.Sent)
}

// pinger is a ping in progress.
type pinger struct {
	h        *Host
	dst      netip.Addr
	opt      PingOptions
	id       uint16
	sentAt   []time.Duration // by seq-1
	answered []bool
	waiting  int // sent, neither answered nor failed
	timer    *sim.Timer
	done     func(PingResult)
	res      PingResult
	finished bool
}

// Ping sends ICMP echo requests to dst and calls done on the loop with the
// result once every request is answered or the timeout after the last one
// passed. While the next hop is still being resolved with ARP, the wait is
// extended, so that a ping to an absent neighbor reports "Destination Host
// Unreachable" like Linux ping does. RTTs are measured in virtual time from
// the moment a request is handed to the stack, ARP resolution included.
func (h *Host) Ping(dst netip.Addr, opt PingOptions, done func(PingResult)) {
	if opt.Count <= 0 {
		opt.Count = 1
	}
	if opt.Interval <= 0 {
		opt.Interval = time.Second
	}
	if opt.Size == 0 {
		opt.Size = 56
	}
	if opt.Timeout <= 0 {
		opt.Timeout = time.Second
	}
	if opt.TTL == 0 {
		opt.TTL = DefaultTTL
	}
	p := &pinger{h: h, dst: dst, opt: opt, done: done, res: PingResult{Dst: dst}}
	switch {
	case !dst.Is4():
		p.fail("invalid address " + dst.String())
		return
	case opt.Size < 0 || opt.Size > maxIPv4Len-frame.IPv4MinLen-8:
		p.fail("invalid packet size " + strconv.Itoa(opt.Size))
		return
	case opt.TTL < 0 || opt.TTL > 255:
		p.fail("invalid TTL " + strconv.Itoa(opt.TTL))
		return
	}
	p.id = h.toolID()
	p.sentAt = make([]time.Duration, 0, opt.Count)
	p.answered = make([]bool, 0, opt.Count)
	p.timer = h.loop.NewTimer(p.tick)
	h.addTool(p)
	p.timer.Reset(0)
}

// fail reports a ping that could not start, on the loop.
func (p *pinger) fail(msg string) {
	p.res.Errors = append(p.res.Errors, msg)
	p.finished = true
	p.h.loop.After(0, func() { p.done(p.res) })
}

// toolID returns an ICMP identifier no running tool uses.
func (h *Host) toolID() uint16 {
	for {
		id := uint16(h.rand().Uint32())
		used := false
		for _, t := range h.tools {
			switch t := t.(type) {
			case *pinger:
				used = used || t.id == id
			case *tracer:
				used = used || t.id == id
			}
		}
		if !used {
			return id
		}
	}
}

func (p *pinger) tick() {
	if len(p.sentAt) < p.opt.Count {
		p.send()
		if p.finished {
			return
		}
		if len(p.sentAt) < p.opt.Count {
			p.timer.Reset(p.opt.Interval)
		} else {
			p.timer.Reset(p.opt.Timeout)
		}
		return
	}
	if p.waiting > 0 && p.h.resolving(p.dst) {
		p.timer.Reset(p.opt.Timeout) // requests are waiting for ARP, not lost yet
		return
	}
	p.finish()
}

// send sends the next echo request.
func (p *pinger) send() {
	h := p.h
	seq := len(p.sentAt) + 1
	p.sentAt = append(p.sentAt, h.loop.Now())
	p.answered = append(p.answered, false)
	nh, err := h.lookup(p.dst)
	if err != nil {
		if seq == 1 {
			// Linux ping gives up at once: "ping: connect: Network is unreachable".
			p.sentAt, p.answered = p.sentAt[:0], p.answered[:0]
			p.res.Errors = append(p.res.Errors, "Network is unreachable")
			p.finish()
			return
		}
		p.res.Sent++
		p.failed(seq, netip.Addr{}, "sendmsg: Network is unreachable")
		return
	}
	src := p.opt.Source
	if !src.IsValid() {
		src = nh.src
	}
	b, err := h.txBuf(nh, 8+p.opt.Size)
	if err != nil {
		p.res.Sent++
		p.failed(seq, netip.Addr{}, "local error: message too long")
		return
	}
	data := b[l4Off+8 : l4Off+8+p.opt.Size]
	for i := range data {
		data[i] = byte(i) // Linux's pattern, after the timestamp
	}
	if len(data) >= 8 {
		binary.BigEndian.PutUint64(data, uint64(h.loop.Now()))
	}
	n := frame.PutICMPEcho(b[l4Off:], frame.ICMPEchoRequest, p.id, uint16(seq), data)
	p.res.Sent++
	p.waiting++
	err = h.output(nh, frame.ProtoICMP, src, p.dst, uint8(p.opt.TTL), p.opt.DF, n)
	if errors.Is(err, ErrTooBig) {
		p.waiting--
		p.failed(seq, src, "local error: message too long, mtu="+strconv.Itoa(nh.nic.mtu))
	}
}

func (p *pinger) echoReply(from netip.Addr, ttl uint8, id, seq uint16) bool {
	if id != p.id {
		return false
	}
	i := int(seq) - 1
	if p.finished || i < 0 || i >= len(p.sentAt) || p.answered[i] {
		return true // late or duplicate: ping prints it but does not count it
	}
	p.answered[i] = true
	p.waiting--
	rtt := p.h.loop.Now() - p.sentAt[i]
	p.res.Received++
	p.res.RTTs = append(p.res.RTTs, rtt)
	p.res.Replies = append(p.res.Replies, PingReply{Seq: int(seq), From: from, TTL: ttl, RTT: rtt})
	p.maybeDone()
	return true
}

func (p *pinger) icmpError(from netip.Addr, typ, code uint8, mtu uint16, orig quoted) bool {
	proto, dst, l4, ok := orig.parse()
	if !ok || proto != frame.ProtoICMP || dst != p.dst || l4[0] != frame.ICMPEchoRequest || binary.BigEndian.Uint16(l4[4:]) != p.id {
		return false
	}
	seq := int(binary.BigEndian.Uint16(l4[6:]))
	if p.finished || seq < 1 || seq > len(p.sentAt) || p.answered[seq-1] {
		return true
	}
	p.waiting--
	p.failed(seq, from, icmpErrorText(typ, code, mtu))
	return true
}

// failed records an error answer to request seq.
func (p *pinger) failed(seq int, from netip.Addr, msg string) {
	p.answered[seq-1] = true
	p.res.Errors = append(p.res.Errors, msg)
	p.res.Replies = append(p.res.Replies, PingReply{Seq: seq, From: from, Error: msg})
	p.maybeDone()
}

// maybeDone finishes once every request was sent and answered.
func (p *pinger) maybeDone() {
	if len(p.sentAt) == p.opt.Count && p.waiting == 0 {
		p.finish()
	}
}

func (p *pinger) finish() {
	if p.finished {
		return
	}
	p.finished = true
	p.timer.Stop()
	p.h.removeTool(p)
	r := &p.res
	if len(r.RTTs) > 0 {
		r.RTTMin, r.RTTMax = r.RTTs[0], r.RTTs[0]
		var sum time.Duration
		for _, d := range r.RTTs {
			r.RTTMin, r.RTTMax = min(r.RTTMin, d), max(r.RTTMax, d)
			sum += d
		}
		r.RTTAvg = sum / time.Duration(len(r.RTTs))
	}
	p.done(p.res)
}

package stp

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// timer is one 802.1D timer, kept as the deadline at which it expires.
type timer struct {
	on bool
	at time.Duration
}

func (t *timer) start(at time.Duration) { t.on, t.at = true, at }
func (t *timer) stop()                  { t.on = false }

// portInfo holds the port parameters of 802.1D-1998 8.5.5 and its timers.
type portInfo struct {
	num      int
	id       uint16
	prio     uint8
	pathCost uint32
	state    State
	edge     bool

	designatedRoot   BridgeID
	designatedCost   uint32
	designatedBridge BridgeID
	designatedPort   uint16

	tcAck           bool // topology_change_acknowledge
	configPending   bool
	changeDetection bool

	msgAge    timer
	ageOrigin time.Duration // the message age timer's value is now - ageOrigin
	fwdDelay  timer
	hold      timer

	cnt Counters
}

// Machine is the spanning tree protocol entity of one bridge: the bridge
// parameters of 802.1D-1998 8.5.3, its ports and its timers. Methods that
// take no now act at the latest time the machine was given; calls that name
// an unknown port are ignored. It is not safe for concurrent use; the
// bridge serializes calls.
type Machine struct {
	env Env
	mac frame.MAC
	cfg Config // Bridge Max Age, Bridge Hello Time, Bridge Forward Delay

	bridgeID       BridgeID
	designatedRoot BridgeID
	rootPathCost   uint32
	rootPort       *portInfo // nil when this bridge is the root

	// Operational timer values, from the root's BPDUs.
	maxAge, helloTime, fwdDelay time.Duration

	tcDetected bool // topology_change_detected
	tc         bool // topology_change

	hello, tcn, tcTimer timer

	ports []*portInfo // sorted by num
	now   time.Duration
	next  time.Duration // earliest armed deadline, math.MaxInt64 if none

	cnt Counters
	buf [MinFrameLen]byte
}

// New returns the protocol machine of a bridge with address mac, at time 0
// with no ports, believing itself the root (802.1D-1998 8.8.1). Zero or
// negative timers in cfg are replaced by the defaults; cfg is otherwise
// taken as given (see Config.Validate). env receives the machine's output.
func New(mac frame.MAC, cfg Config, env Env) *Machine {
	cfg = cfg.withDefaults()
	m := &Machine{env: env, mac: mac, cfg: cfg, bridgeID: MakeBridgeID(cfg.Priority, mac)}
	m.designatedRoot = m.bridgeID
	m.maxAge, m.helloTime, m.fwdDelay = cfg.MaxAge, cfg.HelloTime, cfg.ForwardDelay
	m.hello.start(cfg.HelloTime)
	m.updateNext()
	return m
}

// ---- public API ----

// AddPort adds port number port with the given port priority and path cost
// (0 means DefaultPathCost(0)) and enables it: it reports Blocking through
// SetState, then takes part in the spanning tree as of the latest time the
// machine was given (8.8.2), typically moving on to Listening at once. Port
// identifiers use only the low eight bits of port, as in 802.1D-1998. For a
// port that exists already, AddPort changes its priority and path cost.
func (m *Machine) AddPort(port int, priority uint8, pathCost uint32) {
	if pathCost == 0 {
		pathCost = DefaultPathCost(0)
	}
	if p := m.find(port); p != nil {
		m.SetPathCost(port, pathCost)
		m.SetPortPriority(port, priority)
		return
	}
	p := &portInfo{num: port, prio: priority, id: MakePortID(priority, port), pathCost: pathCost, state: Disabled}
	i, _ := slices.BinarySearchFunc(m.ports, port, byNum)
	m.ports = slices.Insert(m.ports, i, p)
	m.enablePort(p)
	m.updateNext()
}

// RemovePort disables port (with the usual callbacks for it) and forgets
// it. Other ports may change role and state as a result.
func (m *Machine) RemovePort(port int) {
	p := m.find(port)
	if p == nil {
		return
	}
	if p.state != Disabled {
		m.disablePort(p)
	}
	m.ports = slices.DeleteFunc(m.ports, func(q *portInfo) bool { return q == p })
	m.updateNext()
}

// SetEnabled reports that port's link or administrative state went up or
// down at time now. A port that goes down is Disabled at once and the
// bridge recomputes the tree (8.8.3); a port that comes up starts again
// from Blocking (8.8.2).
func (m *Machine) SetEnabled(port int, up bool, now time.Duration) {
	m.runTimers(now)
	if p := m.find(port); p != nil {
		switch {
		case up && p.state == Disabled:
			m.enablePort(p)
		case !up && p.state != Disabled:
			m.disablePort(p)
		}
	}
	m.updateNext()
}

// SetEdge marks port as an edge port (no bridge behind it) or not. Edge
// ports do not cause topology changes when they start or stop forwarding
// (their change_detection_enabled parameter is false, 8.5.5.10).
func (m *Machine) SetEdge(port int, edge bool) {
	if p := m.find(port); p != nil {
		p.edge = edge
		p.changeDetection = !edge
	}
}

// SetPathCost changes the path cost of port (8.8.6); 0 means
// DefaultPathCost(0).
func (m *Machine) SetPathCost(port int, cost uint32) {
	p := m.find(port)
	if p == nil {
		return
	}
	if cost == 0 {
		cost = DefaultPathCost(0)
	}
	p.pathCost = cost
	m.configurationUpdate()
	m.portStateSelection()
	m.updateNext()
}

// SetPortPriority changes the priority part of port's identifier (8.8.5).
func (m *Machine) SetPortPriority(port int, prio uint8) {
	p := m.find(port)
	if p == nil {
		return
	}
	id := MakePortID(prio, port)
	if m.isDesignated(p) {
		p.designatedPort = id
	}
	p.prio, p.id = prio, id
	if m.bridgeID == p.designatedBridge && p.id < p.designatedPort {
		m.becomeDesignated(p)
		m.portStateSelection()
	}
	m.updateNext()
}

// SetBridgePriority changes the priority part of the bridge identifier
// (8.8.4) and recomputes the tree.
func (m *Machine) SetBridgePriority(prio uint16) {
	wasRoot := m.isRoot()
	id := MakeBridgeID(prio, m.mac)
	for _, p := range m.ports {
		if m.isDesignated(p) {
			p.designatedBridge = id
		}
	}
	m.cfg.Priority = prio
	m.bridgeID = id
	m.configurationUpdate()
	m.portStateSelection()
	m.rootChanged(wasRoot)
	m.updateNext()
}

// Input processes a frame addressed to 01:80:c2:00:00:00 that arrived on
// port at time now. Frames that are not BPDUs, malformed BPDUs, and BPDUs
// for unknown or disabled ports are dropped and counted. The frame is
// borrowed for the call.
func (m *Machine) Input(port int, f []byte, now time.Duration) {
	m.runTimers(now)
	m.input(port, f)
	m.updateNext()
}

func (m *Machine) input(port int, f []byte) {
	e := frame.Ethernet(f)
	if len(e) < frame.EthernetLen || e.Dst() != GroupAddr || !e.RawType().IsLength() {
		m.cnt.NotBPDU++
		return
	}
	payload := f[frame.EthernetLen:]
	n := int(e.RawType())
	if n > len(payload) {
		// The 802.3 length promises more than arrived.
		m.bad(reasonTruncated)
		return
	}
	payload = payload[:n] // drop the padding
	if len(payload) < llcLen || payload[0] != LLCSAP || payload[1] != LLCSAP || payload[2] != LLCControl {
		m.cnt.NotBPDU++
		return
	}
	b, r := decode(payload[llcLen:])
	if r != reasonOK {
		m.bad(r)
		return
	}
	p := m.find(port)
	if p == nil || p.state == Disabled {
		m.cnt.Discarded++
		return
	}
	if b.Type == TypeTCN {
		m.cnt.TCNRx++
		p.cnt.TCNRx++
		m.receivedTCN(p)
		return
	}
	if b.MessageAge >= b.MaxAge {
		m.cnt.Expired++
		return
	}
	m.cnt.ConfigRx++
	p.cnt.ConfigRx++
	m.receivedConfig(p, b)
}

func (m *Machine) bad(r reason) {
	m.cnt.BadBPDU++
	switch r {
	case reasonTruncated:
		m.cnt.Truncated++
	case reasonProtocol:
		m.cnt.BadProtocol++
	case reasonVersion:
		m.cnt.BadVersion++
	case reasonType:
		m.cnt.BadType++
	}
}

// Advance runs the timers that are due at now, in the order of their
// deadlines: hello, message age, forward delay, topology change, TCN and
// hold. It costs a comparison when nothing is due. Time never goes
// backwards: an earlier now than seen before is taken as the latest one.
func (m *Machine) Advance(now time.Duration) {
	if now < m.next {
		m.now = max(m.now, now)
		return
	}
	m.runTimers(now)
	m.updateNext()
}

// NextDeadline returns the time at which the earliest armed timer expires,
// so that a scheduler can call Advance then; ok is false when no timer is
// armed.
func (m *Machine) NextDeadline() (at time.Duration, ok bool) {
	return m.next, m.next != math.MaxInt64
}

// State returns the state of port, Disabled for an unknown port.
func (m *Machine) State(port int) State {
	if p := m.find(port); p != nil {
		return p.state
	}
	return Disabled
}

// ForwardDelay returns the operational forward delay, the FDB aging time to
// use while the topology change flag is set.
func (m *Machine) ForwardDelay() time.Duration { return m.fwdDelay }

// Status returns a snapshot of the bridge's and its ports' parameters.
func (m *Machine) Status() Status {
	s := Status{
		BridgeID:               m.bridgeID,
		RootID:                 m.designatedRoot,
		RootPathCost:           m.rootPathCost,
		RootPort:               -1,
		IsRoot:                 m.isRoot(),
		TopologyChange:         m.tc,
		TopologyChangeDetected: m.tcDetected,
		MaxAge:                 m.maxAge,
		HelloTime:              m.helloTime,
		ForwardDelay:           m.fwdDelay,
		Ports:                  make([]PortStatus, 0, len(m.ports)),
		Counters:               m.cnt,
	}
	if m.rootPort != nil {
		s.RootPort = m.rootPort.num
	}
	for _, p := range m.ports {
		s.Ports = append(s.Ports, PortStatus{
			Port:             p.num,
			ID:               p.id,
			Role:             m.role(p),
			State:            p.state,
			PathCost:         p.pathCost,
			Priority:         p.prio,
			Edge:             p.edge,
			DesignatedRoot:   p.designatedRoot,
			DesignatedBridge: p.designatedBridge,
			DesignatedPort:   p.designatedPort,
			DesignatedCost:   p.designatedCost,
			Counters:         p.cnt,
		})
	}
	return s
}

func (m *Machine) role(p *portInfo) Role {
	switch {
	case p.state == Disabled:
		return RoleDisabled
	case p == m.rootPort:
		return RoleRoot
	case m.isDesignated(p):
		return RoleDesignated
	}
	return RoleAlternate
}

func byNum(q *portInfo, n int) int { return cmp.Compare(q.num, n) }

func (m *Machine) find(num int) *portInfo {
	i, ok := slices.BinarySearchFunc(m.ports, num, byNum)
	if !ok {
		return nil
	}
	return m.ports[i]
}

// ---- timers ----

type timerKind uint8

const (
	tHello timerKind = iota
	tTCN
	tTC
	tMsgAge
	tFwdDelay
	tHold
)

// earliest returns the armed timer with the smallest deadline. Ties go to
// bridge timers first, then ports in port order, so runs are reproducible.
func (m *Machine) earliest() (at time.Duration, kind timerKind, p *portInfo, ok bool) {
	at = math.MaxInt64
	try := func(t *timer, k timerKind, q *portInfo) {
		if t.on && t.at < at {
			at, kind, p, ok = t.at, k, q, true
		}
	}
	try(&m.hello, tHello, nil)
	try(&m.tcn, tTCN, nil)
	try(&m.tcTimer, tTC, nil)
	for _, q := range m.ports {
		try(&q.msgAge, tMsgAge, q)
		try(&q.fwdDelay, tFwdDelay, q)
		try(&q.hold, tHold, q)
	}
	return at, kind, p, ok
}

func (m *Machine) updateNext() {
	m.next, _, _, _ = m.earliest()
}

// runTimers fires every timer due at or before now, each at its own
// deadline so that timers it restarts keep their period whatever the
// caller's granularity, and leaves the machine at now.
func (m *Machine) runTimers(now time.Duration) {
	if now < m.now {
		now = m.now
	}
	for {
		at, kind, p, ok := m.earliest()
		if !ok || at > now {
			break
		}
		m.now = at
		switch kind {
		case tHello:
			m.hello.stop()
			m.helloExpiry()
		case tTCN:
			m.tcn.stop()
			m.tcnExpiry()
		case tTC:
			m.tcTimer.stop()
			m.tcExpiry()
		case tMsgAge:
			p.msgAge.stop()
			m.msgAgeExpiry(p)
		case tFwdDelay:
			p.fwdDelay.stop()
			m.fwdDelayExpiry(p)
		case tHold:
			p.hold.stop()
			m.holdExpiry(p)
		}
	}
	m.now = now
}

// ---- 802.1D-1998 8.6: elements of procedure ----

func (m *Machine) isRoot() bool { return m.designatedRoot == m.bridgeID }

// isDesignated is designated_port(): the port's designated bridge and port
// are this bridge and this port.
func (m *Machine) isDesignated(p *portInfo) bool {
	return p.designatedBridge == m.bridgeID && p.designatedPort == p.id
}

func (m *Machine) send(p *portInfo, b BPDU) {
	f := AppendFrame(m.buf[:0], m.mac, b)
	if b.Type == TypeTCN {
		m.cnt.TCNTx++
		p.cnt.TCNTx++
	} else {
		m.cnt.ConfigTx++
		p.cnt.ConfigTx++
	}
	m.env.SendBPDU(p.num, f)
}

// transmitConfig is 8.6.1, rate-limited by the hold timer.
func (m *Machine) transmitConfig(p *portInfo) {
	if p.hold.on {
		p.configPending = true
		return
	}
	b := BPDU{
		Type:         TypeConfig,
		RootID:       m.designatedRoot,
		RootPathCost: m.rootPathCost,
		BridgeID:     m.bridgeID,
		PortID:       p.id,
		MaxAge:       m.maxAge,
		HelloTime:    m.helloTime,
		ForwardDelay: m.fwdDelay,
	}
	if m.rootPort != nil {
		b.MessageAge = m.now - m.rootPort.ageOrigin + MessageAgeIncrement
	}
	// Information as old as MaxAge is worthless downstream; not sending it
	// lets the neighbours' own message age timers run out (as Linux does).
	if b.MessageAge >= m.maxAge {
		return
	}
	if p.tcAck {
		b.Flags |= FlagTCA
	}
	if m.tc {
		b.Flags |= FlagTC
	}
	m.send(p, b)
	p.tcAck = false
	p.configPending = false
	p.hold.start(m.now + HoldTime)
}

// supersedes is supersedes_port_info() of 8.6.2.2.
func (m *Machine) supersedes(p *portInfo, b BPDU) bool {
	switch {
	case b.RootID != p.designatedRoot:
		return b.RootID < p.designatedRoot
	case b.RootPathCost != p.designatedCost:
		return b.RootPathCost < p.designatedCost
	case b.BridgeID != p.designatedBridge:
		return b.BridgeID < p.designatedBridge
	}
	// Equal priority: fresh information from the same designated bridge,
	// or our own BPDU looped back from a port with a lower identifier.
	return b.BridgeID != m.bridgeID || b.PortID <= p.designatedPort
}

// recordConfigInfo is 8.6.2. The message age timer runs for the MaxAge of
// the BPDU itself (8.6.2.3.2 step 2).
func (m *Machine) recordConfigInfo(p *portInfo, b BPDU) {
	p.designatedRoot = b.RootID
	p.designatedCost = b.RootPathCost
	p.designatedBridge = b.BridgeID
	p.designatedPort = b.PortID
	p.ageOrigin = m.now - b.MessageAge
	p.msgAge.start(m.now + b.MaxAge - b.MessageAge)
}

// recordTimeouts is record_config_timeout_values() of 8.6.3.
func (m *Machine) recordTimeouts(b BPDU) {
	m.maxAge, m.helloTime, m.fwdDelay = b.MaxAge, b.HelloTime, b.ForwardDelay
	m.setTC(b.Flags&FlagTC != 0)
}

// configBPDUGeneration is 8.6.4.
func (m *Machine) configBPDUGeneration() {
	for _, p := range m.ports {
		if m.isDesignated(p) && p.state != Disabled {
			m.transmitConfig(p)
		}
	}
}

// transmitTCN is 8.6.6.
func (m *Machine) transmitTCN() {
	if m.rootPort != nil {
		m.send(m.rootPort, BPDU{Type: TypeTCN})
	}
}

// configurationUpdate is 8.6.7.
func (m *Machine) configurationUpdate() {
	m.rootSelection()
	m.designatedPortSelection()
}

// rootSelection is 8.6.8.
func (m *Machine) rootSelection() {
	var root *portInfo
	for _, p := range m.ports {
		if m.isDesignated(p) || p.state == Disabled || p.designatedRoot >= m.bridgeID {
			continue
		}
		if root == nil || betterRootPort(p, root) {
			root = p
		}
	}
	m.rootPort = root
	if root == nil {
		m.designatedRoot = m.bridgeID
		m.rootPathCost = 0
		return
	}
	m.designatedRoot = root.designatedRoot
	m.rootPathCost = addCost(root.designatedCost, root.pathCost)
}

// addCost adds path costs, saturating instead of wrapping.
func addCost(a, b uint32) uint32 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint32
}

func betterRootPort(p, r *portInfo) bool {
	switch {
	case p.designatedRoot != r.designatedRoot:
		return p.designatedRoot < r.designatedRoot
	case addCost(p.designatedCost, p.pathCost) != addCost(r.designatedCost, r.pathCost):
		return addCost(p.designatedCost, p.pathCost) < addCost(r.designatedCost, r.pathCost)
	case p.designatedBridge != r.designatedBridge:
		return p.designatedBridge < r.designatedBridge
	case p.designatedPort != r.designatedPort:
		return p.designatedPort < r.designatedPort
	}
	return p.id < r.id
}

// designatedPortSelection is 8.6.9.
func (m *Machine) designatedPortSelection() {
	for _, p := range m.ports {
		if m.isDesignated(p) ||
			p.designatedRoot != m.designatedRoot ||
			m.rootPathCost < p.designatedCost ||
			(m.rootPathCost == p.designatedCost &&
				(m.bridgeID < p.designatedBridge ||
					(m.bridgeID == p.designatedBridge && p.id <= p.designatedPort))) {
			m.becomeDesignated(p)
		}
	}
}

// becomeDesignated is become_designated_port() of 8.6.10.
func (m *Machine) becomeDesignated(p *portInfo) {
	p.designatedRoot = m.designatedRoot
	p.designatedCost = m.rootPathCost
	p.designatedBridge = m.bridgeID
	p.designatedPort = p.id
}

// portStateSelection is 8.6.11.
func (m *Machine) portStateSelection() {
	for _, p := range m.ports {
		switch {
		case p == m.rootPort:
			p.configPending = false
			p.tcAck = false
			m.makeForwarding(p)
		case m.isDesignated(p):
			p.msgAge.stop()
			m.makeForwarding(p)
		default:
			p.configPending = false
			p.tcAck = false
			m.makeBlocking(p)
		}
	}
}

// makeForwarding is 8.6.12.
func (m *Machine) makeForwarding(p *portInfo) {
	if p.state == Blocking {
		m.setState(p, Listening)
		p.fwdDelay.start(m.now + m.fwdDelay)
	}
}

// makeBlocking is 8.6.13.
func (m *Machine) makeBlocking(p *portInfo) {
	if p.state == Disabled || p.state == Blocking {
		return
	}
	if (p.state == Forwarding || p.state == Learning) && p.changeDetection {
		m.topologyChangeDetection()
	}
	m.setState(p, Blocking)
	p.fwdDelay.stop()
}

// setState is set_port_state() plus the callbacks: the bridge hears of
// every change, and of the need to flush when a port stops learning.
func (m *Machine) setState(p *portInfo, s State) {
	old := p.state
	if old == s {
		return
	}
	p.state = s
	m.env.SetState(p.num, s)
	if (old == Learning || old == Forwarding) && (s == Blocking || s == Disabled) {
		m.env.FlushPort(p.num)
	}
}

func (m *Machine) setTC(on bool) {
	if m.tc == on {
		return
	}
	m.tc = on
	m.env.TopologyChange(on)
}

// topologyChangeDetection is 8.6.14.
func (m *Machine) topologyChangeDetection() {
	m.cnt.TopologyChanges++
	if m.isRoot() {
		m.setTC(true)
		m.tcTimer.start(m.now + m.cfg.MaxAge + m.cfg.ForwardDelay)
	} else if !m.tcDetected {
		m.transmitTCN()
		m.tcn.start(m.now + m.cfg.HelloTime)
	}
	m.tcDetected = true
}

// topologyChangeAcknowledged is 8.6.15.
func (m *Machine) topologyChangeAcknowledged() {
	m.tcDetected = false
	m.tcn.stop()
}

// acknowledgeTopologyChange is 8.6.16.
func (m *Machine) acknowledgeTopologyChange(p *portInfo) {
	p.tcAck = true
	m.transmitConfig(p)
}

// designatedForSomePort is designated_for_some_port() of clause 8: the bridge
// is the designated bridge of at least one port. As in the standard's
// pseudo-code, disabled ports count (they were made designated when they
// went down).
func (m *Machine) designatedForSomePort() bool {
	for _, p := range m.ports {
		if p.designatedBridge == m.bridgeID {
			return true
		}
	}
	return false
}

// rootChanged finishes a reconfiguration that may have made this bridge
// the root (8.7.4, 8.8.3, 8.8.4) or taken that away (8.7.1).
func (m *Machine) rootChanged(wasRoot bool) {
	switch root := m.isRoot(); {
	case root && !wasRoot:
		m.maxAge, m.helloTime, m.fwdDelay = m.cfg.MaxAge, m.cfg.HelloTime, m.cfg.ForwardDelay
		m.topologyChangeDetection()
		m.tcn.stop()
		m.configBPDUGeneration()
		m.hello.start(m.now + m.cfg.HelloTime)
	case !root && wasRoot:
		m.hello.stop()
		if m.tcDetected {
			m.tcTimer.stop()
			m.transmitTCN()
			m.tcn.start(m.now + m.cfg.HelloTime)
		}
	}
}

// ---- 802.1D-1998 8.7: operation of the protocol ----

// receivedConfig is received_config_bpdu() of 8.7.1.
func (m *Machine) receivedConfig(p *portInfo, b BPDU) {
	if p.state == Disabled {
		return
	}
	if !m.supersedes(p, b) {
		if m.isDesignated(p) {
			m.transmitConfig(p) // reply(), 8.6.5
		}
		return
	}
	wasRoot := m.isRoot()
	m.recordConfigInfo(p, b)
	m.configurationUpdate()
	m.portStateSelection()
	m.rootChanged(wasRoot)
	if p == m.rootPort {
		m.recordTimeouts(b)
		m.configBPDUGeneration()
		if b.Flags&FlagTCA != 0 {
			m.topologyChangeAcknowledged()
		}
	}
}

// receivedTCN is received_tcn_bpdu() of 8.7.2.
func (m *Machine) receivedTCN(p *portInfo) {
	if p.state != Disabled && m.isDesignated(p) {
		m.topologyChangeDetection()
		m.acknowledgeTopologyChange(p)
	}
}

// helloExpiry is 8.7.3.
func (m *Machine) helloExpiry() {
	m.configBPDUGeneration()
	m.hello.start(m.now + m.cfg.HelloTime)
}

// msgAgeExpiry is 8.7.4: the root's information on p has grown too old.
func (m *Machine) msgAgeExpiry(p *portInfo) {
	wasRoot := m.isRoot()
	m.becomeDesignated(p)
	m.configurationUpdate()
	m.portStateSelection()
	m.rootChanged(wasRoot)
}

// fwdDelayExpiry is 8.7.5.
func (m *Machine) fwdDelayExpiry(p *portInfo) {
	switch p.state {
	case Listening:
		m.setState(p, Learning)
		p.fwdDelay.start(m.now + m.fwdDelay)
	case Learning:
		m.setState(p, Forwarding)
		if m.designatedForSomePort() && p.changeDetection {
			m.topologyChangeDetection()
		}
	}
}

// tcnExpiry is 8.7.6: no acknowledgement yet, so repeat the TCN.
func (m *Machine) tcnExpiry() {
	m.transmitTCN()
	m.tcn.start(m.now + m.cfg.HelloTime)
}

// tcExpiry is 8.7.7.
func (m *Machine) tcExpiry() {
	m.tcDetected = false
	m.setTC(false)
}

// holdExpiry is 8.7.8.
func (m *Machine) holdExpiry(p *portInfo) {
	if p.configPending {
		m.transmitConfig(p)
	}
}

// ---- 802.1D-1998 8.8: management ----

// initializePort is 8.8.1's per-port part.
func (m *Machine) initializePort(p *portInfo) {
	m.becomeDesignated(p)
	m.setState(p, Blocking)
	p.tcAck = false
	p.configPending = false
	p.changeDetection = !p.edge
	p.msgAge.stop()
	p.fwdDelay.stop()
	p.hold.stop()
}

// enablePort is 8.8.2.
func (m *Machine) enablePort(p *portInfo) {
	m.initializePort(p)
	m.portStateSelection()
}

// disablePort is 8.8.3.
func (m *Machine) disablePort(p *portInfo) {
	wasRoot := m.isRoot()
	m.becomeDesignated(p)
	m.setState(p, Disabled)
	p.tcAck = false
	p.configPending = false
	p.msgAge.stop()
	p.fwdDelay.stop()
	p.hold.stop()
	m.configurationUpdate()
	m.portStateSelection()
	m.rootChanged(wasRoot)
}

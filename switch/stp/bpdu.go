package stp

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// GroupAddr is the Bridge Group Address of 802.1D-1998 table 7-9, to which
// all BPDUs are sent.
var GroupAddr = frame.MAC{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}

// LLC header of BPDUs (802.1D-1998 7.12.3): DSAP and SSAP 0x42, UI frame.
const (
	LLCSAP     = 0x42
	LLCControl = 0x03
	llcLen     = 3
)

// Encoded sizes (802.1D-1998 9.3).
const (
	ConfigLen   = 35 // configuration BPDU
	TCNLen      = 4  // topology change notification BPDU
	MinFrameLen = 60 // Ethernet minimum without FCS; AppendFrame pads to it
)

// BPDUType is the BPDU Type field (9.3.1, octet 4).
type BPDUType uint8

// BPDU types of 802.1D-1998.
const (
	TypeConfig BPDUType = 0x00
	TypeTCN    BPDUType = 0x80
)

// Flags of a configuration BPDU (9.3.1, octet 5).
const (
	FlagTC  uint8 = 0x01 // Topology Change
	FlagTCA uint8 = 0x80 // Topology Change Acknowledgment
)

// Errors returned by DecodeBPDU. They are not wrapped, so callers may also
// compare with ==.
var (
	ErrTruncated   = errors.New("stp: BPDU truncated")
	ErrProtocol    = errors.New("stp: protocol identifier is not 0")
	ErrVersion     = errors.New("stp: protocol version is not 0")
	ErrUnknownType = errors.New("stp: unknown BPDU type")
)

// BPDU is a decoded Configuration or Topology Change Notification BPDU. For
// a TCN only Type is meaningful. Times are carried on the wire in units of
// 1/256 s, so they round-trip exactly only when they are multiples of
// [TimeUnit].
type BPDU struct {
	Type         BPDUType
	Flags        uint8
	RootID       BridgeID
	RootPathCost uint32
	BridgeID     BridgeID
	PortID       uint16
	MessageAge   time.Duration
	MaxAge       time.Duration
	HelloTime    time.Duration
	ForwardDelay time.Duration
}

// TimeUnit is the resolution of BPDU timer fields: 1/256 s.
const TimeUnit = time.Second / 256

// reason classifies why a byte string is not a usable BPDU; it lets Input
// count drops without allocating an error.
type reason uint8

const (
	reasonOK reason = iota
	reasonTruncated
	reasonProtocol
	reasonVersion
	reasonType
)

func (r reason) err() error {
	switch r {
	case reasonTruncated:
		return ErrTruncated
	case reasonProtocol:
		return ErrProtocol
	case reasonVersion:
		return ErrVersion
	case reasonType:
		return ErrUnknownType
	}
	return nil
}

// DecodeBPDU decodes the BPDU that starts at the Protocol Identifier, that
// is the payload of the LLC header. It accepts protocol identifier 0 and
// version 0 only, and the Configuration and TCN types; trailing bytes
// (Ethernet padding) are ignored. It validates as 802.1D-1998 9.3.4 asks:
// a Configuration BPDU needs 35 octets, a TCN 4.
func DecodeBPDU(llcPayload []byte) (BPDU, error) {
	b, r := decode(llcPayload)
	return b, r.err()
}

func decode(p []byte) (BPDU, reason) {
	var b BPDU
	if len(p) < TCNLen {
		return b, reasonTruncated
	}
	if p[0] != 0 || p[1] != 0 {
		return b, reasonProtocol
	}
	if p[2] != 0 {
		return b, reasonVersion
	}
	b.Type = BPDUType(p[3])
	switch b.Type {
	case TypeTCN:
		return b, reasonOK
	case TypeConfig:
	default:
		return BPDU{}, reasonType
	}
	if len(p) < ConfigLen {
		return BPDU{}, reasonTruncated
	}
	b.Flags = p[4]
	b.RootID = BridgeID(binary.BigEndian.Uint64(p[5:13]))
	b.RootPathCost = binary.BigEndian.Uint32(p[13:17])
	b.BridgeID = BridgeID(binary.BigEndian.Uint64(p[17:25]))
	b.PortID = binary.BigEndian.Uint16(p[25:27])
	b.MessageAge = fromUnits(p[27:29])
	b.MaxAge = fromUnits(p[29:31])
	b.HelloTime = fromUnits(p[31:33])
	b.ForwardDelay = fromUnits(p[33:35])
	return b, reasonOK
}

// Len returns the encoded size of b: TCNLen for a TCN, ConfigLen otherwise.
func (b BPDU) Len() int {
	if b.Type == TypeTCN {
		return TCNLen
	}
	return ConfigLen
}

// Encode writes b, from the Protocol Identifier on, into dst and returns
// the number of bytes written (b.Len()), or 0 if dst is too short. A BPDU
// whose Type is not TCN is written in the Configuration layout with its
// Type octet as given. Times are truncated to multiples of TimeUnit and
// clamped to what 16 bits hold (about 256 s).
func (b BPDU) Encode(dst []byte) int {
	n := b.Len()
	if len(dst) < n {
		return 0
	}
	dst = dst[:n]
	dst[0], dst[1], dst[2], dst[3] = 0, 0, 0, byte(b.Type)
	if n == TCNLen {
		return n
	}
	dst[4] = b.Flags
	binary.BigEndian.PutUint64(dst[5:13], uint64(b.RootID))
	binary.BigEndian.PutUint32(dst[13:17], b.RootPathCost)
	binary.BigEndian.PutUint64(dst[17:25], uint64(b.BridgeID))
	binary.BigEndian.PutUint16(dst[25:27], b.PortID)
	putUnits(dst[27:29], b.MessageAge)
	putUnits(dst[29:31], b.MaxAge)
	putUnits(dst[31:33], b.HelloTime)
	putUnits(dst[33:35], b.ForwardDelay)
	return n
}

var zeros [MinFrameLen]byte

// AppendFrame appends to dst a whole IEEE 802.3 frame carrying b: the
// Bridge Group Address, src, the length field, the LLC header 42 42 03 and
// the BPDU, zero-padded to 60 bytes (no FCS). It does not allocate when
// dst has room for 60 bytes.
func AppendFrame(dst []byte, src frame.MAC, b BPDU) []byte {
	start := len(dst)
	n := frame.EthernetLen + llcLen + b.Len()
	dst = append(dst, zeros[:max(n, MinFrameLen)]...)
	f := dst[start:]
	frame.PutEthernet(f, GroupAddr, src, frame.EtherType(llcLen+b.Len()))
	f[14], f[15], f[16] = LLCSAP, LLCSAP, LLCControl
	b.Encode(f[17:])
	return dst
}

func fromUnits(p []byte) time.Duration {
	return time.Duration(binary.BigEndian.Uint16(p)) * TimeUnit
}

func putUnits(p []byte, d time.Duration) {
	u := d / TimeUnit
	switch {
	case u < 0:
		u = 0
	case u > 0xffff:
		u = 0xffff
	}
	binary.BigEndian.PutUint16(p, uint16(u))
}

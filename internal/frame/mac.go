package frame

import (
	"errors"
	"fmt"
)

// MAC is an IEEE 802 MAC-48 address. It is a value type so that it can key
// maps and be compared with ==.
type MAC [6]byte

// Broadcast is ff:ff:ff:ff:ff:ff.
var Broadcast = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// ErrBadMAC is returned by ParseMAC for text that is not a MAC-48 address.
var ErrBadMAC = errors.New("frame: invalid MAC address")

// IsMulticast reports whether the group bit (I/G) is set; broadcast is a
// multicast address too.
func (m MAC) IsMulticast() bool { return m[0]&1 == 1 }

// IsBroadcast reports whether m is ff:ff:ff:ff:ff:ff.
func (m MAC) IsBroadcast() bool { return m == Broadcast }

// IsZero reports whether m is 00:00:00:00:00:00.
func (m MAC) IsZero() bool { return m == MAC{} }

// IsLocal reports whether the locally administered (U/L) bit is set.
func (m MAC) IsLocal() bool { return m[0]&2 == 2 }

// IsReserved reports whether m is one of the IEEE 802.1D reserved group
// addresses 01:80:c2:00:00:00 to 01:80:c2:00:00:0f, which a bridge never
// forwards.
func (m MAC) IsReserved() bool {
	return m[0] == 0x01 && m[1] == 0x80 && m[2] == 0xc2 && m[3] == 0 && m[4] == 0 && m[5]&0xf0 == 0
}

const hexDigits = "0123456789abcdef"

// String formats m as six lower-case colon-separated hex octets.
func (m MAC) String() string {
	var b [17]byte
	for i, o := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hexDigits[o>>4]
		b[i*3+1] = hexDigits[o&0xf]
	}
	return string(b[:])
}

// MarshalText implements encoding.TextMarshaler.
func (m MAC) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *MAC) UnmarshalText(b []byte) error {
	v, err := ParseMAC(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMAC parses six hex octets separated by ':' or '-'
// ("02:42:ac:11:00:02"), case-insensitively.
func ParseMAC(s string) (MAC, error) {
	var m MAC
	if len(s) != 17 {
		return m, fmt.Errorf("%w: %q", ErrBadMAC, s)
	}
	sep := s[2]
	if sep != ':' && sep != '-' {
		return m, fmt.Errorf("%w: %q", ErrBadMAC, s)
	}
	for i := range 6 {
		if i > 0 && s[i*3-1] != sep {
			return m, fmt.Errorf("%w: %q", ErrBadMAC, s)
		}
		hi, ok1 := unhex(s[i*3])
		lo, ok2 := unhex(s[i*3+1])
		if !ok1 || !ok2 {
			return m, fmt.Errorf("%w: %q", ErrBadMAC, s)
		}
		m[i] = hi<<4 | lo
	}
	return m, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

package frame

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMACRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want MAC
		str  string
	}{
		{"02:42:ac:11:00:02", MAC{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}, "02:42:ac:11:00:02"},
		{"02-42-AC-11-00-02", MAC{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}, "02:42:ac:11:00:02"},
		{"ff:ff:ff:ff:ff:ff", Broadcast, "ff:ff:ff:ff:ff:ff"},
		{"00:00:00:00:00:00", MAC{}, "00:00:00:00:00:00"},
		{"01:80:C2:00:00:0e", MAC{0x01, 0x80, 0xc2, 0, 0, 0x0e}, "01:80:c2:00:00:0e"},
		{"aB:cD:eF:01:23:45", MAC{0xab, 0xcd, 0xef, 0x01, 0x23, 0x45}, "ab:cd:ef:01:23:45"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseMAC(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.str, got.String())
			back, err := ParseMAC(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back)

			text, err := got.MarshalText()
			require.NoError(t, err)
			var m MAC
			require.NoError(t, m.UnmarshalText(text))
			assert.Equal(t, got, m)
		})
	}
}

func TestParseMACRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"02:42:ac:11:00",
		"02:42:ac:11:00:02:03",
		"02:42:ac:11:00:0",
		"02:42:ac:11:00:002",
		"02:42-ac:11:00:02",   // mixed separators
		"02.42.ac.11.00.02",   // unknown separator
		"0242.ac11.0002",      // Cisco notation
		"02:42:ac:11:00:0g",   // not hex
		"02:42:ac:11:00: 2",   // space
		"g2:42:ac:11:00:02",   // not hex, first octet
		"02:42:ac:11:00:02 ",  // trailing space
		"02:42:ac:11:00:02\n", // trailing newline
		"02::42:ac:11:00:02",
		"0x:42:ac:11:00:02",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseMAC(in)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrBadMAC), "got %v, want ErrBadMAC", err)
			var m MAC
			assert.ErrorIs(t, m.UnmarshalText([]byte(in)), ErrBadMAC)
		})
	}
}

func TestMACClasses(t *testing.T) {
	tests := []struct {
		mac                                   string
		multicast, broadcast, local, reserved bool
		zero                                  bool
	}{
		{mac: "00:00:00:00:00:00", zero: true},
		{mac: "02:42:ac:11:00:02", local: true},
		{mac: "00:1b:21:3a:4f:5c"},
		{mac: "ff:ff:ff:ff:ff:ff", multicast: true, broadcast: true, local: true},
		{mac: "01:00:5e:00:00:fb", multicast: true},
		{mac: "33:33:00:00:00:01", multicast: true, local: true},
		{mac: "03:00:00:00:00:01", multicast: true, local: true},
		{mac: "01:80:c2:00:00:00", multicast: true, reserved: true}, // STP
		{mac: "01:80:c2:00:00:02", multicast: true, reserved: true}, // LACP
		{mac: "01:80:c2:00:00:0e", multicast: true, reserved: true}, // LLDP
		{mac: "01:80:c2:00:00:0f", multicast: true, reserved: true}, // last reserved
		{mac: "01:80:c2:00:00:10", multicast: true},                 // first not reserved
		{mac: "01:80:c2:00:00:20", multicast: true},                 // GARP
		{mac: "01:80:c2:00:01:00", multicast: true},
		{mac: "01:80:c3:00:00:00", multicast: true},
		{mac: "00:80:c2:00:00:00"},
		{mac: "01:80:c2:01:00:00", multicast: true},
	}
	for _, tc := range tests {
		t.Run(tc.mac, func(t *testing.T) {
			m, err := ParseMAC(tc.mac)
			require.NoError(t, err)
			assert.Equal(t, tc.multicast, m.IsMulticast(), "IsMulticast")
			assert.Equal(t, tc.broadcast, m.IsBroadcast(), "IsBroadcast")
			assert.Equal(t, tc.local, m.IsLocal(), "IsLocal")
			assert.Equal(t, tc.reserved, m.IsReserved(), "IsReserved")
			assert.Equal(t, tc.zero, m.IsZero(), "IsZero")
		})
	}
}

func TestParseMACAllMACsAndAllocs(t *testing.T) {
	var m MAC
	for i := range 256 {
		m = MAC{byte(i), byte(255 - i), byte(i * 7), 0, 0xff, byte(i)}
		got, err := ParseMAC(m.String())
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
	// ParseMAC of valid text must not allocate: it runs on every API call
	// and config line.
	allocs := testing.AllocsPerRun(100, func() { m, _ = ParseMAC("02:42:ac:11:00:02") })
	assert.Zero(t, allocs)
}

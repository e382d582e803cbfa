package frame

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBufFrame(t *testing.T) {
	b := GetBuf()
	defer PutBuf(b)
	f := b.Frame(100)
	require.Len(t, f, 100)
	f[0] = 0xaa
	assert.Equal(t, byte(0xaa), b[Headroom], "Frame starts right after the headroom")
	assert.GreaterOrEqual(t, cap(f), MaxFrame, "the frame can grow to MaxFrame in place")
	assert.Len(t, b.Frame(MaxFrame), 9216)
	assert.Len(t, b.Frame(0), 0)
	assert.Panics(t, func() { b.Frame(MaxFrame + 1) })

	// The headroom fits a VXLAN outer header (14+20+8+8 bytes).
	assert.GreaterOrEqual(t, Headroom, 50)
}

func TestPoolReuse(t *testing.T) {
	PutBuf(nil) // no-op
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				b := GetBuf()
				f := b.Frame(64)
				for j := range f {
					f[j] = byte(g + i)
				}
				for j := range f {
					if f[j] != byte(g+i) {
						t.Errorf("buffer shared between goroutines")
						return
					}
				}
				PutBuf(b)
			}
		})
	}
	wg.Wait()
}

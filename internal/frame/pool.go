package frame

import "sync"

// Buffer sizes. Headroom is room in front of a frame for outer headers
// (VXLAN adds 50 bytes) so that encapsulation happens in place; the rest
// holds a jumbo frame.
const (
	Headroom = 64
	BufSize  = Headroom + 9216
	// MaxFrame is the largest n that Buf.Frame accepts.
	MaxFrame = BufSize - Headroom
)

// Buf is a frame buffer with headroom. It is an array so that the pool
// hands out pointers to it, which GetBuf and PutBuf do without allocating.
// A Buf is not safe for concurrent use; the pool is.
type Buf [BufSize]byte

// Frame returns the n bytes after the headroom. It panics if n is negative
// or larger than MaxFrame.
func (b *Buf) Frame(n int) []byte { return b[Headroom : Headroom+n] }

var bufPool = sync.Pool{New: func() any { return new(Buf) }}

// GetBuf returns a buffer from the pool. Its contents are arbitrary. The
// caller owns it until it passes it to PutBuf. It is safe for concurrent
// use.
func GetBuf() *Buf { return bufPool.Get().(*Buf) }

// PutBuf returns b to the pool; the caller must not use b, or any slice of
// it, afterwards. PutBuf(nil) does nothing. It is safe for concurrent use.
func PutBuf(b *Buf) {
	if b != nil {
		bufPool.Put(b)
	}
}

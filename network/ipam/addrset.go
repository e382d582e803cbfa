package ipam

import "math/bits"

// Address sets are bitmaps over the offsets of a subnet, split into chunks
// of 65,536 addresses so that a large subnet (a /8 or even a /0) costs
// memory only where addresses are in use.
const (
	chunkShift = 16
	chunkSize  = 1 << chunkShift // addresses per chunk
	chunkWords = chunkSize / 64  // 1024 uint64 words
	fullWords  = chunkWords / 64 // 16 summary words
)

// chunk is the bitmap of 65,536 consecutive offsets. full has bit i set when
// words[i] is all ones, so the next word with a free bit is found by looking
// at 16 summary words instead of 1024.
type chunk struct {
	used  int
	words [chunkWords]uint64
	full  [fullWords]uint64
}

// nextNonFull returns the index of the first word at or after i that has a
// free bit, or chunkWords.
func (c *chunk) nextNonFull(i int) int {
	for j := i >> 6; j < fullWords; j++ {
		free := ^c.full[j]
		if j == i>>6 {
			free &= ^uint64(0) << (uint(i) & 63)
		}
		if free != 0 {
			return j<<6 | bits.TrailingZeros64(free)
		}
	}
	return chunkWords
}

// addrSet tracks which offsets of a subnet are in use.
//
// Invariant: every offset below hint is in use, so the lowest free offset
// is never below hint. Allocating from the bottom moves hint up; releasing
// an offset below hint moves it down. That makes "lowest free" O(1)
// amortized for Docker's allocation pattern.
type addrSet struct {
	size   uint64 // number of offsets, at most 1<<32
	chunks []*chunk
	hint   uint64
	used   uint64
	scans  uint64 // inner-loop steps, for the amortized-cost test
}

func newAddrSet(size uint64) addrSet {
	n := (size + chunkSize - 1) / chunkSize
	return addrSet{size: size, chunks: make([]*chunk, n)}
}

// has reports whether off is in use.
func (s *addrSet) has(off uint64) bool {
	c := s.chunks[off>>chunkShift]
	if c == nil {
		return false
	}
	in := off & (chunkSize - 1)
	return c.words[in>>6]&(1<<(in&63)) != 0
}

// add marks off as used. It reports false if off was already in use.
func (s *addrSet) add(off uint64) bool {
	ci := off >> chunkShift
	c := s.chunks[ci]
	if c == nil {
		c = new(chunk)
		s.chunks[ci] = c
	}
	in := off & (chunkSize - 1)
	wi, bit := in>>6, uint64(1)<<(in&63)
	if c.words[wi]&bit != 0 {
		return false
	}
	c.words[wi] |= bit
	if c.words[wi] == ^uint64(0) {
		c.full[wi>>6] |= 1 << (wi & 63)
	}
	c.used++
	s.used++
	if off == s.hint {
		s.hint++
	}
	return true
}

// remove marks off as free. It reports false if off was not in use.
func (s *addrSet) remove(off uint64) bool {
	c := s.chunks[off>>chunkShift]
	if c == nil {
		return false
	}
	in := off & (chunkSize - 1)
	wi, bit := in>>6, uint64(1)<<(in&63)
	if c.words[wi]&bit == 0 {
		return false
	}
	c.words[wi] &^= bit
	c.full[wi>>6] &^= 1 << (wi & 63)
	c.used--
	s.used--
	if off < s.hint {
		s.hint = off
	}
	return true
}

// lowestFree returns the lowest free offset in [from, to], to < size.
func (s *addrSet) lowestFree(from, to uint64) (uint64, bool) {
	start := max(from, s.hint)
	for start <= to {
		s.scans++
		ci := start >> chunkShift
		c := s.chunks[ci]
		if c == nil {
			return start, true
		}
		next := (ci + 1) << chunkShift
		if c.used == chunkSize {
			start = next
			continue
		}
		in := start & (chunkSize - 1)
		wi := int(in >> 6)
		if w := ^c.words[wi] & (^uint64(0) << (in & 63)); w != 0 {
			off := ci<<chunkShift | uint64(wi)<<6 | uint64(bits.TrailingZeros64(w))
			return off, off <= to
		}
		nw := c.nextNonFull(wi + 1)
		if nw == chunkWords {
			start = next
			continue
		}
		off := ci<<chunkShift | uint64(nw)<<6 | uint64(bits.TrailingZeros64(^c.words[nw]))
		return off, off <= to
	}
	return 0, false
}

// addLowest allocates the lowest free offset in [from, to].
func (s *addrSet) addLowest(from, to uint64) (uint64, bool) {
	off, ok := s.lowestFree(from, to)
	if !ok {
		return 0, false
	}
	// Everything in [max(from, hint), off) was seen in use: when the search
	// began at hint, hint may jump to just past off.
	moveHint := from <= s.hint
	s.add(off)
	if moveHint && off >= s.hint {
		s.hint = off + 1
	}
	return off, true
}

package vswitch

import (
	"cmp"
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// The filtering database is a sharded open-addressing hash table built for
// the forwarding path: readers (lookup, refreshing a known station) take no
// lock and do no read-modify-write, only atomic loads (plain moves on
// amd64) and at most one atomic store; writers (new stations, moves,
// deletes) serialize on their shard's mutex.
//
// A slot is {key, meta, seen}. key 0 is empty, key 1 a tombstone, else a
// packed (VLAN, MAC) with the top bit set. Writers publish meta and seen
// before key, and readers re-check key after reading meta, so a reader never
// takes one station's port for another's. Tables grow by copying into a new
// table and swapping a pointer; a refresh racing with the copy may be lost,
// which at worst ages a station one refresh early.

// fdbKey identifies a learned station: learning is per VLAN (IVL).
type fdbKey struct {
	mac  frame.MAC
	vlan uint16
}

func (k fdbKey) pack() uint64 {
	m := k.mac
	return packKey(uint64(binary.BigEndian.Uint32(m[0:4]))<<16|uint64(binary.BigEndian.Uint16(m[4:6])), k.vlan)
}

// packKey makes a table key from a MAC held in the low 48 bits of mac.
func packKey(mac uint64, vlan uint16) uint64 {
	return 1<<63 | uint64(vlan&0xfff)<<48 | mac
}

func unpack(p uint64) fdbKey {
	return fdbKey{
		vlan: uint16(p>>48) & 0xfff,
		mac:  frame.MAC{byte(p >> 40), byte(p >> 32), byte(p >> 24), byte(p >> 16), byte(p >> 8), byte(p)},
	}
}

const (
	slotEmpty  = 0
	slotTomb   = 1
	metaStatic = 1 << 32 // meta: port in the low 32 bits, flags above
)

type slot struct {
	key  atomic.Uint64
	meta atomic.Uint64
	seen atomic.Int64 // ns of the last frame from the station
}

type fdbTable struct {
	slots []slot
	mask  uint64
}

const (
	fdbShards    = 64 // power of two
	fdbShardBits = 6
	minTableSize = 8
)

type fdbShard struct {
	mu    sync.Mutex // serializes writers; readers never lock
	tab   atomic.Pointer[fdbTable]
	live  int // entries, guarded by mu
	tombs int // tombstones, guarded by mu
	_     [40]byte
}

// fdb is the bridge's filtering database.
type fdb struct {
	shards [fdbShards]fdbShard
	size   atomic.Int64
	// learned counts dynamic entries, the ones the limit applies to: as
	// with Linux's max_learned, static entries never crowd out learning.
	learned atomic.Int64
	limit   int64 // 0 = unlimited
}

func newFDB(limit int) *fdb {
	f := &fdb{limit: int64(limit)}
	for i := range f.shards {
		f.shards[i].tab.Store(&fdbTable{slots: make([]slot, minTableSize), mask: minTableSize - 1})
	}
	return f
}

// hashKey is Fibonacci hashing after folding the high half (VLAN and OUI)
// into the low one: the shard comes from the top bits, the slot from the
// bits below them.
func hashKey(p uint64) uint64 {
	return (p ^ p>>29) * 0x9e3779b97f4a7c15
}

func (f *fdb) shardOf(h uint64) *fdbShard { return &f.shards[h>>(64-fdbShardBits)] }

// find returns the slot holding key p in t, or nil. Lock-free.
func (t *fdbTable) find(p, h uint64) *slot {
	for i := (h >> 24) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		switch s.key.Load() {
		case p:
			return s
		case slotEmpty:
			return nil
		}
	}
}

type learnResult uint8

const (
	learnRefreshed learnResult = iota
	learnNew
	learnMoved
	learnFull
	learnStatic // a static entry owns the address; nothing changes
)

// learn records that the station with packed key p was seen on port at now.
// When the table is full it first reclaims this shard's entries older than
// aging (aging <= 0: none expire), adding their number to *aged.
func (f *fdb) learn(p uint64, port PortID, now, aging int64, aged *int) learnResult {
	h := hashKey(p)
	sh := f.shardOf(h)
	if s := sh.tab.Load().find(p, h); s != nil {
		meta := s.meta.Load()
		if s.key.Load() == p && meta&metaStatic == 0 && uint32(meta) == uint32(port) {
			if s.seen.Load() != now {
				s.seen.Store(now)
			}
			return learnRefreshed
		}
		if meta&metaStatic != 0 && s.key.Load() == p {
			return learnStatic
		}
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	t := sh.tab.Load()
	if s := t.find(p, h); s != nil { // re-check under the lock
		meta := s.meta.Load()
		if meta&metaStatic != 0 {
			return learnStatic
		}
		s.seen.Store(now)
		if uint32(meta) == uint32(port) {
			return learnRefreshed
		}
		s.meta.Store(uint64(uint32(port)))
		return learnMoved
	}
	if f.limit > 0 && f.learned.Load() >= f.limit {
		n := 0
		if aging > 0 {
			n = sh.expireLocked(now, aging)
			f.size.Add(int64(-n))
			f.learned.Add(int64(-n))
			*aged += n
		}
		if n == 0 {
			return learnFull
		}
	}
	sh.insert(p, h, uint64(uint32(port)), now)
	f.size.Add(1)
	f.learned.Add(1)
	return learnNew
}

// expireLocked tombstones the shard's dynamic entries older than aging and
// returns how many went. Called with sh.mu held.
func (sh *fdbShard) expireLocked(now, aging int64) int {
	n := 0
	t := sh.tab.Load()
	for j := range t.slots {
		s := &t.slots[j]
		if k := s.key.Load(); k == slotEmpty || k == slotTomb {
			continue
		}
		if s.meta.Load()&metaStatic == 0 && now-s.seen.Load() >= aging {
			s.key.Store(slotTomb)
			sh.live--
			sh.tombs++
			n++
		}
	}
	return n
}

// insert adds a key known to be absent. Called with sh.mu held.
func (sh *fdbShard) insert(p, h, meta uint64, seen int64) {
	t := sh.tab.Load()
	if (sh.live+sh.tombs+1)*4 > len(t.slots)*3 { // keep load under 3/4
		t = sh.rehash(t)
	}
	for i := (h >> 24) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if k := s.key.Load(); k == slotEmpty || k == slotTomb {
			if k == slotTomb {
				sh.tombs--
			}
			s.meta.Store(meta)
			s.seen.Store(seen)
			s.key.Store(p) // publish last
			sh.live++
			return
		}
	}
}

// rehash copies the live entries into a fresh table, doubled if it is more
// than half full of live entries, and publishes it.
func (sh *fdbShard) rehash(old *fdbTable) *fdbTable {
	n := len(old.slots)
	if (sh.live+1)*2 > n {
		n *= 2
	}
	t := &fdbTable{slots: make([]slot, n), mask: uint64(n - 1)}
	for i := range old.slots {
		s := &old.slots[i]
		k := s.key.Load()
		if k == slotEmpty || k == slotTomb {
			continue
		}
		for j := (hashKey(k) >> 24) & t.mask; ; j = (j + 1) & t.mask {
			d := &t.slots[j]
			if d.key.Load() == slotEmpty {
				d.meta.Store(s.meta.Load())
				d.seen.Store(s.seen.Load())
				d.key.Store(k)
				break
			}
		}
	}
	sh.tombs = 0
	sh.tab.Store(t)
	return t
}

// lookup returns the port of the station with packed key p if it is known
// and not expired at now (aging <= 0 means entries never expire). Lock-free.
func (f *fdb) lookup(p uint64, now, aging int64) (PortID, bool) {
	h := hashKey(p)
	s := f.shardOf(h).tab.Load().find(p, h)
	if s == nil {
		return 0, false
	}
	meta := s.meta.Load()
	seen := s.seen.Load()
	if s.key.Load() != p { // deleted or replaced while we read
		return 0, false
	}
	live := meta&metaStatic != 0 || aging <= 0 || now-seen < aging
	return PortID(uint32(meta)), live
}

func (f *fdb) addStatic(k fdbKey, port PortID) {
	p := k.pack()
	h := hashKey(p)
	sh := f.shardOf(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if s := sh.tab.Load().find(p, h); s != nil {
		if s.meta.Load()&metaStatic == 0 {
			f.learned.Add(-1) // a learned entry becomes static
		}
		s.meta.Store(metaStatic | uint64(uint32(port)))
		return
	}
	sh.insert(p, h, metaStatic|uint64(uint32(port)), 0)
	f.size.Add(1)
}

func (f *fdb) remove(k fdbKey) bool {
	p := k.pack()
	h := hashKey(p)
	sh := f.shardOf(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	s := sh.tab.Load().find(p, h)
	if s == nil {
		return false
	}
	if s.meta.Load()&metaStatic == 0 {
		f.learned.Add(-1)
	}
	s.key.Store(slotTomb)
	sh.live--
	sh.tombs++
	f.size.Add(-1)
	return true
}

// deleteIf removes every entry for which drop returns true and returns how
// many went. drop gets the key, port, static flag and last-seen time.
func (f *fdb) deleteIf(drop func(k fdbKey, port PortID, static bool, seen int64) bool) int {
	n, dyn := 0, 0
	for i := range f.shards {
		sh := &f.shards[i]
		sh.mu.Lock()
		t := sh.tab.Load()
		for j := range t.slots {
			s := &t.slots[j]
			k := s.key.Load()
			if k == slotEmpty || k == slotTomb {
				continue
			}
			meta := s.meta.Load()
			static := meta&metaStatic != 0
			if drop(unpack(k), PortID(uint32(meta)), static, s.seen.Load()) {
				s.key.Store(slotTomb)
				sh.live--
				sh.tombs++
				n++
				if !static {
					dyn++
				}
			}
		}
		if sh.tombs > 0 && sh.tombs*4 > len(t.slots) {
			sh.rehash(t) // many tombstones slow every probe: clean up
		}
		sh.mu.Unlock()
	}
	f.size.Add(int64(-n))
	f.learned.Add(int64(-dyn))
	return n
}

// expire removes dynamic entries not seen for aging.
func (f *fdb) expire(now, aging int64) int {
	if aging <= 0 {
		return 0
	}
	return f.deleteIf(func(_ fdbKey, _ PortID, static bool, seen int64) bool {
		return !static && now-seen >= aging
	})
}

// FDBEntry is one row of the bridge's forwarding table, for display.
type FDBEntry struct {
	VLAN     uint16
	MAC      frame.MAC
	Port     PortID
	PortName string
	Static   bool
	// Age is the time since the station was last seen (0 for static).
	Age time.Duration
}

// list returns the live entries sorted by VLAN, then MAC.
func (f *fdb) list(now, aging int64) []FDBEntry {
	out := make([]FDBEntry, 0, f.size.Load())
	for i := range f.shards {
		sh := &f.shards[i]
		sh.mu.Lock()
		t := sh.tab.Load()
		for j := range t.slots {
			s := &t.slots[j]
			k := s.key.Load()
			if k == slotEmpty || k == slotTomb {
				continue
			}
			meta := s.meta.Load()
			static := meta&metaStatic != 0
			age := now - s.seen.Load()
			if !static && aging > 0 && age >= aging {
				continue
			}
			key := unpack(k)
			ent := FDBEntry{VLAN: key.vlan, MAC: key.mac, Port: PortID(uint32(meta)), Static: static}
			if !static {
				ent.Age = time.Duration(age)
			}
			out = append(out, ent)
		}
		sh.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b FDBEntry) int {
		if c := cmp.Compare(a.VLAN, b.VLAN); c != 0 {
			return c
		}
		return slices.Compare(a.MAC[:], b.MAC[:])
	})
	return out
}

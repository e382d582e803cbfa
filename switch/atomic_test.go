package vswitch

import "sync/atomic"

func atomicAdd(p *uint32) uint32 { return atomic.AddUint32(p, 1) - 1 }

package node

import (
	"testing"

	"go.uber.org/goleak"
)

// The node starts no goroutines; nothing may be left running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

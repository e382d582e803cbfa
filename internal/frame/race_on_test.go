//go:build race

package frame

// raceEnabled skips allocation counts that the race detector distorts
// (sync.Pool drops items at random under -race).
const raceEnabled = true

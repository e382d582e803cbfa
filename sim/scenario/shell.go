package scenario

import (
	"errors"
	"fmt"
	"strings"
)

// ErrShell marks a docker step's command line that cannot be split (an
// open quote, a pipe, an expansion).
var ErrShell = errors.New("shell syntax")

// shellError is a SplitCommand error: its text is the message alone, and
// errors.Is finds ErrShell.
type shellError struct{ msg string }

func (e *shellError) Error() string { return e.msg }
func (e *shellError) Unwrap() error { return ErrShell }

func shellErrorf(format string, args ...any) error {
	return &shellError{fmt.Sprintf(format, args...)}
}

// SplitCommand splits a command line into words as a POSIX shell would:
// white space separates words, single quotes keep everything literal,
// double quotes keep everything but \" \\ \$ \` and a backslash escapes the
// next character; a backslash before a newline joins lines. Pipes,
// redirections, command separators, substitutions and variables are
// refused (with ErrShell): a step runs one command.
func SplitCommand(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			flush()
		case '\\':
			if i+1 >= len(line) {
				return nil, shellErrorf("the command ends with a backslash")
			}
			i++
			if line[i] != '\n' {
				cur.WriteByte(line[i])
				inWord = true
			}
		case '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, shellErrorf("unterminated single quote")
			}
			cur.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case '"':
			inWord = true
			i++
			for ; ; i++ {
				if i >= len(line) {
					return nil, shellErrorf("unterminated double quote")
				}
				d := line[i]
				if d == '"' {
					break
				}
				if d == '$' || d == '`' {
					return nil, shellErrorf("%c expansions are not supported; quote with '...' instead", d)
				}
				if d == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0 {
					i++
					if line[i] != '\n' {
						cur.WriteByte(line[i])
					}
					continue
				}
				cur.WriteByte(d)
			}
		case '|', '&', ';', '<', '>', '(', ')':
			return nil, shellErrorf("shell operator %q is not supported: a docker step runs one command (no pipes, redirections or lists)", string(c))
		case '$', '`':
			return nil, shellErrorf("%c expansions are not supported; quote with '...' to pass it literally", c)
		case '#':
			if !inWord {
				return nil, shellErrorf("# starts a comment in a shell; quote it to pass it literally")
			}
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, nil
}

// SplitDockerLine splits a docker step's line like SplitCommand, and also
// accepts one pipe into jq with the identity filter ("... | jq" or
// "... | jq ."), as the guides write to pretty-print JSON. jq reports
// whether the line had it.
func SplitDockerLine(line string) (args []string, jq bool, err error) {
	left, right, piped := cutPipe(line)
	if !piped {
		args, err = SplitCommand(line)
		return args, false, err
	}
	if args, err = SplitCommand(left); err != nil {
		return nil, false, err
	}
	filter, err := SplitCommand(right)
	if err != nil {
		return nil, false, err
	}
	if len(filter) == 0 || filter[0] != "jq" || len(filter) > 2 || (len(filter) == 2 && filter[1] != ".") {
		return nil, false, shellErrorf("shell operator \"|\" is not supported: a docker step runs one command (no pipes, redirections or lists; only \"| jq\" or \"| jq .\" may follow it)")
	}
	return args, true, nil
}

// cutPipe splits line at its first "|" outside quotes.
func cutPipe(line string) (left, right string, ok bool) {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\':
			i++
		case quote == '"':
			if c == '"' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '|':
			return line[:i], line[i+1:], true
		}
	}
	return line, "", false
}

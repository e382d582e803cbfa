package arch

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/vswitch/vswitch"

// corePackages never touch the OS, the wall clock's owners or the layers
// above them; the simulator and the daemon drive them.
var corePackages = []string{
	"internal/frame",
	"switch",
	"switch/stp",
	"vxlan",
	"nat",
	"dnsd",
	"network",
	"network/ipam",
	"dockercli", // the docker CLI over the model: sim/scenario and the daemon both use it
}

// forbidden reports why an import is not allowed in a core package.
func forbidden(path string) (string, bool) {
	switch {
	case path == "os", path == "os/exec", path == "os/signal":
		return "touches the OS", true
	case path == "syscall", strings.HasPrefix(path, "golang.org/x/sys"):
		return "makes system calls", true
	case path == "net/http":
		return "speaks real HTTP", true
	case strings.Contains(path, "netlink"):
		return "talks netlink", true
	case path == module+"/sim" || strings.HasPrefix(path, module+"/sim/"):
		return "imports the simulator (a layer above)", true
	case path == module+"/daemon" || strings.HasPrefix(path, module+"/daemon/"):
		return "imports the daemon (a layer above)", true
	case strings.HasPrefix(path, module+"/cmd/"):
		return "imports a binary", true
	}
	return "", false
}

func TestCoreImports(t *testing.T) {
	root := filepath.Join("..", "..")
	checked := 0
	for _, pkg := range corePackages {
		dir := filepath.Join(root, filepath.FromSlash(pkg))
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("%s exists but has no Go files", pkg)
			}
			continue // not written yet
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if why, bad := forbidden(path); bad {
					t.Errorf("%s imports %q: a core package %s", file, path, why)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no core package files found: is the test running from internal/arch?")
	}
}

// TestForbiddenRule makes sure the rule itself catches what it must.
func TestForbiddenRule(t *testing.T) {
	for _, p := range []string{"os", "syscall", "golang.org/x/sys/unix", "github.com/vishvananda/netlink", module + "/sim", module + "/sim/host", module + "/daemon"} {
		if _, bad := forbidden(p); !bad {
			t.Errorf("%q should be forbidden", p)
		}
	}
	for _, p := range []string{"time", "sync", module + "/internal/frame", module + "/simulator-free", "github.com/miekg/dns"} {
		if _, bad := forbidden(p); bad {
			t.Errorf("%q should be allowed", p)
		}
	}
}

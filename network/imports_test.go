package network

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPureImports keeps the model pure: no OS, no simulator, no daemon.
func TestPureImports(t *testing.T) {
	forbidden := []string{"os", "os/exec", "syscall", "net/http", "golang.org/x/sys", "github.com/vishvananda/netlink",
		"github.com/vswitch/vswitch/sim", "github.com/vswitch/vswitch/daemon"}
	for _, dir := range []string{".", "ipam"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s imports %s", f, path)
					}
				}
			}
		}
	}
}

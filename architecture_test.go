package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The rules of the house, checked: three layers, and each library behind the layer that owns it.
//
//   - domain imports nothing of ours: the rules are plain Go.
//   - only app (the web layer) imports echo, so a move to echo v5 is mechanical; its own subpackages do not.
//   - only repository imports gorm.
//   - nothing imports app but main.go; nothing imports repository but app (and the tests' helpers).
//   - repository/mail delivers text: it imports nothing of ours but config.
//   - app/loadrun (`guanai bench`) speaks to a server over HTTP only: the standard library and an HTML tokenizer.
func TestLayers(t *testing.T) {
	imports := importsByDir(t)
	if len(imports["domain"]) == 0 || len(imports["app"]) == 0 {
		t.Fatalf("found no imports for domain or app: the scan is broken (%d directories)", len(imports))
	}
	for dir, files := range imports {
		for file, paths := range files {
			for _, p := range paths {
				if why := refused(dir, file, p); why != "" {
					t.Errorf("%s imports %s: %s", file, p, why)
				}
			}
		}
	}
}

func refused(dir, file, path string) string {
	ours := path == "guanai" || strings.HasPrefix(path, "guanai/")
	test := strings.HasSuffix(file, "_test.go")
	switch {
	case dir == "domain" && ours && !(test && path == "guanai/domain"):
		return "domain imports nothing of ours"
	case strings.HasPrefix(path, "github.com/labstack/echo") && dir != "app":
		return "only app imports echo"
	case strings.HasPrefix(path, "gorm.io/") && dir != "repository":
		return "only repository imports gorm"
	case path == "guanai/app" && dir != "." && dir != "app":
		return "nothing imports app but main.go"
	case path == "guanai/repository" && !(dir == "app" || dir == "repository" || strings.HasPrefix(dir, "repository/")):
		return "only app reaches the database"
	case (dir == "mail" || dir == "mail/mailtest") && ours && path != "guanai/config" && !(test && strings.HasPrefix(path, "guanai/repository/mail")):
		return "mail delivers text and knows nothing of ours but its settings"
	case dir == "app/loadrun" && (ours || strings.Contains(strings.Split(path, "/")[0], ".") && path != "golang.org/x/net/html"):
		return "loadrun speaks HTTP only: the standard library and golang.org/x/net/html"
	}
	return ""
}

// importsByDir reads the imports of every Go file of the module: directory → file → import paths.
func importsByDir(t *testing.T) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		if out[dir] == nil {
			out[dir] = map[string][]string{}
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			out[dir][p] = append(out[dir][p], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLayerRulesRefuse(t *testing.T) {
	for _, c := range []struct {
		dir, file, path string
		refused         bool
	}{
		{"domain", "domain/money.go", "guanai/config", true},
		{"domain", "domain/money_test.go", "guanai/domain", false},
		{"domain", "domain/money.go", "golang.org/x/crypto/argon2", false},
		{"repository", "repository/store.go", "github.com/labstack/echo/v4", true},
		{"app/spreadsheet", "app/spreadsheet/read.go", "github.com/labstack/echo/v4", true},
		{"app", "app/routes.go", "github.com/labstack/echo/v4", false},
		{"app", "app/routes.go", "gorm.io/gorm", true},
		{"repository", "repository/store.go", "gorm.io/gorm", false},
		{"repository", "repository/store.go", "guanai/app", true},
		{".", "main.go", "guanai/app", false},
		{"domain", "domain/x.go", "guanai/repository", true},
		{"config", "config/config.go", "guanai/repository", true},
		{"app/loadrun", "app/loadrun/user.go", "net/http", false},
		{"app/loadrun", "app/loadrun/page.go", "golang.org/x/net/html", false},
		{"app/loadrun", "app/loadrun/user.go", "github.com/labstack/echo/v4", true},
		{"app/loadrun", "app/loadrun/user.go", "guanai/domain", true},
		{"mail", "mail/mail.go", "guanai/config", false},
		{"mail", "mail/mail.go", "guanai/repository", true},
		{"mail", "mail/mail.go", "guanai/domain", true},
	} {
		if got := refused(c.dir, c.file, c.path) != ""; got != c.refused {
			t.Errorf("%s importing %s: refused %v, want %v", c.file, c.path, got, c.refused)
		}
	}
}

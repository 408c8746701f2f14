package spreadsheet

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNeitherWebNorDatabase holds the package to file formats: nothing of echo, gorm, the repository or the
// fund's domain, so that it can be read, tested and changed without them.
func TestImportsNeitherWebNorDatabase(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("sheettest/*.go")
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, banned := range []string{"github.com/labstack/echo", "gorm.io/", "guanai/repository", "guanai/domain"} {
				if strings.HasPrefix(path, banned) {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
	if len(files) < 5 {
		t.Fatalf("found only %v: the scan is broken", files)
	}
}

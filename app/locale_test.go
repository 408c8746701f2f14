package app

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/templates"
)

// loadMessages merges every message file of a language; a key defined in two files is a mistake.
func loadMessages(t *testing.T, lang string) map[string]string {
	t.Helper()
	files, _ := fs.Glob(templates.FS, "locales/*."+lang+".json")
	all := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(templates.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			if _, dup := all[k]; dup {
				t.Errorf("%s defines %s again", f, k)
			}
			all[k] = v
		}
	}
	if len(all) == 0 {
		t.Fatalf("no %s messages", lang)
	}
	return all
}

// TestEveryMessageIsTranslated finds the message keys the templates and the Go code use and checks both languages
// have each of them, so no page ever shows a bare key.
func TestEveryMessageIsTranslated(t *testing.T) {
	zh, en := loadMessages(t, "zh-CN"), loadMessages(t, "en")
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("%s has no English", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("%s has no Chinese", k)
		}
	}
	used := map[string]bool{}
	inTemplates := regexp.MustCompile(`T "([a-z_]+\.[a-z0-9_.]+)"`)
	_ = fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			b, _ := fs.ReadFile(templates.FS, p)
			for _, m := range inTemplates.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
		return err
	})
	inGo := regexp.MustCompile(`"((?:error|eligibility|register|verification|person|password|reset|login|close|uploads)\.[a-z0-9_]+)"`)
	for _, dir := range []string{".", "../domain", "../repository"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, _ := os.ReadFile(f)
			for _, m := range inGo.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
	}
	for _, r := range domain.Roles {
		used["role."+string(r)] = true
	}
	for _, s := range []string{"pending", "active", "rejected", "suspended", "closed"} {
		used["status."+s] = true
		used["login.status_"+s] = s != "pending" && s != "active"
	}
	for _, g := range domain.Grades {
		used["grade."+g] = true
	}
	for _, d := range domain.Weekdays {
		used["weekday."+d] = true
	}
	for _, p := range domain.DayParts {
		used["daypart."+p] = true
	}
	for _, code := range []string{"400", "403", "404", "413", "500", "503", "csrf"} {
		used["error."+code+".title"], used["error."+code+".body"] = true, true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	// Audit action names and the bases of composed keys look like message keys but are not shown as such.
	notMessages := regexp.MustCompile(`_$|^error\.(\d{3}|csrf)$|^password\.(change|reset|reset_link)$`)
	for k, need := range used {
		if need && !notMessages.MatchString(k) && zh[k] == "" {
			t.Errorf("message %q is used but not translated", k)
		}
	}
}

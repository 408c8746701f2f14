package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `guanai simulate` needs no database or configuration: a small city's week prints its figures, writes them as
// JSON, and the same seed prints the same figures.
func TestSimulateCommand(t *testing.T) {
	dir := t.TempDir()
	params := filepath.Join(dir, "small.json")
	if err := os.WriteFile(params, []byte(`{"staff": 400, "volunteers": 1200}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "week.json")
	code, stdout, stderr := runMain(nil, "simulate", "--seed", "4", "--params", params, "--quiet", "--json", out)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"city week (seed 4, 7 days)", "matched", "time to acceptance", "emergency",
		"offered at least one task", "Gini", "one by one", "bulk assignment", "proposed in bulk"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in:\n%s", want, stdout)
		}
	}
	type week struct {
		Seed      uint64 `json:"seed"`
		Requests  int    `json:"requests"`
		Scheduled struct {
			Requests int `json:"requests"`
			Proposed int `json:"bulk_proposed"`
		} `json:"scheduled"`
	}
	var rep struct {
		OneByOne week  `json:"one_by_one"`
		Bulk     *week `json:"bulk"`
	}
	if b, err := os.ReadFile(out); err != nil || json.Unmarshal(b, &rep) != nil || rep.OneByOne.Seed != 4 || rep.OneByOne.Requests == 0 {
		t.Fatalf("JSON %+v, %v", rep, err)
	}
	if rep.Bulk == nil || rep.Bulk.Requests != rep.OneByOne.Requests || rep.Bulk.Scheduled.Proposed == 0 || rep.OneByOne.Scheduled.Proposed != 0 {
		t.Fatalf("the bulk week: %+v (one by one: %+v)", rep.Bulk, rep.OneByOne)
	}
	_, again, _ := runMain(nil, "simulate", "--seed", "4", "--params", params, "--quiet")
	strip := func(s string) string { return s[:strings.Index(s, "simulated in")] }
	if strip(again) != strip(stdout) {
		t.Errorf("the same seed printed different figures:\n%s\n%s", stdout, again)
	}
	if code, only, _ := runMain(nil, "simulate", "--seed", "4", "--params", params, "--quiet", "--bulk=false"); code != 0 || strings.Contains(only, "bulk assignment") {
		t.Errorf("--bulk=false: exit %d, and the comparison printed:\n%s", code, only)
	}
	if code, _, _ := runMain(nil, "simulate", "--days", "0"); code != 2 {
		t.Errorf("--days 0: exit %d, want 2", code)
	}
	if code, _, _ := runMain(nil, "simulate", "--params", filepath.Join(dir, "missing.json")); code != 2 {
		t.Errorf("a missing parameters file: exit %d, want 2", code)
	}
}

//go:build ignore

// Command govulncheck-filter reads the output of `govulncheck -format json`
// on stdin and fails (exit status 1) when the scanned code is affected by a
// vulnerability that is not listed in the allow-list file.
//
// Usage (from .ci/run):
//
//	govulncheck -format json ./... > out.json
//	go run .ci/govulncheck-filter.go -allow .ci/govulncheck-allow < out.json
//
// Why the JSON stream and not the text output: govulncheck v1 emits one JSON
// object per message (config, SBOM, progress, osv, finding). A "finding"
// carries the OSV ID and a call trace whose first frame is the vulnerable
// symbol. Findings come at three precisions for the same ID:
//
//   - module level: trace[0] has only module/version (the module is required);
//   - package level: trace[0] also has a package (the package is imported);
//   - symbol level: trace[0] also has a function (the code calls it).
//
// Only symbol-level findings mean "your code is affected" — they are exactly
// the "Vulnerability #N: GO-..." entries of the default text output and the
// ones that make govulncheck exit with status 3. Those are the ones checked
// against the allow-list; module/package-level ones are only counted. This
// relies on the documented JSON protocol instead of the layout of the
// human-oriented text report.
//
// The allow-list file has one entry per line: an OSV ID followed by a `#`
// comment giving the reason it is accepted. An entry without a reason is an
// error. Lines that start with `#` and blank lines are ignored.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
	} `json:"position"`
}

type message struct {
	Config *struct {
		ScannerVersion string `json:"scanner_version"`
		DB             string `json:"db"`
		GoVersion      string `json:"go_version"`
		ScanLevel      string `json:"scan_level"`
	} `json:"config"`
	OSV *struct {
		ID       string `json:"id"`
		Summary  string `json:"summary"`
		Affected []struct {
			Package struct {
				Name string `json:"name"`
			} `json:"package"`
			EcosystemSpecific struct {
				Imports []json.RawMessage `json:"imports"`
			} `json:"ecosystem_specific"`
		} `json:"affected"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

var (
	idRE    = regexp.MustCompile(`^GO-\d{4}-\d+$`)
	majorRE = regexp.MustCompile(`^v[0-9]+$`)
)

func readAllowList(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	allow := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, "#")
		id, reason = strings.TrimSpace(id), strings.TrimSpace(reason)
		if !idRE.MatchString(id) {
			return nil, fmt.Errorf("%s:%d: %q is not an OSV ID like GO-2026-1234", path, n, id)
		}
		if reason == "" {
			return nil, fmt.Errorf("%s:%d: %s has no reason (write it as a # comment on the same line)", path, n, id)
		}
		allow[id] = reason
	}
	return allow, sc.Err()
}

func symbol(fr frame) string {
	name := fr.Function
	if fr.Receiver != "" {
		name = strings.TrimPrefix(fr.Receiver, "*") + "." + name
	}
	// Short package name: last path element, skipping a major-version
	// suffix (github.com/labstack/echo/v4 -> echo).
	parts := strings.Split(fr.Package, "/")
	pkg := parts[len(parts)-1]
	if len(parts) > 1 && majorRE.MatchString(pkg) {
		pkg = parts[len(parts)-2]
	}
	s := pkg + "." + name
	if fr.Position != nil && fr.Position.Filename != "" {
		s = fmt.Sprintf("%s (%s:%d)", s, fr.Position.Filename, fr.Position.Line)
	}
	return s
}

func run() error {
	allowPath := flag.String("allow", ".ci/govulncheck-allow", "allow-list file")
	flag.Parse()

	allow, err := readAllowList(*allowPath)
	if err != nil {
		return err
	}

	summaries := map[string]string{}
	fixed := map[string]string{}
	modules := map[string]string{}
	calledVia := map[string]string{} // ID -> shortest example "user code -> vulnerable symbol"
	traceLen := map[string]int{}
	wholeModule := map[string]bool{} // "ID module": the advisory lists no packages/symbols for module
	importedOnly := map[string]bool{}
	sawConfig := false

	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("reading govulncheck JSON: %w", err)
		}
		switch {
		case m.Config != nil:
			sawConfig = true
			fmt.Printf("govulncheck %s, %s, db %s, scan level %s\n",
				m.Config.ScannerVersion, m.Config.GoVersion, m.Config.DB, m.Config.ScanLevel)
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
			for _, a := range m.OSV.Affected {
				if len(a.EcosystemSpecific.Imports) == 0 {
					wholeModule[m.OSV.ID+" "+a.Package.Name] = true
				}
			}
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f := m.Finding
			top := f.Trace[0]
			if top.Function == "" {
				importedOnly[f.OSV] = true
				continue
			}
			fixed[f.OSV] = f.FixedVersion
			modules[f.OSV] = top.Module + "@" + top.Version
			if n, ok := traceLen[f.OSV]; !ok || len(f.Trace) < n {
				traceLen[f.OSV] = len(f.Trace)
				calledVia[f.OSV] = symbol(f.Trace[len(f.Trace)-1]) + " -> " + symbol(top)
			}
		}
	}
	if !sawConfig {
		return errors.New("no govulncheck config message in the input: is it `govulncheck -format json` output?")
	}

	var ids []string
	for id := range calledVia {
		ids = append(ids, id)
		delete(importedOnly, id)
	}
	sort.Strings(ids)

	var bad []string
	for _, id := range ids {
		fix := fixed[id]
		if fix == "" {
			fix = "none"
		}
		status := "NOT ALLOWED"
		if reason, ok := allow[id]; ok {
			status = "allowed: " + reason
		} else {
			bad = append(bad, id)
		}
		fmt.Printf("\n%s  %s\n  %s\n  module %s, fixed in: %s\n  e.g. %s\n",
			id, summaries[id], "https://pkg.go.dev/vuln/"+id, modules[id], fix, calledVia[id])
		mod, _, _ := strings.Cut(modules[id], "@")
		if wholeModule[id+" "+mod] {
			fmt.Printf("  (the advisory names no packages or symbols for %s: any call into it counts)\n", mod)
		}
		fmt.Printf("  -> %s\n", status)
	}
	fmt.Printf("\n%d vulnerabilities affect the code (called), %d allowed, %d not allowed; "+
		"%d more are only in imported packages or required modules and are not called.\n",
		len(ids), len(ids)-len(bad), len(bad), len(importedOnly))

	var stale []string
	for id := range allow {
		if _, ok := calledVia[id]; !ok {
			stale = append(stale, id)
		}
	}
	sort.Strings(stale)
	for _, id := range stale {
		fmt.Printf("note: allow-list entry %s no longer matches any finding; remove it from %s\n", id, *allowPath)
	}

	if len(bad) > 0 {
		return fmt.Errorf("vulnerabilities not in %s: %s", *allowPath, strings.Join(bad, ", "))
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "govulncheck-filter: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("govulncheck-filter: OK")
}

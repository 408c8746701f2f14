package loadrun

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is the server's resident memory over the run, sampled once a second.
type Memory struct {
	Source  string `json:"source"`              // "/metrics", or "/proc/PID/status" with --pid
	PeakRSS int64  `json:"peak_rss_bytes"`      // the largest sample
	HWM     int64  `json:"hwm_bytes,omitempty"` // VmHWM (--pid only): the process's peak since it started
	Samples int    `json:"samples"`
	Problem string `json:"problem,omitempty"` // why there are no (more) samples
}

// watchMemory samples the server's memory every second until the function it returns is called, which samples
// once more and returns what was seen.
func watchMemory(ctx context.Context, o Options, transport http.RoundTripper) (stop func() Memory) {
	m := Memory{Source: "/metrics"}
	read := func() (rss, hwm int64, err error) { return metricsRSS(ctx, o.URL, transport) }
	if o.PID > 0 {
		m.Source = fmt.Sprintf("/proc/%d/status", o.PID)
		read = func() (int64, int64, error) { return procMemory(m.Source) }
	}
	sample := func() bool {
		rss, hwm, err := read()
		if err != nil {
			m.Problem = err.Error()
			return false
		}
		m.Samples++
		m.PeakRSS, m.HWM = max(m.PeakRSS, rss), max(m.HWM, hwm)
		return true
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for ok := sample(); ok; ok = sample() {
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() Memory {
		close(done)
		wg.Wait()
		if m.Problem == "" {
			sample()
		}
		return m
	}
}

// metricsRSS reads process_resident_memory_bytes from the server's Prometheus page, which answers only the
// networks in GUANAI_METRICS_NETWORKS (this machine, by default).
func metricsRSS(ctx context.Context, base string, transport http.RoundTripper) (int64, int64, error) {
	// Not cut short by Ctrl-C: the last sample is taken after the users stopped, however they were stopped.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return 0, 0, fmt.Errorf("/metrics answered %d: is this machine in GUANAI_METRICS_NETWORKS? (or use --pid)", resp.StatusCode)
	}
	v, err := metricValue(resp.Body, "process_resident_memory_bytes")
	return v, 0, err
}

// metricValue finds a metric without labels in Prometheus text: "name 1.234e+07".
func metricValue(r io.Reader, name string) (int64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/metrics has no %s (a server not on Linux?)", name)
}

// procMemory reads VmRSS (now) and VmHWM (the peak so far) of a process on this machine.
func procMemory(path string) (rss, hwm int64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		key, val, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch key {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("%s has no VmRSS", path)
	}
	return rss, hwm, nil
}

package loadrun

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestMetricValueReadsPrometheusText(t *testing.T) {
	text := "# HELP process_resident_memory_bytes Resident memory size in bytes.\n" +
		"# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes_total 1\n" +
		"process_resident_memory_bytes 8.8637440e+07\n"
	if v, err := metricValue(strings.NewReader(text), "process_resident_memory_bytes"); err != nil || v != 88637440 {
		t.Errorf("got %d %v", v, err)
	}
	if _, err := metricValue(strings.NewReader("go_goroutines 8\n"), "process_resident_memory_bytes"); err == nil {
		t.Error("a missing metric: no error")
	}
}

func TestProcMemoryReadsThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here")
	}
	rss, hwm, err := procMemory("/proc/" + strconv.Itoa(os.Getpid()) + "/status")
	if err != nil || rss <= 0 || hwm < rss {
		t.Errorf("rss %d, hwm %d, %v", rss, hwm, err)
	}
}

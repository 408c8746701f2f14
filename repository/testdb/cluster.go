package testdb

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// Cluster is a PostgreSQL server of a test's own, in a temporary directory, for the tests that stop, kill and
// restart the database: doing that to the shared server would break every other test running beside them.
type Cluster struct {
	t    testing.TB
	bin  string // the server's programs
	dir  string // its data directory (and socket)
	port int
	// owner runs the server's programs: PostgreSQL refuses to run as root, so as root (CI) they run as postgres.
	owner string
}

// NewCluster initialises and starts a server on a free port; it is stopped and removed when the test ends.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("no PostgreSQL server programs under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
	}
	c := &Cluster{t: t, bin: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	dir, err := os.MkdirTemp("", "guanai-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	if os.Geteuid() == 0 {
		c.owner = "postgres"
		u, err := user.Lookup(c.owner)
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		c.run("pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "stop") //nolint:errcheck // it may be down already
		os.RemoveAll(c.dir)
	})
	if out, err := c.run("initdb", "-D", c.dir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Start()
	return c
}

// URL is the address of a database on the cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=60", c.port, c.dir)
	if out, err := c.run("pg_ctl", "-D", c.dir, "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "start"); err != nil {
		c.t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
}

// Crash stops the server at once, as a power cut or a kill -9 of the postmaster would: no checkpoint, every
// connection dropped; the next start recovers from the write-ahead log.
func (c *Cluster) Crash() {
	c.t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "stop"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

func (c *Cluster) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, program)
	cmd := exec.Command(path, args...)
	if c.owner != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.owner, "--", path}, args...)...)
	}
	cmd.Dir = os.TempDir()
	return cmd.CombinedOutput()
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

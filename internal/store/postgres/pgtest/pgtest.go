// Package pgtest gives tests a real PostgreSQL server: a throwaway cluster,
// created with initdb in a temporary directory and started with pg_ctl on a
// free port, shared by the tests of one package and removed when they end.
// Each call to URL hands out a new, empty database in it.
//
// A package using it runs its tests through Main:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// The server binaries are looked up in $TOKENSMITH_POSTGRES_BIN, then
// /usr/lib/postgresql/<version>/bin, then PATH (make tools installs them).
// When they are missing a test fails, saying how to get them; it is skipped
// instead only when TOKENSMITH_TEST_POSTGRES=skip says that PostgreSQL is
// not required, as on a developer machine without it. make test never sets it.
//
// initdb and postgres refuse to run as root. When the tests run as root the
// cluster's directory is given to the "postgres" system user and both run
// as that user.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// SkipEnv, set to "skip", lets tests that need PostgreSQL skip when its
// binaries are missing.
const SkipEnv = "TOKENSMITH_TEST_POSTGRES"

// BinEnv names a directory holding initdb and pg_ctl.
const BinEnv = "TOKENSMITH_POSTGRES_BIN"

var (
	inMain  atomic.Bool
	once    sync.Once
	shared  *Cluster
	initErr error
	dbSeq   atomic.Int64
)

// Main runs the package's tests and then stops the shared cluster, if one
// was started.
func Main(m *testing.M) int {
	inMain.Store(true)
	code := m.Run()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// URL returns the connection URL of a new, empty database on the shared
// cluster, starting the cluster on first use.
func URL(t testing.TB) string {
	t.Helper()
	if !inMain.Load() {
		t.Fatal("pgtest: the package's TestMain must run its tests through pgtest.Main, which removes the cluster")
	}
	once.Do(func() { shared, initErr = Start() })
	if errors.Is(initErr, ErrNoBinaries) && os.Getenv(SkipEnv) == "skip" {
		t.Skipf("pgtest: %v; skipped because %s=skip", initErr, SkipEnv)
	}
	if initErr != nil {
		t.Fatalf("pgtest: %v (set %s=skip to skip tests that need PostgreSQL)", initErr, SkipEnv)
	}
	url, err := shared.NewDatabase(context.Background())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return url
}

// ErrNoBinaries: initdb and pg_ctl were not found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found; run make tools, or set " + BinEnv)

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	dir   string
	bin   string
	port  int
	owner *syscall.Credential
}

// Binaries returns the directory holding initdb and pg_ctl.
func Binaries() (string, error) {
	var dirs []string
	if d := os.Getenv(BinEnv); d != "" {
		dirs = append(dirs, d)
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	dirs = append(dirs, found...)
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Start creates and starts a cluster. Its one role, tsm, is a superuser
// that connects without a password from 127.0.0.1.
func Start() (*Cluster, error) {
	bin, err := Binaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tsm-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs a postgres system user to own the cluster: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.owner = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if out, err := c.run("initdb", "-D", c.data(), "-A", "trust", "-U", "tsm", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// A port taken between the probe and the server's bind fails the
	// start; another free port usually works.
	for range 3 {
		if c.port, err = freePort(); err != nil {
			break
		}
		// Durability is off: the cluster lives as long as the test run.
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", c.port, c.dir)
		var out []byte
		if out, err = c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err == nil {
			return c, nil
		}
		err = fmt.Errorf("pg_ctl start: %w\n%s", err, out)
	}
	os.RemoveAll(dir)
	return nil, err
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.owner != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.owner}
	}
	return cmd.CombinedOutput()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URLFor is the connection URL of database name.
func (c *Cluster) URLFor(name string) string {
	return fmt.Sprintf("postgres://tsm@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// NewDatabase creates an empty database and returns its URL.
func (c *Cluster) NewDatabase(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URLFor("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("tsm_%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", err
	}
	return c.URLFor(name), nil
}

// Stop stops the server and removes its directory.
func (c *Cluster) Stop() error {
	out, err := c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	if err != nil {
		err = fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

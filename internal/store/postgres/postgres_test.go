package postgres

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres/pgtest"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.URL(t), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestOptionsReachTheConnections(t *testing.T) {
	s, err := Open(context.Background(), pgtest.URL(t), Options{MaxConns: 3, StatementTimeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var timeout string
	if err := s.Pool().QueryRow(context.Background(), `SHOW statement_timeout`).Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout != "1500ms" || s.Pool().Config().MaxConns != 3 {
		t.Fatalf("statement_timeout %q and pool size %d, want 1500ms and 3", timeout, s.Pool().Config().MaxConns)
	}
	// A statement running longer is cancelled by the server.
	if _, err := s.Pool().Exec(context.Background(), `SELECT pg_sleep(5)`); err == nil || !strings.Contains(err.Error(), "statement timeout") {
		t.Fatalf("a statement past the timeout: %v", err)
	}
}

func TestOpenRefusesABadURLWithoutRepeatingIt(t *testing.T) {
	_, err := Open(context.Background(), "postgres://tsm:hunter2@127.0.0.1:notaport/x", Options{})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open of a malformed URL: %v", err)
	}
}

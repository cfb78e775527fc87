package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres"
)

// databaseOptions select PostgreSQL instead of the SQLite file: the store
// several replicas share.
type databaseOptions struct {
	url              string
	maxConns         int
	statementTimeout time.Duration
}

// replicaCacheLifetime bounds how long a replica on a shared database
// trusts what it cached about a caller should a change notice be lost.
const replicaCacheLifetime = time.Second

// pepperFingerprintLabel is hashed with the pepper to give a value that
// identifies the pepper, stored in the database, without revealing it.
const pepperFingerprintLabel = "tokensmith pepper fingerprint v1"

func (d *databaseOptions) register(fs *flag.FlagSet, set map[string]bool) {
	fs.StringVar(&d.url, "database", envOr("TOKENSMITH_DATABASE_URL", "", set, "database"),
		"PostgreSQL URL (postgres://user:password@host:port/db?sslmode=...) of the database several replicas share; replaces --data (TOKENSMITH_DATABASE_URL)")
	fs.IntVar(&d.maxConns, "db-max-conns", 0,
		"with --database: most connections this process opens, 0 = the larger of 4 and the number of CPUs (TOKENSMITH_DB_MAX_CONNS)")
	fs.DurationVar(&d.statementTimeout, "db-statement-timeout", 0,
		"with --database: the server cancels any statement running longer, 0 = the database's own setting (TOKENSMITH_DB_STATEMENT_TIMEOUT)")
}

// check refuses combinations that cannot work. It never repeats the URL,
// which may hold a password.
func (d *databaseOptions) check(o *options) error {
	if d.url == "" {
		for _, name := range []string{"db-max-conns", "db-statement-timeout"} {
			if o.set[name] {
				return fmt.Errorf("--%s (%s) needs --database (TOKENSMITH_DATABASE_URL)", name, envOf(name))
			}
		}
		return nil
	}
	if !strings.HasPrefix(d.url, "postgres://") && !strings.HasPrefix(d.url, "postgresql://") {
		return errors.New("--database (TOKENSMITH_DATABASE_URL) must be a URL starting with postgres:// or postgresql://")
	}
	if o.set["data"] {
		return errors.New("--data (the SQLite file) and --database (PostgreSQL) exclude each other: give one")
	}
	if o.harness.inMemory {
		return errors.New("--in-memory and --database exclude each other")
	}
	if d.maxConns < 0 {
		return fmt.Errorf("--db-max-conns (%s) must be 0 (the default) or a positive number, not %d", envOf("db-max-conns"), d.maxConns)
	}
	if d.statementTimeout < 0 {
		return fmt.Errorf("--db-statement-timeout (%s) must be 0 (the database's setting) or positive, not %v", envOf("db-statement-timeout"), d.statementTimeout)
	}
	return nil
}

func (d *databaseOptions) storeOptions() postgres.Options {
	return postgres.Options{MaxConns: d.maxConns, StatementTimeout: d.statementTimeout}
}

// replicaPepper is the pepper of a replica: every replica must be given the
// same one, so it never comes from (or goes to) a file next to --data.
func replicaPepper(fromConfig string) ([]byte, error) {
	if fromConfig == "" && os.Getenv("TOKENSMITH_PEPPER") == "" {
		return nil, errors.New("with --database the pepper must be given, the same on every replica: the config file's pepper or TOKENSMITH_PEPPER (base64)")
	}
	return loadPepper(fromConfig, "")
}

// openShared opens the PostgreSQL database, applying any migration it
// lacks, and refuses it if it was set up with another pepper.
func (d *databaseOptions) openShared(ctx context.Context, h *secret.Hasher) (*postgres.Store, error) {
	st, err := postgres.Connect(ctx, d.url, d.storeOptions())
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrating the database: %w", err)
	}
	if err := st.CheckPepper(ctx, h.Digest(pepperFingerprintLabel)); err != nil {
		st.Close()
		return nil, fmt.Errorf("checking the database's pepper: %w", err)
	}
	return st, nil
}

// openAnyStore opens the store the options name: PostgreSQL with
// --database, else the SQLite file (or memory).
func (o *options) openAnyStore(ctx context.Context, h *secret.Hasher, logger *slog.Logger, stderr io.Writer) (store.Store, *postgres.Store, error) {
	if o.db.url == "" {
		st, err := o.openStore(logger, stderr)
		if err != nil {
			return nil, nil, err
		}
		return st, nil, nil
	}
	pg, err := o.db.openShared(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	return pg, pg, nil
}

// shareStore prepares the server for a database other replicas write to:
// it forgets cached callers on every change they announce, and never
// trusts a cached caller for longer than replicaCacheLifetime.
func shareStore(ctx context.Context, pg *postgres.Store, cfg *server.Config) func(srv *server.Server) {
	if pg == nil {
		return func(*server.Server) {}
	}
	cfg.AuthCacheLifetime = replicaCacheLifetime
	cfg.Ready = pg.Ready
	return func(srv *server.Server) {
		go pg.WatchChanges(ctx, replicaCacheLifetime/2, srv.ForgetCallers)
	}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

const (
	// migrateCommand applies the migrations a PostgreSQL database lacks and
	// exits, for deploy pipelines that migrate before rolling replicas.
	migrateCommand = "migrate"
	// copyCommand moves an installation from its SQLite file into an empty
	// PostgreSQL database.
	copyCommand = "copy"
)

// migrateDatabase is "tokensmithd migrate": it takes the same flags as the
// server, of which only --database and the pool settings matter.
func migrateDatabase(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if o.db.url == "" {
		return fmt.Errorf("%s: needs --database (TOKENSMITH_DATABASE_URL); an SQLite file is migrated whenever tokensmithd opens it", migrateCommand)
	}
	st, err := postgres.Connect(ctx, o.db.url, o.db.storeOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	if err := st.Ready(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "tokensmithd: the database schema is up to date")
	return nil
}

// copyDatabase is "tokensmithd copy --from <sqlite file> --to postgres://...".
func copyDatabase(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("tokensmithd "+copyCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the SQLite database file to copy (stop the tokensmithd using it first)")
	to := fs.String("to", os.Getenv("TOKENSMITH_DATABASE_URL"), "URL of the empty PostgreSQL database to copy into (TOKENSMITH_DATABASE_URL)")
	config := fs.String("config", os.Getenv("TOKENSMITH_CONFIG"), "the config file the SQLite installation used, if its pepper is there (TOKENSMITH_CONFIG)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: tokensmithd %s --from <sqlite file> --to postgres://...\n\n"+
			"Copies everything (organisation, members, workspaces, roles, tokens with their digests, idempotency records, audit log,\n"+
			"usage counts, every digest a token ever held) "+
			"into an empty PostgreSQL database and records the pepper's fingerprint there. The pepper is read as tokensmithd\n"+
			"reads it: the config file, TOKENSMITH_PEPPER, or the file next to the database.\n\nflags:\n", copyCommand)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q (flags only; see -h)", copyCommand, fs.Arg(0))
	}
	if *from == "" {
		return fmt.Errorf("%s: --from (the SQLite database file) is required", copyCommand)
	}
	if fi, err := os.Stat(*from); err != nil || fi.Size() == 0 {
		return fmt.Errorf("%s: --from: no database at %s", copyCommand, *from)
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return fmt.Errorf("%s: --to (TOKENSMITH_DATABASE_URL) must be a URL starting with postgres:// or postgresql://", copyCommand)
	}
	var fc fileConfig
	if *config != "" {
		var err error
		if fc, err = readFileConfig(*config); err != nil {
			return err
		}
	}
	pepper, err := loadPepper(fc.Pepper, *from)
	if err != nil {
		return err
	}
	hasher, err := secret.NewHasher(pepper)
	if err != nil {
		return fmt.Errorf("pepper: %w", err)
	}

	src, err := sqlite.Open(*from)
	if err != nil {
		return fmt.Errorf("open %s: %w", *from, err)
	}
	defer src.Close()
	snap, err := src.Export(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: %s holds no organisation: nothing to copy", copyCommand, *from)
	} else if err != nil {
		return fmt.Errorf("%s: reading %s: %w", copyCommand, *from, err)
	}
	dst, err := postgres.Open(ctx, *to, postgres.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()
	if err := dst.Import(ctx, snap, hasher.Digest(pepperFingerprintLabel)); err != nil {
		return fmt.Errorf("%s: %w", copyCommand, err)
	}
	if err := verifyCopy(ctx, snap, dst); err != nil {
		return fmt.Errorf("%s: the copy does not match its source: %w", copyCommand, err)
	}
	fmt.Fprintf(stderr, "tokensmithd: copied %d members, %d workspaces, %d custom roles, %d tokens, %d idempotency records, %d audit events and %d daily usage counts\n",
		len(snap.Members), len(snap.Workspaces), len(snap.CustomRoles), len(snap.Tokens), len(snap.Idempotency), len(snap.Audit), len(snap.Usage))
	return nil
}

// verifyCopy compares counts and looks every token up by its digest in the
// copy, as authentication will.
func verifyCopy(ctx context.Context, snap store.Snapshot, dst *postgres.Store) error {
	got, err := dst.Counts(ctx)
	if err != nil {
		return err
	}
	want := map[string]int{"organizations": 1, "members": len(snap.Members), "workspaces": len(snap.Workspaces),
		"custom_roles": len(snap.CustomRoles), "tokens": len(snap.Tokens), "idempotency_records": len(snap.Idempotency),
		"audit_events": len(snap.Audit), "token_usage": len(snap.Usage), "spent_digests": len(snap.SpentDigests)}
	for table, n := range want {
		if got[table] != n {
			return fmt.Errorf("%s: %d in the copy, %d in the source", table, got[table], n)
		}
	}
	for _, t := range snap.Tokens {
		c, err := dst.GetTokenByDigest(ctx, t.Digest, t.CreatedAt)
		if err != nil || c.ID != t.ID {
			return fmt.Errorf("token %s is not found by its digest", t.ID)
		}
	}
	return nil
}

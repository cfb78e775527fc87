package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// bootstrapTokenCommand is the subcommand that issues a new owner token.
const bootstrapTokenCommand = "bootstrap-token"

// bootstrap initialises an empty store on the first start and shows the
// owner token. The token is shown before the commit that makes it valid:
// a crash in between leaves the store empty, so the next start makes and
// shows another, and never an owner whose only token nobody has seen.
// It returns the owner token and true when it initialised the store.
func bootstrap(ctx context.Context, st store.Store, h *secret.Hasher, given string, stderr io.Writer) (string, bool, error) {
	if _, err := st.Organization(ctx); err == nil {
		return "", false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", false, fmt.Errorf("reading the organisation: %w", err)
	}
	value := given
	if _, err := secret.Parse(value); value == "" || err != nil {
		if value != "" {
			fmt.Fprintln(stderr, "tokensmithd: TOKENSMITH_BOOTSTRAP_TOKEN is not a well-formed token; generated one instead")
		}
		if value, err = secret.Generate(secret.KindPersonal); err != nil {
			return "", false, err
		}
		fmt.Fprintf(stderr, "tokensmithd: owner access token (shown once): %s\n", value)
	} else {
		fmt.Fprintln(stderr, "tokensmithd: the owner access token is the value of TOKENSMITH_BOOTSTRAP_TOKEN")
	}
	_, created, err := server.Bootstrap(ctx, st, h, time.Now(), value)
	if err != nil {
		fmt.Fprintln(stderr, "tokensmithd: the owner access token above was not stored and is void")
		return "", false, err
	}
	if !created {
		fmt.Fprintln(stderr, "tokensmithd: another process created the organisation first; the owner access token above is void")
		return "", false, nil
	}
	fmt.Fprintf(stderr, "tokensmithd: created the organisation, owner %s and workspace %q\n", server.BootstrapOwnerEmail, server.BootstrapWorkspaceName)
	return value, true, nil
}

// issueOwnerToken is "tokensmithd bootstrap-token": for whoever holds the
// data directory (the database and its pepper), it issues a new owner token
// and prints it on stdout, alone on its line, so it can be captured.
func issueOwnerToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	var fc fileConfig
	if o.config != "" {
		if fc, err = readFileConfig(o.config); err != nil {
			return err
		}
	}
	st, err := openForOwnerToken(ctx, o, fc)
	if err != nil {
		return err
	}
	defer st.Close()
	hasher := st.hasher
	value, email, err := server.IssueOwnerToken(ctx, st.Store, hasher, time.Now())
	if err != nil {
		return fmt.Errorf("%s: %w", bootstrapTokenCommand, err)
	}
	fmt.Fprintf(stderr, "tokensmithd: issued a new owner access token for %s (shown once, on stdout)\n", email)
	fmt.Fprintln(stdout, value)
	return st.Close()
}

// ownerTokenStore is the store bootstrap-token issues into, with the hasher
// of its pepper.
type ownerTokenStore struct {
	store.Store
	hasher *secret.Hasher
}

// openForOwnerToken opens the existing database the options name: the
// shared PostgreSQL database (checked against the pepper) or the SQLite
// file, refusing a missing file rather than creating an empty one.
func openForOwnerToken(ctx context.Context, o *options, fc fileConfig) (*ownerTokenStore, error) {
	var pepper []byte
	var err error
	if o.db.url != "" {
		pepper, err = replicaPepper(fc.Pepper)
	} else {
		if fi, err := os.Stat(o.data); err != nil || fi.Size() == 0 {
			return nil, fmt.Errorf("%s: no database at %s (give its path with --data or TOKENSMITH_DATA)", bootstrapTokenCommand, o.data)
		}
		pepper, err = loadPepper(fc.Pepper, o.data)
	}
	if err != nil {
		return nil, err
	}
	hasher, err := secret.NewHasher(pepper)
	if err != nil {
		return nil, fmt.Errorf("pepper: %w", err)
	}
	if o.db.url != "" {
		st, err := o.db.openShared(ctx, hasher)
		if err != nil {
			return nil, err
		}
		return &ownerTokenStore{Store: st, hasher: hasher}, nil
	}
	st, err := sqlite.Open(o.data)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", o.data, err)
	}
	return &ownerTokenStore{Store: st, hasher: hasher}, nil
}

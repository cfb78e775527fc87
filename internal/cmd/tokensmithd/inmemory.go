package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// processStart is when this process began, as near as Go lets us see it;
// the start-up time reported with --in-memory counts from here.
var processStart = time.Now()

// pepper is loadPepper, except that an in-memory backend makes a fresh
// pepper (unless the config or TOKENSMITH_PEPPER gives one) instead of
// reading or writing <data>.pepper.
func (o *options) pepper(fromConfig string) ([]byte, error) {
	if o.db.url != "" {
		return replicaPepper(fromConfig)
	}
	if !o.harness.inMemory || fromConfig != "" || os.Getenv("TOKENSMITH_PEPPER") != "" {
		return loadPepper(fromConfig, o.data)
	}
	return secret.NewPepper()
}

// openStore opens the SQLite database at --data, or with --in-memory one
// that lives in this process only, announcing that loudly: everything in it
// is lost on exit.
func (o *options) openStore(logger *slog.Logger, stderr io.Writer) (*sqlite.Store, error) {
	if !o.harness.inMemory {
		st, err := sqlite.Open(o.data)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", o.data, err)
		}
		return st, nil
	}
	const warning = "IN MEMORY: nothing is written to disk and every member, workspace, role and token is lost when tokensmithd stops; for tests only"
	fmt.Fprintln(stderr, "tokensmithd: "+warning)
	logger.Warn(warning)
	st, err := sqlite.OpenInMemory()
	if err != nil {
		return nil, fmt.Errorf("opening the in-memory store: %w", err)
	}
	return st, nil
}

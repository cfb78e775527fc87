package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

// harnessOptions are the flags that make tokensmithd the backend of
// someone else's tests: a throwaway database, a file telling the test where
// the server is and how to reach it, seeded data and a clock the test moves.
type harnessOptions struct {
	inMemory  bool
	envFile   string
	fixture   string
	testClock bool

	// written lists the files this process wrote for the harness, removed
	// again on shutdown.
	written []string
}

// envBool reads a boolean variable strictly: anything but the values
// strconv.ParseBool knows (true, false, 1, 0, ...) stops startup, so that
// TOKENSMITH_IN_MEMORY=yes cannot silently mean false.
func envBool(name string, set map[string]bool, flagName string) (bool, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false, got %q", name, v)
	}
	set[flagName] = true
	return b, nil
}

// register adds the harness flags to fs, with their variables as defaults.
func (h *harnessOptions) register(fs *flag.FlagSet, set map[string]bool) error {
	inMemory, err := envBool("TOKENSMITH_IN_MEMORY", set, "in-memory")
	if err != nil {
		return err
	}
	testClock, err := envBool("TOKENSMITH_TEST_CLOCK", set, "test-clock")
	if err != nil {
		return err
	}
	fs.BoolVar(&h.inMemory, "in-memory", inMemory,
		"keep everything in memory: no database, pepper or other file is written, and all data is lost on exit; for tests (TOKENSMITH_IN_MEMORY)")
	fs.StringVar(&h.envFile, "env-file", envOr("TOKENSMITH_ENV_FILE", "", set, "env-file"),
		"once the server accepts requests, write TOKENSMITH_ENDPOINT, TOKENSMITH_TOKEN and (with --tls-self-signed) TOKENSMITH_CA_CERT_FILE to this file, mode 0600, in a form a shell can source (TOKENSMITH_ENV_FILE)")
	fs.StringVar(&h.fixture, "fixture", envOr("TOKENSMITH_FIXTURE", "", set, "fixture"),
		"JSON file of members, workspaces, custom roles and tokens created on first start (TOKENSMITH_FIXTURE)")
	fs.BoolVar(&h.testClock, "test-clock", testClock,
		"run on a clock that POST /api/v2/test/clock sets or advances; needs --in-memory (TOKENSMITH_TEST_CLOCK)")
	return nil
}

// check refuses combinations that cannot work, after the flags are parsed.
func (h *harnessOptions) check(o *options) error {
	if h.inMemory && o.set["data"] {
		return errors.New("--in-memory excludes --data (TOKENSMITH_DATA): an in-memory backend has no database file")
	}
	if h.testClock && !h.inMemory {
		return errors.New("--test-clock needs --in-memory: a persistent database would keep times from a clock a test has moved")
	}
	if h.envFile != "" {
		if fi, err := os.Stat(filepath.Dir(h.envFile)); err != nil || !fi.IsDir() {
			return fmt.Errorf("--env-file %s: its directory does not exist", h.envFile)
		}
		if fi, err := os.Stat(h.envFile); err == nil && fi.IsDir() {
			return fmt.Errorf("--env-file %s: is a directory", h.envFile)
		}
	}
	if h.fixture != "" {
		if _, err := os.Stat(h.fixture); err != nil {
			return fmt.Errorf("--fixture: %w", err)
		}
	}
	if h.inMemory && o.tlsSelfSigned && !o.set["tls-ca-out"] {
		// Without a database there is no <data>.ca.pem; the certificate
		// goes next to the env file, the one other file written.
		if h.envFile == "" {
			return errors.New("--in-memory with --tls-self-signed needs --env-file or --tls-ca-out: the certificate clients must trust has to be written somewhere")
		}
		o.tlsCAOut = h.envFile + ".ca.pem"
	}
	return nil
}

// clock is the server's test clock, or nil without --test-clock.
func (h *harnessOptions) clock() *server.TestClock {
	if !h.testClock {
		return nil
	}
	return server.NewTestClock(time.Now().UTC().Truncate(time.Millisecond))
}

// cleanup removes the files written for the harness: they describe a
// server that no longer runs.
func (h *harnessOptions) cleanup() {
	for _, p := range h.written {
		_ = os.Remove(p)
	}
}

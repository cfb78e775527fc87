package main

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

func TestParseFlagsDefaults(t *testing.T) {
	t.Setenv("TOKENSMITH_LISTEN", "")
	t.Setenv("TOKENSMITH_DATA", "")
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.listen != "127.0.0.1:8080" || o.data != "./tokensmith.db" || o.tlsCAOut != "./tokensmith.db.ca.pem" || o.maxPerMember != 20 || o.maxPerOrg != 1000 {
		t.Fatalf("defaults %+v", o)
	}
	t.Setenv("TOKENSMITH_MAX_TOKENS_PER_MEMBER", "5")
	o, err = parseFlags([]string{"--max-tokens-per-org", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if o.maxPerMember != 5 || o.maxPerOrg != 7 || !o.set["max-tokens-per-member"] || !o.set["max-tokens-per-org"] {
		t.Fatalf("env/flags %+v", o)
	}
	if o.authFailureLimit != 10 || o.set["auth-failure-limit"] {
		t.Fatalf("auth failure limit default %+v", o)
	}
	t.Setenv("TOKENSMITH_AUTH_FAILURE_LIMIT", "2.5")
	if o, err = parseFlags(nil); err != nil || o.authFailureLimit != 2.5 || !o.set["auth-failure-limit"] {
		t.Fatalf("auth failure limit from the environment: %+v %v", o, err)
	}
	if _, err = parseFlags([]string{"--auth-failure-limit", "many"}); err == nil {
		t.Fatal("a non-numeric --auth-failure-limit was accepted")
	}
}

func TestPepperGeneratedOnceWithMode0600(t *testing.T) {
	t.Setenv("TOKENSMITH_PEPPER", "")
	data := filepath.Join(t.TempDir(), "t.db")
	p1, err := loadPepper("", data)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(data + ".pepper")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	p2, err := loadPepper("", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(p1) != 32 || !bytes.Equal(p1, p2) {
		t.Fatal("pepper not kept")
	}
}

func TestPepperFileMustBePrivate(t *testing.T) {
	t.Setenv("TOKENSMITH_PEPPER", "")
	data := filepath.Join(t.TempDir(), "t.db")
	if _, err := loadPepper("", data); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data+".pepper", 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loadPepper("", data)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable pepper file was accepted: %v", err)
	}
	if err := os.Chmod(data+".pepper", 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPepper("", data); err != nil {
		t.Fatal(err)
	}
}

func TestPepperNotRegeneratedForExistingDatabase(t *testing.T) {
	t.Setenv("TOKENSMITH_PEPPER", "")
	data := filepath.Join(t.TempDir(), "t.db")
	if err := os.WriteFile(data, []byte("SQLite format 3\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPepper("", data); err == nil || !strings.Contains(err.Error(), "invalidate every token") {
		t.Fatalf("a new pepper was made for an existing database: %v", err)
	}
	if _, err := os.Stat(data + ".pepper"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pepper file created: %v", err)
	}
}

func TestHTTPServerTimeouts(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 {
		t.Fatalf("unbounded server: %+v", hs)
	}
}

// tokensmithd's HTTP server reads headers past the API's limit, so that the
// API answers a problem document rather than net/http a plain-text 431.
func TestHTTPServerLetsTheAPIRefuseLargeHeaders(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if hs.MaxHeaderBytes <= server.MaxHeaderBytes {
		t.Fatalf("MaxHeaderBytes %d: net/http would refuse headers of %d bytes before the API could answer", hs.MaxHeaderBytes, server.MaxHeaderBytes)
	}
}

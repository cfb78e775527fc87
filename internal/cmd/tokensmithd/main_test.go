package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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

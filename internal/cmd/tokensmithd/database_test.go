package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres/pgtest"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// TestParseFlagsDatabase: --database is refused with --data, with
// --in-memory or when it is not a PostgreSQL URL, never repeating the URL
// (it may hold a password); its settings are strict and need it.
func TestParseFlagsDatabase(t *testing.T) {
	const withPassword = "postgres://tsm:hunter2@db.example/tokensmith"
	for _, tc := range []struct {
		env, value string
		args       []string
		want       string
	}{
		{"", "", []string{"--database", withPassword, "--data", "x.db"}, "--data (the SQLite file) and --database (PostgreSQL) exclude each other"},
		{"TOKENSMITH_DATABASE_URL", withPassword, []string{"--data", "x.db"}, "exclude each other"},
		{"", "", []string{"--database", withPassword, "--in-memory"}, "--in-memory and --database"},
		{"", "", []string{"--database", "mysql://tsm:hunter2@db/x"}, "must be a URL starting with postgres://"},
		{"", "", []string{"--database", withPassword, "--db-max-conns", "-1"}, "--db-max-conns (TOKENSMITH_DB_MAX_CONNS)"},
		{"", "", []string{"--database", withPassword, "--db-statement-timeout", "-1s"}, "--db-statement-timeout"},
		{"TOKENSMITH_DB_MAX_CONNS", "many", []string{"--database", withPassword}, "TOKENSMITH_DB_MAX_CONNS"},
		{"TOKENSMITH_DB_STATEMENT_TIMEOUT", "5", []string{"--database", withPassword}, "TOKENSMITH_DB_STATEMENT_TIMEOUT"},
		{"", "", []string{"--db-max-conns", "4"}, "--db-max-conns (TOKENSMITH_DB_MAX_CONNS) needs --database"},
	} {
		t.Run(tc.env+strings.Join(tc.args, " "), func(t *testing.T) {
			clearEnv(t)
			if tc.env != "" {
				t.Setenv(tc.env, tc.value)
			}
			_, err := parseFlags(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want an error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error repeats the password: %v", err)
			}
		})
	}

	clearEnv(t)
	t.Setenv("TOKENSMITH_DB_STATEMENT_TIMEOUT", "5s")
	o, err := parseFlags([]string{"--database", withPassword, "--db-max-conns", "12"})
	if err != nil || o.db.url != withPassword || o.db.maxConns != 12 || o.db.statementTimeout != 5*time.Second {
		t.Fatalf("parseFlags: %+v %v", o, err)
	}
}

func TestReplicaNeedsAGivenPepper(t *testing.T) {
	clearEnv(t)
	o, err := parseFlags([]string{"--database", "postgres://tsm@127.0.0.1/x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.pepper(""); err == nil || !strings.Contains(err.Error(), "TOKENSMITH_PEPPER") {
		t.Fatalf("a replica without a given pepper: %v", err)
	}
}

func TestConnectErrorHidesThePassword(t *testing.T) {
	// Nothing listens on port 1.
	_, err := postgres.Connect(context.Background(), "postgres://tsm:hunter2@127.0.0.1:1/x?connect_timeout=5", postgres.Options{})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("connect error: %v", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	clearEnv(t)
	dbURL := pgtest.URL(t)
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{migrateCommand, "--database", dbURL}, &stderr); err != nil {
		t.Fatalf("migrate: %v\n%s", err, stderr.String())
	}
	st, err := postgres.Connect(context.Background(), dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ready(context.Background()); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	// A second run finds nothing to do.
	if err := run(context.Background(), []string{migrateCommand, "--database", dbURL}, &stderr); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if err := run(context.Background(), []string{migrateCommand}, &stderr); err == nil || !strings.Contains(err.Error(), "--database") {
		t.Fatalf("migrate without --database: %v", err)
	}
}

func TestReadyFailsBeforeMigrations(t *testing.T) {
	st, err := postgres.Connect(context.Background(), pgtest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ready(context.Background()); err == nil {
		t.Fatal("an empty database reads as ready")
	}
}

// TestBinaryCopyFromSQLite runs an installation on SQLite, copies it into
// PostgreSQL and serves it from there: every secret still authenticates,
// the counts match and a second copy into the same database is refused.
func TestBinaryCopyFromSQLite(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ts.db")
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot}, "--data", data, "--listen", "127.0.0.1:0", "--rate-limit", "0")
	lite := &replica{d: d, u: d.baseURL("http"), hc: checked(t, &http.Client{Timeout: waitLimit})}
	secrets := []string{boot}
	for _, name := range []string{"a", "b", "c"} {
		secrets = append(secrets, lite.create(t, boot, name).Token)
	}
	lite.call(t, http.StatusCreated, "POST", api.PathRoles, boot, map[string]any{"key": "copied", "name": "Copied", "basePermissions": "reader",
		"access": map[string]string{"plan": "read_only"}})
	var granted api.Token
	if err := json.Unmarshal(lite.call(t, http.StatusCreated, "POST", api.PathTokens, boot,
		api.TokenCreate{Name: "granted", Access: api.AccessGrant{"plan": "read_only"}}), &granted); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, granted.Token)
	// A deleted token's digest stays spent, in the copy too.
	gone := lite.create(t, boot, "gone")
	lite.call(t, http.StatusNoContent, "DELETE", api.PathTokens+"/"+gone.ID, boot, nil)
	lite.call(t, http.StatusCreated, "POST", api.PathTokens, boot, api.TokenCreate{Name: "keyed", Role: api.RoleReader, AllWorkspaces: true},
		api.HeaderIdempotencyKey, "copy-key")
	// The owner's console password goes along with the copy.
	var owner api.CallerIdentity
	if err := json.Unmarshal(lite.call(t, http.StatusOK, "GET", api.PathCallerIdentity, boot, nil), &owner); err != nil {
		t.Fatal(err)
	}
	ownerPassword := api.PathMembers + "/" + owner.MemberID + "/password"
	lite.call(t, http.StatusNoContent, "POST", ownerPassword, boot, api.MemberPassword{Password: "console password before the copy"})
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("tokensmithd on SQLite: %v\n%s", err, d.output())
	}
	pepperFile, err := os.ReadFile(data + ".pepper")
	if err != nil {
		t.Fatal(err)
	}
	pepper := strings.TrimSpace(string(pepperFile))
	if _, err := base64.StdEncoding.DecodeString(pepper); err != nil {
		t.Fatal(err)
	}

	clearEnv(t)
	dbURL := pgtest.URL(t)
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{copyCommand, "--from", data, "--to", dbURL}, &stderr); err != nil {
		t.Fatalf("copy: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "6 tokens") || !strings.Contains(stderr.String(), "1 custom roles") {
		t.Fatalf("copy summary: %s", stderr.String())
	}
	for _, s := range secrets {
		if strings.Contains(stderr.String(), s) {
			t.Fatal("the copy printed a secret")
		}
	}
	if err := run(context.Background(), []string{copyCommand, "--from", data, "--to", dbURL}, &stderr); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second copy into the same database: %v", err)
	}

	checkCopiedExtras(t, data, dbURL)

	pg := startReplica(t, dbURL, pepper, nil, "--rate-limit", "0")
	pg.call(t, http.StatusBadRequest, "POST", ownerPassword, boot,
		api.MemberPassword{Password: "console password after the copy", CurrentPassword: "not the copied password"})
	pg.call(t, http.StatusNoContent, "POST", ownerPassword, boot,
		api.MemberPassword{Password: "console password after the copy", CurrentPassword: "console password before the copy"})
	for _, s := range secrets {
		pg.call(t, http.StatusOK, "GET", api.PathCallerIdentity, s, nil)
	}
	if n := pg.tokenCount(t, boot); n != len(secrets)+1 {
		t.Fatalf("%d tokens on PostgreSQL, want %d", n, len(secrets)+1)
	}
	// The idempotency record came along: a retry replays instead of creating.
	pg.call(t, http.StatusCreated, "POST", api.PathTokens, boot, api.TokenCreate{Name: "keyed", Role: api.RoleReader, AllWorkspaces: true},
		api.HeaderIdempotencyKey, "copy-key")
	if n := pg.tokenCount(t, boot); n != len(secrets)+1 {
		t.Fatalf("a retried create after the copy made a new token: %d tokens", n)
	}
	var audit api.List[json.RawMessage]
	if err := json.Unmarshal(pg.call(t, http.StatusOK, "GET", "/api/v2/auditlog", boot, nil), &audit); err != nil || audit.TotalCount == 0 {
		t.Fatalf("audit log after the copy: %+v %v", audit, err)
	}

	// A replica with another pepper is refused by the fingerprint the copy stored.
	other := startDaemon(t, []string{"TOKENSMITH_PEPPER=" + newPepper(t)}, "--database", dbURL, "--listen", "127.0.0.1:0")
	if err := other.wait(); err == nil {
		t.Fatal("a replica with another pepper than the copied installation's started")
	}
}

// checkCopiedExtras compares what the API shows only in part with the
// source: access grants, daily usage counts (the SQLite server flushed them
// when it stopped) and every digest a token ever held, which the copy must
// refuse to issue again.
func checkCopiedExtras(t *testing.T, data, dbURL string) {
	t.Helper()
	ctx := context.Background()
	src, err := sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Export(ctx)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Usage) == 0 || len(snap.SpentDigests) <= len(snap.Tokens) {
		t.Fatalf("the source holds %d usage counts and %d spent digests for %d tokens: the test needs usage and a deleted token",
			len(snap.Usage), len(snap.SpentDigests), len(snap.Tokens))
	}
	dst, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	granted := 0
	for _, want := range snap.Tokens {
		got, err := dst.GetToken(ctx, want.OrgID, want.ID)
		if err != nil || !maps.Equal(got.Access, want.Access) {
			t.Errorf("token %s access in the copy %v (%v), want %v", want.Name, got.Access, err, want.Access)
		}
		if len(want.Access) > 0 {
			granted++
		}
	}
	role, err := dst.GetCustomRole(ctx, snap.Organization.ID, "copied")
	if err != nil || !maps.Equal(role.Access, map[string]string{"plan": "read_only"}) || granted != 1 {
		t.Errorf("custom role access in the copy %v (%v); %d tokens with access, want 1", role.Access, err, granted)
	}
	for _, c := range snap.Usage {
		got, err := dst.TokenUsage(ctx, c.TokenID, c.Day)
		if err != nil || len(got) == 0 || got[0] != c {
			t.Errorf("usage in the copy %v (%v), want %v first", got, err, c)
		}
	}
	counts, err := dst.Counts(ctx)
	if err != nil || counts["token_usage"] != len(snap.Usage) || counts["spent_digests"] != len(snap.SpentDigests) {
		t.Errorf("counts in the copy %v (%v), want %d usage counts and %d spent digests", counts, err, len(snap.Usage), len(snap.SpentDigests))
	}
	for i, d := range snap.SpentDigests {
		tok := snap.Tokens[0]
		tok.ID, tok.Digest, tok.PrevDigest, tok.PrevExpiresAt = fmt.Sprintf("at-spent-%d", i), d, nil, nil
		if err := dst.CreateToken(ctx, tok, store.Quota{}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("creating a token with spent digest %d in the copy: %v, want a conflict", i, err)
		}
	}
}

package client_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// TestClientSuppliedSecretsNotLogged creates and resets a token with secrets
// the caller generated: each authenticates, the answers hold only the last
// four characters, and no log entry of the client holds either secret,
// although both travel in request bodies.
func TestClientSuppliedSecretsNotLogged(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) { cfg.AllowClientSecrets = true }))
	var mu sync.Mutex
	var entries []string
	c := newClient(t, ts, func(cfg *client.Config) {
		cfg.Logger = func(_ context.Context, msg string, fields map[string]any) {
			b, _ := json.Marshal(fields)
			mu.Lock()
			entries = append(entries, msg+" "+string(b))
			mu.Unlock()
		}
	})
	ctx := context.Background()
	first := must[string](t)(secret.Generate(secret.KindPersonal))
	second := must[string](t)(secret.Generate(secret.KindPersonal))

	tok := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "wo", Role: api.RoleReader, Secret: first}, client.WriteOptions{}))
	if tok.Token != api.LastFour(first) {
		t.Fatalf("create answered %q, want the last four characters", tok.Token)
	}
	if id := must[*api.CallerIdentity](t)(c.WithToken(first).CallerIdentity(ctx)); id.TokenID != tok.ID {
		t.Fatalf("first secret authenticates as %s, want %s", id.TokenID, tok.ID)
	}
	reset := must[*api.Token](t)(c.ResetTokenTo(ctx, tok.ID, second, time.Time{}, client.WriteOptions{}))
	if reset.Token != api.LastFour(second) {
		t.Fatalf("reset answered %q, want the last four characters", reset.Token)
	}
	if id := must[*api.CallerIdentity](t)(c.WithToken(second).CallerIdentity(ctx)); id.TokenID != tok.ID {
		t.Fatalf("second secret authenticates as %s, want %s", id.TokenID, tok.ID)
	}
	_, err := c.ResetTokenTo(ctx, tok.ID, first, time.Time{}, client.WriteOptions{})
	wantErr(t, err, client.IsInvalidRequest, "invalid: a secret used before")

	mu.Lock()
	all := strings.Join(entries, "\n")
	mu.Unlock()
	if !strings.Contains(all, `\"secret\":\"[REDACTED]\"`) {
		t.Errorf("no logged request body shows the secret field redacted:\n%s", all)
	}
	for _, v := range []string{first, second} {
		if strings.Contains(all, v[len(secret.PrefixPersonal):len(v)-secret.ChecksumLength]) {
			t.Errorf("the client's log holds a supplied secret")
		}
	}
}

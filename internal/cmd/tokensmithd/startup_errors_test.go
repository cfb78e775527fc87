package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// brokenOrgStore is a store that cannot read its organisation.
type brokenOrgStore struct {
	store.Store
	err error
}

func (b brokenOrgStore) Organization(context.Context) (store.Organization, error) {
	return store.Organization{}, b.err
}

func startupHasher(t *testing.T) *secret.Hasher {
	t.Helper()
	h, err := secret.NewHasher(bytes.Repeat([]byte{7}, secret.PepperLength))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func memoryStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestStartupErrorsSayWhatFailed: a store that fails is not reported as a
// store without an organisation; each step names itself and keeps the cause.
func TestStartupErrorsSayWhatFailed(t *testing.T) {
	ctx := context.Background()
	cause := errors.New("connection reset by peer")
	broken := brokenOrgStore{Store: memoryStore(t), err: cause}
	h := startupHasher(t)

	check := func(step string, err error, want string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", step)
		}
		if !errors.Is(err, cause) {
			t.Errorf("%s: %q does not wrap the cause", step, err)
		}
		if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "no organisation") {
			t.Errorf("%s: %q, want it to say %q", step, err, want)
		}
	}

	var stderr bytes.Buffer
	_, _, err := bootstrap(ctx, broken, h, "", &stderr)
	check("first start", err, "reading the organisation")

	_, _, err = server.Bootstrap(ctx, broken, h, time.Now(), "")
	check("server.Bootstrap", err, "bootstrap: reading the organisation")

	_, err = server.New(server.Config{Store: broken, Hasher: h})
	check("server.New", err, "server: reading the organisation")

	_, _, err = server.IssueOwnerToken(ctx, broken, h, time.Now())
	check(bootstrapTokenCommand, err, "reading the organisation")

	err = server.SetPasswordOffline(ctx, broken, "owner@example.com", "a long enough password", time.Now())
	check(setPasswordCommand, err, "reading the organisation")
}

// TestStartupWithoutOrganisation: a store that is merely empty still says so.
func TestStartupWithoutOrganisation(t *testing.T) {
	_, err := server.New(server.Config{Store: memoryStore(t), Hasher: startupHasher(t)})
	if err == nil || !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "no organisation; bootstrap it first") {
		t.Fatalf("got %v", err)
	}
}

// TestOpeningTheDatabaseIsNamed: a database that cannot be opened is
// named as such, and its URL (with its password) is not repeated.
func TestOpeningTheDatabaseIsNamed(t *testing.T) {
	d := databaseOptions{url: "postgres://u:hunter2@[::1/db"}
	_, err := d.openShared(context.Background(), startupHasher(t))
	if err == nil || !strings.HasPrefix(err.Error(), "opening the database: ") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v", err)
	}
}

package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/password"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

func TestSetPasswordCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ts.db")
	st, err := sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	pepper, _ := secret.NewPepper()
	hasher, _ := secret.NewHasher(pepper)
	tok, _ := secret.Generate(secret.KindPersonal)
	if _, _, err := server.Bootstrap(t.Context(), st, hasher, time.Now(), tok); err != nil {
		t.Fatal(err)
	}
	org, _ := st.Organization(t.Context())
	owner, err := st.GetMemberByEmail(t.Context(), org.ID, server.BootstrapOwnerEmail)
	if err != nil {
		t.Fatal(err)
	}
	hash := func() string {
		h, err := st.MemberPassword(t.Context(), org.ID, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}

	const pw = "the owner's console password"
	var stderr bytes.Buffer
	if err := setPassword(t.Context(), []string{"--email", server.BootstrapOwnerEmail, "--data", data}, strings.NewReader(pw+"\n"), &stderr); err != nil {
		t.Fatalf("set-password: %v", err)
	}
	if ok, err := password.Verify(hash(), pw); err != nil || !ok {
		t.Fatalf("the stored hash does not match the password read from stdin")
	}
	events, _, err := st.ListAudit(t.Context(), org.ID, 10, 0)
	if err != nil || len(events) == 0 || events[0].Action != "member.password" || events[0].Target != "member/"+owner.ID {
		t.Fatalf("audit log %+v, %v", events, err)
	}

	// Bad input names the rule and changes nothing.
	before := hash()
	for name, c := range map[string]struct {
		args  []string
		stdin string
		want  string
	}{
		"no email":       {[]string{"--data", data}, pw, "--email is required"},
		"unknown email":  {[]string{"--email=nobody@example.com", "--data", data}, pw, "no member has the email"},
		"short password": {[]string{"--email", server.BootstrapOwnerEmail, "--data", data}, "short\n", "at least 12 characters"},
		"no database":    {[]string{"--email", server.BootstrapOwnerEmail, "--data", filepath.Join(t.TempDir(), "none.db")}, pw, "no database"},
	} {
		stderr.Reset()
		err := setPassword(t.Context(), c.args, strings.NewReader(c.stdin), &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to say %q", name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), pw) || strings.Contains(stderr.String(), pw) {
			t.Errorf("%s: the password is in the output", name)
		}
	}
	if hash() != before {
		t.Fatal("a refused set-password changed the password")
	}
}

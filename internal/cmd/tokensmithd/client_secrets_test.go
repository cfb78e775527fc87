package main

import (
	"strings"
	"testing"
)

func TestAllowClientSecretsFlag(t *testing.T) {
	t.Setenv("TOKENSMITH_ALLOW_CLIENT_SECRETS", "")
	o, err := parseFlags(nil)
	if err != nil || o.allowClientSecrets {
		t.Fatalf("default: allow = %v, err = %v; want off", o != nil && o.allowClientSecrets, err)
	}
	if o, err = parseFlags([]string{"--allow-client-secrets"}); err != nil || !o.allowClientSecrets {
		t.Fatalf("--allow-client-secrets: allow = %v, err = %v", o != nil && o.allowClientSecrets, err)
	}
	t.Setenv("TOKENSMITH_ALLOW_CLIENT_SECRETS", "true")
	if o, err = parseFlags(nil); err != nil || !o.allowClientSecrets {
		t.Fatalf("TOKENSMITH_ALLOW_CLIENT_SECRETS=true: allow = %v, err = %v", o != nil && o.allowClientSecrets, err)
	}
	if o, err = parseFlags([]string{"--allow-client-secrets=false"}); err != nil || o.allowClientSecrets {
		t.Fatalf("flag over variable: allow = %v, err = %v", o != nil && o.allowClientSecrets, err)
	}
	t.Setenv("TOKENSMITH_ALLOW_CLIENT_SECRETS", "maybe")
	if _, err = parseFlags(nil); err == nil || !strings.Contains(err.Error(), "TOKENSMITH_ALLOW_CLIENT_SECRETS must be true or false") {
		t.Fatalf("bad variable: err = %v", err)
	}
}

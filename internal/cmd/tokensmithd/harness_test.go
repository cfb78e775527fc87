package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestHarnessFlagRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"in-memory variable not a boolean", map[string]string{"TOKENSMITH_IN_MEMORY": "yes"}, nil, `TOKENSMITH_IN_MEMORY: want true or false, got "yes"`},
		{"test-clock variable not a boolean", map[string]string{"TOKENSMITH_TEST_CLOCK": "on"}, []string{"--in-memory"}, `TOKENSMITH_TEST_CLOCK: want true or false, got "on"`},
		{"in-memory flag not a boolean", nil, []string{"--in-memory=yes"}, "in-memory"},
		{"in-memory with a database file", nil, []string{"--in-memory", "--data", filepath.Join(dir, "x.db")}, "--in-memory excludes --data"},
		{"in-memory with a database variable", map[string]string{"TOKENSMITH_DATA": filepath.Join(dir, "x.db")}, []string{"--in-memory"}, "--in-memory excludes --data"},
		{"test clock on a persistent database", nil, []string{"--test-clock"}, "--test-clock needs --in-memory"},
		{"test clock variable on a persistent database", map[string]string{"TOKENSMITH_TEST_CLOCK": "true"}, nil, "--test-clock needs --in-memory"},
		{"env file in a missing directory", nil, []string{"--in-memory", "--env-file", filepath.Join(dir, "missing", "env")}, "--env-file"},
		{"env file is a directory", nil, []string{"--in-memory", "--env-file", dir}, "is a directory"},
		{"missing fixture", nil, []string{"--in-memory", "--fixture", filepath.Join(dir, "none.json")}, "--fixture"},
		{"self-signed in memory with nowhere for the certificate", nil, []string{"--in-memory", "--tls-self-signed"}, "needs --env-file or --tls-ca-out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"TOKENSMITH_IN_MEMORY", "TOKENSMITH_TEST_CLOCK", "TOKENSMITH_DATA", "TOKENSMITH_ENV_FILE", "TOKENSMITH_FIXTURE"} {
				t.Setenv(k, "")
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := parseFlags(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestHarnessFlagsAccepted(t *testing.T) {
	for _, k := range []string{"TOKENSMITH_IN_MEMORY", "TOKENSMITH_TEST_CLOCK", "TOKENSMITH_DATA", "TOKENSMITH_ENV_FILE", "TOKENSMITH_FIXTURE"} {
		t.Setenv(k, "")
	}
	env := filepath.Join(t.TempDir(), "tokensmith.env")
	t.Setenv("TOKENSMITH_IN_MEMORY", "1")
	t.Setenv("TOKENSMITH_TEST_CLOCK", "true")
	o, err := parseFlags([]string{"--env-file", env, "--tls-self-signed"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.harness.inMemory || !o.harness.testClock || o.harness.envFile != env {
		t.Errorf("harness options %+v", o.harness)
	}
	if o.tlsCAOut != env+".ca.pem" {
		t.Errorf("in memory, the certificate goes next to the env file, not to %s", o.tlsCAOut)
	}
	t.Setenv("TOKENSMITH_IN_MEMORY", "false")
	t.Setenv("TOKENSMITH_TEST_CLOCK", "")
	if o, err = parseFlags(nil); err != nil || o.harness.inMemory {
		t.Errorf("TOKENSMITH_IN_MEMORY=false: %+v %v", o.harness, err)
	}
}

// TestEnvFileIsSourceable writes values that need quoting and reads them
// back through a POSIX shell the way the guide tells CI to.
func TestEnvFileIsSourceable(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell on this machine")
	}
	path := filepath.Join(t.TempDir(), "tokensmith.env")
	vars := [][2]string{
		{"TOKENSMITH_ENDPOINT", "https://127.0.0.1:4321"},
		{"TOKENSMITH_TOKEN", "tsm_pat_abc"},
		{"TOKENSMITH_CA_CERT_FILE", "/tmp/a dir/it's $HOME `x`.pem"},
	}
	if err := writeEnvFile(path, vars); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode().Perm(), err)
	}
	out, err := exec.Command(sh, "-c", `set -a; . "$1"; set +a; env`, "sh", path).Output()
	if err != nil {
		t.Fatalf("sourcing: %v", err)
	}
	for _, kv := range vars {
		if !strings.Contains(string(out), kv[0]+"="+kv[1]+"\n") {
			t.Errorf("after sourcing, the environment lacks %s=%s", kv[0], kv[1])
		}
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), "\nTOKENSMITH_ENDPOINT=https://127.0.0.1:4321\n") {
		t.Errorf("a plain value is quoted, which KEY=value readers would keep:\n%s", raw)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left beside the env file: %v", entries)
	}
}

// BenchmarkInMemoryStartup measures how long run takes from its start to
// the moment the in-memory server accepts requests.
func BenchmarkInMemoryStartup(b *testing.B) {
	for _, k := range []string{"TOKENSMITH_IN_MEMORY", "TOKENSMITH_TEST_CLOCK", "TOKENSMITH_DATA", "TOKENSMITH_ENV_FILE", "TOKENSMITH_FIXTURE", "TOKENSMITH_PEPPER"} {
		b.Setenv(k, "")
	}
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"--in-memory", "--listen", "127.0.0.1:0"}, pw)
			pw.Close()
		}()
		sc := bufio.NewScanner(pr)
		for sc.Scan() && !strings.Contains(sc.Text(), "listening on") {
		}
		cancel()
		go io.Copy(io.Discard, pr)
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}

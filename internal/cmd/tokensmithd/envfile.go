package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ready runs once the server accepts requests on addr: it reports how long
// start-up took and writes the env file. token is the owner token when this
// start created it (or took it from TOKENSMITH_BOOTSTRAP_TOKEN), else "".
func (o *options) ready(stderr io.Writer, scheme string, addr net.Addr, token string) error {
	h := &o.harness
	if h.inMemory {
		fmt.Fprintf(stderr, "tokensmithd: ready in %s (in memory)\n", time.Since(processStart).Round(time.Millisecond))
		if o.tlsSelfSigned {
			h.written = append(h.written, o.tlsCAOut)
		}
	}
	if h.envFile == "" {
		return nil
	}
	vars := [][2]string{{"TOKENSMITH_ENDPOINT", scheme + "://" + dialable(addr)}}
	if token != "" {
		vars = append(vars, [2]string{"TOKENSMITH_TOKEN", token})
	} else {
		fmt.Fprintf(stderr, "tokensmithd: %s has no TOKENSMITH_TOKEN: the owner token was created by an earlier start and is not known to this one\n", h.envFile)
	}
	if o.tlsSelfSigned {
		ca, err := filepath.Abs(o.tlsCAOut)
		if err != nil {
			return fmt.Errorf("--env-file: %w", err)
		}
		vars = append(vars, [2]string{"TOKENSMITH_CA_CERT_FILE", ca})
	}
	if err := writeEnvFile(h.envFile, vars); err != nil {
		return fmt.Errorf("--env-file %s: %w", h.envFile, err)
	}
	h.written = append(h.written, h.envFile)
	fmt.Fprintf(stderr, "tokensmithd: wrote %s\n", h.envFile)
	return nil
}

// dialable is addr as a client on this machine dials it: an unspecified
// address (0.0.0.0, ::) becomes the loopback address, which the
// self-signed certificate also covers.
func dialable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// bare matches values that need no quoting in a shell, a Docker env file
// or a CI system's KEY=value list.
var bare = regexp.MustCompile(`^[A-Za-z0-9_./:@%+,=\[\]-]*$`)

// writeEnvFile writes KEY=value lines readable by `set -a; . FILE` as
// well as by tools that take KEY=value files. The file holds a secret: it is
// created with mode 0600 under a temporary name and renamed into place, so
// nobody ever reads it half-written or with wider permissions.
func writeEnvFile(path string, vars [][2]string) error {
	var b strings.Builder
	b.WriteString("# Written by tokensmithd; removed when it stops. Load with: set -a; . " + filepath.Base(path) + "; set +a\n")
	for _, kv := range vars {
		v := kv[1]
		if !bare.MatchString(v) {
			v = "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
		}
		b.WriteString(kv[0] + "=" + v + "\n")
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// setPasswordCommand sets a member's console password offline.
const setPasswordCommand = "set-password"

// setPassword is "tokensmithd set-password --email <email>": for whoever
// holds the data directory, it sets the console password of a member (the
// bootstrap owner first of all) to the first line of stdin, so the password
// appears in no command line, no environment and no shell history.
func setPassword(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) error {
	email, rest, err := cutEmailFlag(args)
	if err != nil {
		return err
	}
	o, err := parseFlags(rest)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(o.data); err != nil || fi.Size() == 0 {
		return fmt.Errorf("%s: no database at %s (give its path with --data or TOKENSMITH_DATA)", setPasswordCommand, o.data)
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: reading the password from stdin: %w", setPasswordCommand, err)
	}
	pw := strings.TrimRight(line, "\r\n")
	st, err := sqlite.Open(o.data)
	if err != nil {
		return fmt.Errorf("open %s: %w", o.data, err)
	}
	defer st.Close()
	if err := server.SetPasswordOffline(ctx, st, email, pw, time.Now()); err != nil {
		return fmt.Errorf("%s: %w", setPasswordCommand, err)
	}
	fmt.Fprintf(stderr, "tokensmithd: console password set for %s; their console sessions have ended\n", email)
	return st.Close()
}

// cutEmailFlag takes --email (required) out of args, leaving the daemon's
// flags (--data, --config) to parseFlags.
func cutEmailFlag(args []string) (string, []string, error) {
	var email string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--email" || a == "-email":
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("%s: --email needs a value", setPasswordCommand)
			}
			email = args[i+1]
			i++
		case strings.HasPrefix(a, "--email=") || strings.HasPrefix(a, "-email="):
			_, email, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	if strings.TrimSpace(email) == "" {
		return "", nil, fmt.Errorf("%s: --email is required (the member whose console password to set)", setPasswordCommand)
	}
	return email, rest, nil
}

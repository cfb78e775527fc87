// Package password hashes and checks console passwords with argon2id.
// Hashes are self-describing strings in the usual PHC form
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so the parameters can be
// raised later without invalidating the passwords already set.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Limits on a password, in characters. The maximum keeps one sign-in from
// hashing megabytes.
const (
	MinLength = 12
	MaxLength = 128
)

// Parameters of new hashes: 19 MiB, two passes, one lane (the minimum
// OWASP recommends for argon2id), about 30 ms on one core.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// Check reports why p cannot be a password, or nil. The message names the
// rule and never the password.
func Check(p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		return errors.New("the password must be valid UTF-8")
	case n < MinLength:
		return fmt.Errorf("the password must be at least %d characters long", MinLength)
	case n > MaxLength:
		return fmt.Errorf("the password must be at most %d characters long", MaxLength)
	case strings.TrimSpace(p) == "":
		return errors.New("the password must not be only spaces")
	}
	return nil
}

// Hash returns the argon2id hash of p with a fresh salt.
func Hash(p string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, passes, memoryKiB, lanes, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// errMalformed is a stored hash this package cannot read.
var errMalformed = errors.New("password: malformed hash")

// Verify reports whether p matches hash, in time independent of where they
// differ. A malformed hash is an error, never a match.
func Verify(hash, p string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errMalformed
	}
	var m, t uint32
	var l uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &l); err != nil || m == 0 || t == 0 || l == 0 || m > 1<<21 || t > 16 {
		return false, errMalformed
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, errMalformed
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errMalformed
	}
	got := argon2.IDKey([]byte(p), salt, t, m, l, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

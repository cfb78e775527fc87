package server

import (
	"errors"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// A client may supply the secret of a token it creates or resets (the
// `secret` field of both bodies) when the server allows it, so that the value
// can be generated where it is used and never travel back in an answer.
//
// The server cannot tell a random value from a chosen one: a well-formed
// secret proves its format, not its entropy. That is why the setting
// (Config.AllowClientSecrets) is off by default, and why a supplied secret is
// still held to every rule that can be checked: the format and checksum, the
// kind of the token, and that no token has ever held it.

// issuedSecret is the new secret of a token being created or reset.
type issuedSecret struct {
	digest   []byte
	lastFour string
	// shown is the whole value of a secret the server generated, for the
	// answer; it is empty for a secret the client supplied, which is never
	// echoed, kept past the write, logged or audited.
	shown    string
	supplied bool
}

// issueSecret returns the secret a create or reset gives a token of kind:
// supplied (the request's field) after every check, or a new one. Errors
// name field and never hold the value or any part of it.
func (s *Server) issueSecret(field, supplied string, kind secret.Kind) (issuedSecret, error) {
	if supplied == "" {
		value, err := secret.Generate(kind)
		if err != nil {
			return issuedSecret{}, err
		}
		return issuedSecret{digest: s.hasher.Digest(value), lastFour: api.LastFour(value), shown: value}, nil
	}
	if !s.cfg.AllowClientSecrets {
		return issuedSecret{}, invalid(field, "%s: this server does not accept client-supplied secrets (its operator can allow them with tokensmithd --allow-client-secrets)", field)
	}
	return s.checkSuppliedSecret(field, supplied, kind)
}

// checkSuppliedSecret validates value as the secret of a token of kind.
func (s *Server) checkSuppliedSecret(field, value string, want secret.Kind) (issuedSecret, error) {
	kind, err := secret.Parse(value)
	if err != nil {
		var fe *secret.FormatError
		if errors.As(err, &fe) {
			return issuedSecret{}, invalid(field, "%s is not a well-formed access token: %s", field, fe.Reason)
		}
		return issuedSecret{}, invalid(field, "%s is not a well-formed access token", field)
	}
	if kind != want {
		return issuedSecret{}, invalid(field, "%s is a %s token secret but the token is a %s token; generate a secret of the token's kind",
			field, kind, want)
	}
	return issuedSecret{digest: s.hasher.Digest(value), lastFour: api.LastFour(value), supplied: true}, nil
}

// stored maps the store's conflict on a digest that was ever issued to an
// error naming field when the client chose the secret; other errors, and
// every error for a generated secret, pass through.
func (sec issuedSecret) stored(field string, err error) error {
	if sec.supplied && errors.Is(err, store.ErrConflict) {
		return invalid(field, "%s has already been the secret of a token; generate a new one", field)
	}
	return err
}

// auditNote marks audit records of writes with a client-supplied secret.
func (sec issuedSecret) auditNote() string {
	if sec.supplied {
		return " secret=client-supplied"
	}
	return ""
}

package authz

import (
	"fmt"
	"time"
)

// Expiry is the expiration policy of new tokens.
type Expiry struct {
	// AllowNoExpiry lets a token be created without an expiration date.
	AllowNoExpiry bool
	// MaxLifetime, when positive, bounds how long a new token may live
	// (and requires an expiration date).
	MaxLifetime time.Duration
}

// Check applies the policy to a new token created at now that asks to
// expire at exp (nil: never). It returns the expiry to store.
func (e Expiry) Check(now time.Time, exp *time.Time) (*time.Time, error) {
	if exp == nil {
		if !e.AllowNoExpiry {
			return nil, invalid("expirationDate", "expirationDate is required: this server does not allow tokens without expiry")
		}
		if e.MaxLifetime > 0 {
			return nil, invalid("expirationDate", "expirationDate is required: tokens may live at most %s", lifetime(e.MaxLifetime))
		}
		return nil, nil
	}
	if !exp.After(now) {
		return nil, invalid("expirationDate", "expirationDate must be in the future")
	}
	if e.MaxLifetime > 0 && exp.Sub(now) > e.MaxLifetime {
		return nil, invalid("expirationDate", "expirationDate must be at most %s from now", lifetime(e.MaxLifetime))
	}
	return exp, nil
}

func lifetime(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// near reports whether got is within a couple of seconds of want: the Date
// header has whole seconds.
func near(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -3*time.Second && d < 3*time.Second
}

func TestClientNowFollowsTheServersDateHeader(t *testing.T) {
	ts, c := setup(t, testserver.WithTestClockEndpoint())
	ctx := context.Background()
	if !near(c.Now(), time.Now()) {
		t.Fatalf("before any answer Now() = %s, want the local clock", c.Now())
	}
	if _, err := c.CallerIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	if local := time.Now(); !near(c.Now(), local) {
		t.Fatalf("with the server's clock agreeing, Now() = %s, want about %s", c.Now(), local)
	}

	ts.Clock.Advance(29 * 24 * time.Hour)
	if !near(c.Now(), time.Now()) {
		t.Fatal("Now() moved before the server answered")
	}
	if _, err := c.WithToken(ts.OwnerToken).CallerIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	if want := time.Now().Add(29 * 24 * time.Hour); !near(c.Now(), want) {
		t.Fatalf("after the server's clock moved 29 days, Now() = %s, want about %s", c.Now(), want)
	}

	past := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	ts.Clock.Set(past)
	if _, err := c.CallerIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	if !near(c.Now(), past) {
		t.Fatalf("after the server's clock was set to %s, Now() = %s", past, c.Now())
	}
}

package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestTestClockEndpointOnlyWhenEnabled(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	c.fail(http.StatusNotFound, api.CodeNotFound, "POST", api.PathTestClock, api.TestClockUpdate{Advance: "1h"})
	if strings.Contains(ts.Logs(), "test clock") {
		t.Errorf("a server without a test clock warns about one:\n%s", ts.Logs())
	}
}

func TestTestClockExpiresTokens(t *testing.T) {
	ts := testserver.New(t, testserver.WithTestClockEndpoint())
	c := newClient(t, ts, ts.OwnerToken)
	start := ts.Clock.Now()

	tok := c.createToken(api.TokenCreate{Name: "short-lived", Role: api.RoleReader, AllWorkspaces: true,
		ExpirationDate: start.Add(29 * 24 * time.Hour).UnixMilli()})
	short := c.with(tok.Token)
	short.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	var got api.TestClock
	c.must(http.StatusOK, "POST", api.PathTestClock, api.TestClockUpdate{Advance: "696h"}).into(t, &got)
	want := start.Add(29 * 24 * time.Hour).UTC().Truncate(time.Millisecond)
	if got.NowMillis != want.UnixMilli() || got.Now != want.Format("2006-01-02T15:04:05.000Z07:00") {
		t.Fatalf("answer %+v, want the clock at %s", got, want)
	}
	if d := ts.Clock.Now().Sub(start); d != 29*24*time.Hour {
		t.Fatalf("clock moved by %s, want 696h", d)
	}

	short.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	var after api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &after)
	if !after.Expired {
		t.Errorf("token not reported expired after the clock passed its expiry: %+v", after)
	}

	r := c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	if date, err := http.ParseTime(r.Header.Get("Date")); err != nil || !date.Equal(want.Truncate(time.Second)) {
		t.Errorf("Date header %q, want the test clock's %s", r.Header.Get("Date"), want.Format(http.TimeFormat))
	}

	set := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	c.must(http.StatusOK, "POST", api.PathTestClock, api.TestClockUpdate{Set: set.Format(time.RFC3339)}).into(t, &got)
	if !ts.Clock.Now().Equal(set) || got.NowMillis != set.UnixMilli() {
		t.Errorf("after set: clock %s, answer %+v, want %s", ts.Clock.Now(), got, set)
	}
}

func TestTestClockWarnsOnEveryRequest(t *testing.T) {
	ts := testserver.New(t, testserver.WithTestClockEndpoint())
	c := newClient(t, ts, ts.OwnerToken)
	for range 3 {
		c.must(http.StatusOK, "GET", "/healthz", nil)
	}
	if n := strings.Count(ts.Logs(), `"level":"WARN","msg":"test clock in use`); n != 3 {
		t.Errorf("%d warnings for 3 requests:\n%s", n, ts.Logs())
	}
}

func TestTestClockRefusals(t *testing.T) {
	ts := testserver.New(t, testserver.WithTestClockEndpoint())
	c := newClient(t, ts, ts.OwnerToken)
	start := ts.Clock.Now()

	var admin api.Member
	c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: "admin@example.com", Role: api.RoleAdmin}).into(t, &admin)
	adminTok := c.createToken(api.TokenCreate{Name: "admin", Role: api.RoleAdmin, AllWorkspaces: true, MemberID: admin.ID})
	p := c.with(adminTok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTestClock, api.TestClockUpdate{Advance: "1h"})
	if !strings.Contains(p.Detail, "owner") {
		t.Errorf("refusal does not say an owner is needed: %s", p.Detail)
	}

	for _, tc := range []struct {
		body  any
		field string
	}{
		{api.TestClockUpdate{}, "set"},
		{api.TestClockUpdate{Set: "2030-01-01T00:00:00Z", Advance: "1h"}, "set"},
		{api.TestClockUpdate{Set: "tomorrow"}, "set"},
		{api.TestClockUpdate{Advance: "-1h"}, "advance"},
		{api.TestClockUpdate{Advance: "0s"}, "advance"},
		{api.TestClockUpdate{Advance: "29 days"}, "advance"},
		{`{"advance":"1h","speed":2}`, "speed"},
	} {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTestClock, tc.body)
		if p.Field != tc.field {
			t.Errorf("%v: field %q, want %q (%s)", tc.body, p.Field, tc.field, p.Detail)
		}
	}
	if !ts.Clock.Now().Equal(start) {
		t.Errorf("a refused request moved the clock from %s to %s", start, ts.Clock.Now())
	}
}

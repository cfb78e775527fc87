package server

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
)

// queryCall is a call to a route declaring params, with query string q.
func queryCall(q string, params ...queryParam) *call {
	r := httptest.NewRequest("GET", "/x?"+q, nil)
	ctx := context.WithValue(r.Context(), ctxKey{}, &reqInfo{route: "GET /x", query: params})
	return &call{ctx: ctx, r: r.WithContext(ctx)}
}

func TestQueryReadsParametersAsDeclared(t *testing.T) {
	show := boolParam("showAll", "showAll must be true or false")

	if b, err := queryBool(queryCall("showAll=true", show), "showAll"); err != nil || b == nil || !*b {
		t.Errorf("showAll=true: %v, %v", b, err)
	}
	if b, err := queryBool(queryCall("", show), "showAll"); err != nil || b != nil {
		t.Errorf("absent: %v, %v", b, err)
	}
	_, err := queryBool(queryCall("showAll=maybe", show), "showAll")
	var e *Error
	if !errors.As(err, &e) || e.Field != "showAll" || e.Detail != "showAll must be true or false" {
		t.Errorf("showAll=maybe: %#v", err)
	}

	for q, want := range map[string]string{
		"limit=0":      "limit must be an integer from 1 to 1000",
		"limit=x":      "limit must be an integer from 1 to 1000",
		"offset=-1":    "offset must be an integer from 0 to 2147483648",
		"unusedFor=":   "",
		"unusedFor=0d": "unusedFor must be between 1d and 3650d",
		"unusedFor=3w": "unusedFor must be a number of days such as 30d (1d to 3650d)",
	} {
		cl := queryCall(q, limitParam, offsetParam, daysParam("unusedFor", maxUnusedForDays))
		_, err := pageOf(cl)
		if err == nil {
			_, _, err = queryInt(cl, "unusedFor")
		}
		got := ""
		if errors.As(err, &e) {
			got = e.Detail
		} else if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
	if p, err := pageOf(queryCall("limit=5&offset=10", limitParam, offsetParam)); err != nil || p != (page{limit: 5, offset: 10}) {
		t.Errorf("limit=5&offset=10: %+v, %v", p, err)
	}
}

// A handler reading a parameter its route does not declare is a mistake
// of the server, never a silent empty value.
func TestQueryRefusesUndeclaredParameters(t *testing.T) {
	_, err := queryText(queryCall("email=a@b.c", textParam("name")), "email")
	var e *Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("got %v, want an internal error", err)
	}
	if _, known := asError(err); known {
		t.Errorf("an undeclared parameter maps to a known error: %v", err)
	}
	_, _, err = queryInt(queryCall("name=x", textParam("name")), "name")
	if err == nil {
		t.Error("a text parameter read as an integer is not refused")
	}
}

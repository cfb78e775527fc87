package storetest

import (
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func testAudit(t *testing.T, f *fixture) {
	at := f.now()
	event := func(id string, when time.Time, action string) store.AuditEvent {
		return store.AuditEvent{ID: id, OrgID: f.org.ID, Time: when, Action: action, MemberID: f.owner.ID,
			TokenID: f.tok.ID, Target: "token/" + f.tok.ID, Detail: "name=ci"}
	}
	// Appended out of time order, and two in the same millisecond whose
	// ids sort against their append order: they list by time, then in
	// the order they were appended.
	e3 := event(idWithPrefix("0000"), at, "token.delete")
	e1 := event(newID(), at.Add(-time.Minute), "token.create")
	e2 := event(idWithPrefix("ffff"), at, "token.update")
	for _, e := range []store.AuditEvent{e2, e1, e3} {
		mustOK(t, "AppendAudit", f.st.AppendAudit(f.ctx, e))
	}
	cases := []struct {
		name          string
		limit, offset int
		want          []store.AuditEvent
	}{
		{"all", 0, 0, []store.AuditEvent{e1, e2, e3}},
		{"limit", 2, 0, []store.AuditEvent{e1, e2}},
		{"page", 2, 2, []store.AuditEvent{e3}},
		{"offset only", 0, 1, []store.AuditEvent{e2, e3}},
		{"past the end", 10, 5, nil},
	}
	for _, tc := range cases {
		items, total, err := f.st.ListAudit(f.ctx, f.org.ID, tc.limit, tc.offset)
		mustOK(t, "ListAudit "+tc.name, err)
		equal(t, "ListAudit "+tc.name, items, tc.want)
		if total != 3 {
			t.Fatalf("ListAudit %s: total %d, want 3", tc.name, total)
		}
	}
	items, total, err := f.st.ListAudit(f.ctx, otherOrg, 0, 0)
	mustOK(t, "ListAudit other org", err)
	if len(items) != 0 || total != 0 {
		t.Fatalf("ListAudit of another organisation: %d items, total %d", len(items), total)
	}
}

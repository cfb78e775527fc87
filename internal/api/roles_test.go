package api

import (
	"net/http"
	"slices"
	"testing"
)

func TestRoleOrder(t *testing.T) {
	if got, want := MemberRoles(), []string{RoleReader, RoleWriter, RoleAdmin, RoleOwner}; !slices.Equal(got, want) {
		t.Fatalf("MemberRoles() = %v, want %v", got, want)
	}
	if got, want := TokenRoles(), []string{RoleReader, RoleWriter, RoleAdmin}; !slices.Equal(got, want) {
		t.Fatalf("TokenRoles() = %v, want %v", got, want)
	}
	for i, r := range MemberRoles() {
		if RoleRank(r) != i {
			t.Errorf("RoleRank(%q) = %d, want %d", r, RoleRank(r), i)
		}
	}
	for _, r := range []string{"", "Owner", "superuser"} {
		if RoleRank(r) != -1 {
			t.Errorf("RoleRank(%q) = %d, want -1", r, RoleRank(r))
		}
	}
}

// The lists are the contract: a caller that changes the slice it got must
// not change what the next caller gets.
func TestListsAreCopies(t *testing.T) {
	MemberRoles()[0] = "mutated"
	TokenRoles()[0] = "mutated"
	BasePermissions()[0] = "mutated"
	Codes()[0] = "mutated"
	OpenAPIDocument()[0] = 0
	if MemberRoles()[0] != RoleReader || TokenRoles()[0] != RoleReader || RoleRank(RoleReader) != 0 {
		t.Error("a role list was changed through a returned slice")
	}
	if BasePermissions()[0] != BasePermissionsNoAccess {
		t.Error("BasePermissions was changed through a returned slice")
	}
	if Codes()[0] != CodeInvalidRequest {
		t.Error("Codes was changed through a returned slice")
	}
	if OpenAPIDocument()[0] == 0 {
		t.Error("the OpenAPI document was changed through a returned slice")
	}
}

func TestStatusOf(t *testing.T) {
	codes := Codes()
	if len(codes) != len(statuses) {
		t.Fatalf("Codes() has %d codes, the table %d", len(codes), len(statuses))
	}
	for _, c := range codes {
		if s := StatusOf(c); s < 400 || s > 599 {
			t.Errorf("StatusOf(%s) = %d, not an error status", c, s)
		}
	}
	for c, want := range map[Code]int{
		CodeNotFound: http.StatusNotFound, CodeQuotaExceeded: http.StatusConflict,
		CodeRateLimited: http.StatusTooManyRequests, "no_such_code": http.StatusInternalServerError,
	} {
		if got := StatusOf(c); got != want {
			t.Errorf("StatusOf(%s) = %d, want %d", c, got, want)
		}
	}
}

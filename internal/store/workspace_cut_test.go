package store

import (
	"slices"
	"testing"
)

func TestCutWorkspace(t *testing.T) {
	for _, tc := range []struct {
		name                string
		all                 bool
		listed, excluded    []string
		wantListed, wantExc []string
		want                ScopeCut
	}{
		{"all workspaces: excluded", true, nil, []string{"a"}, nil, []string{"a", "w"}, ScopeNarrowed},
		{"all workspaces, already excluded", true, nil, []string{"w"}, nil, []string{"w"}, ScopeUnchanged},
		{"listed with others", false, []string{"a", "w", "b"}, nil, []string{"a", "b"}, nil, ScopeNarrowed},
		{"last workspace", false, []string{"w"}, nil, nil, nil, ScopeRevoked},
		{"not listed", false, []string{"a"}, nil, []string{"a"}, nil, ScopeUnchanged},
	} {
		listedIn := slices.Clone(tc.listed)
		l, e, cut := CutWorkspace(tc.all, tc.listed, tc.excluded, "w")
		if cut != tc.want || !slices.Equal(l, tc.wantListed) || !slices.Equal(e, tc.wantExc) {
			t.Errorf("%s: got %v %v %v, want %v %v %v", tc.name, l, e, cut, tc.wantListed, tc.wantExc, tc.want)
		}
		if !slices.Equal(tc.listed, listedIn) {
			t.Errorf("%s: the caller's list was changed: %v", tc.name, tc.listed)
		}
	}
}

package server

import (
	"net/http"
	"strconv"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

const (
	defaultPageLimit = 20
	maxPageLimit     = 1000
	// maxOffset keeps offset+limit far from overflowing in the links.
	maxOffset = 1 << 31
)

type page struct{ limit, offset int }

func pageOf(cl *call) (page, error) {
	p := page{limit: defaultPageLimit}
	if n, ok, err := queryInt(cl, "limit"); err != nil {
		return p, err
	} else if ok {
		p.limit = int(n)
	}
	if n, ok, err := queryInt(cl, "offset"); err != nil {
		return p, err
	} else if ok {
		p.offset = int(n)
	}
	return p, nil
}

// slicePage cuts one page out of a fully loaded collection.
func slicePage[T any](all []T, p page) []T {
	if p.offset >= len(all) {
		return []T{}
	}
	end := min(p.offset+p.limit, len(all))
	return all[p.offset:end]
}

// listOf builds the list envelope with self, first, prev, next and last links
// that keep the request's other query parameters.
func listOf[T any](r *http.Request, items []T, total int, p page) api.List[T] {
	if items == nil {
		items = []T{}
	}
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(p.limit))
	link := func(offset int) api.Link {
		q.Set("offset", strconv.Itoa(offset))
		return api.Link{Href: r.URL.Path + "?" + q.Encode(), Type: "application/json"}
	}
	last := 0
	if total > 0 {
		last = ((total - 1) / p.limit) * p.limit
	}
	links := api.Links{"self": link(p.offset), "first": link(0), "last": link(last)}
	if p.offset > 0 {
		links["prev"] = link(max(p.offset-p.limit, 0))
	}
	if p.offset+p.limit < total {
		links["next"] = link(p.offset + p.limit)
	}
	return api.List[T]{Items: items, TotalCount: total, Links: links}
}

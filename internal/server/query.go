package server

import (
	"fmt"
	"regexp"
	"strconv"
)

// queryParam declares a query parameter a route takes (routes.go) and how
// its value is read. Handlers read parameters only through queryText,
// queryBool and queryInt, which go by their route's declaration, so what a
// route takes and how it reads it are said in one place.
type queryParam struct {
	name string
	// read turns a non-empty value into the parameter's value (string, bool
	// or int64), or refuses it with the error the API has always given.
	read func(v string) (any, error)
}

// textParam is a parameter taken as it is.
func textParam(name string) queryParam {
	return queryParam{name: name, read: func(v string) (any, error) { return v, nil }}
}

// boolParam is true or false; bad is the detail of any other value.
func boolParam(name, bad string) queryParam {
	return queryParam{name: name, read: func(v string) (any, error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, invalid(name, "%s", bad)
		}
		return b, nil
	}}
}

// intParam is a decimal integer from lo to hi; bad is the detail of any
// other value.
func intParam(name string, lo, hi int64, bad string) queryParam {
	return queryParam{name: name, read: func(v string) (any, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			return nil, invalid(name, "%s", bad)
		}
		return n, nil
	}}
}

var daysPattern = regexp.MustCompile(`^([0-9]{1,4})d$`)

// daysParam is a number of days written "<N>d", from 1 to most.
func daysParam(name string, most int64) queryParam {
	return queryParam{name: name, read: func(v string) (any, error) {
		m := daysPattern.FindStringSubmatch(v)
		if m == nil {
			return nil, invalid(name, "%s must be a number of days such as 30d (1d to %dd)", name, most)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if n < 1 || n > most {
			return nil, invalid(name, "%s must be between 1d and %dd", name, most)
		}
		return n, nil
	}}
}

// The parameters several routes share.
var (
	limitParam  = intParam("limit", 1, maxPageLimit, fmt.Sprintf("limit must be an integer from 1 to %d", maxPageLimit))
	offsetParam = intParam("offset", 0, maxOffset, fmt.Sprintf("offset must be an integer from 0 to %d", maxOffset))
)

// queryValue reads parameter name of the request as its route declares it:
// ok is false when the request does not give it (or gives it empty).
func queryValue[T any](cl *call, name string) (v T, ok bool, err error) {
	var decl *queryParam
	for i, p := range info(cl.ctx).query {
		if p.name == name {
			decl = &info(cl.ctx).query[i]
			break
		}
	}
	if decl == nil {
		return v, false, fmt.Errorf("server: route %s reads query parameter %s, which it does not declare", info(cl.ctx).route, name)
	}
	raw := cl.r.URL.Query().Get(name)
	if raw == "" {
		return v, false, nil
	}
	x, err := decl.read(raw)
	if err != nil {
		return v, false, err
	}
	v, isT := x.(T)
	if !isT {
		return v, false, fmt.Errorf("server: query parameter %s of %s is a %T, read as a %T", name, info(cl.ctx).route, x, v)
	}
	return v, true, nil
}

// queryText is a text parameter, "" when absent.
func queryText(cl *call, name string) (string, error) {
	v, _, err := queryValue[string](cl, name)
	return v, err
}

// queryBool is a boolean parameter, nil when absent.
func queryBool(cl *call, name string) (*bool, error) {
	v, ok, err := queryValue[bool](cl, name)
	if !ok {
		return nil, err
	}
	return &v, nil
}

// queryInt is an integer parameter (or a number of days), ok false when
// absent.
func queryInt(cl *call, name string) (n int64, ok bool, err error) {
	return queryValue[int64](cl, name)
}

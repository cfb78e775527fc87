package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// invalidUTF8 names the field of a JSON body whose string holds the first
// byte sequence that is not UTF-8 ("inlineRole[0].resources[1]", or the
// object holding it when the bad bytes are in a field name).
func invalidUTF8(body []byte) *Error {
	const rule = "must be valid UTF-8"
	field, inKey := utf8Path(body)
	switch {
	case inKey && field == "":
		return invalid("body", "field names in the body %s", rule)
	case inKey:
		return invalid(field, "field names in %s %s", field, rule)
	case field == "":
		return invalid("body", "the body %s", rule)
	}
	return invalid(field, "%s %s", field, rule)
}

// utf8Path walks the tokens of body, keeping the path of the current
// value, until the raw bytes read for one token are not valid UTF-8; inKey
// says that token was a field name.
func utf8Path(body []byte) (path string, inKey bool) {
	type level struct {
		array bool
		index int
		key   string
		// wantKey: in an object, the next string is a key.
		wantKey bool
	}
	var stack []*level
	at := func() string {
		var b bytes.Buffer
		for _, l := range stack {
			if l.array {
				fmt.Fprintf(&b, "[%d]", l.index)
			} else if l.key != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			}
		}
		return b.String()
	}
	// afterValue moves the innermost container past one value.
	afterValue := func() {
		if n := len(stack); n > 0 {
			if l := stack[n-1]; l.array {
				l.index++
			} else {
				l.wantKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		off := dec.InputOffset()
		raw := body[prev:off]
		prev = off
		var top *level
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &level{wantKey: true})
			case '[':
				stack = append(stack, &level{array: true})
			default:
				stack = stack[:len(stack)-1]
				afterValue()
			}
		case string:
			if top != nil && !top.array && top.wantKey {
				top.key = ""
				if !utf8.Valid(raw) {
					return at(), true
				}
				top.key, top.wantKey = t, false
				continue
			}
			if !utf8.Valid(raw) {
				return at(), false
			}
			afterValue()
		default:
			afterValue()
		}
	}
}

package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// # Resource specifiers
//
// Statements name resources with the specifier grammar of the wider
// service whose REST API tokensmithd speaks, so that its users' policies
// load unchanged:
//
//	specifier   = "*" / segment *( ":" segment )
//	segment     = kind [ "/" name [ ";" tag *( "," tag ) ] ]
//	kind        = ALPHA *( ALPHA / DIGIT / "-" / "_" )
//	name        = 1*( namechar / "*" / placeholder )
//	tag         = 1*( namechar / "*" )
//	namechar    = ALPHA / DIGIT / "_" / "." / "-"
//	placeholder = "${roleAttribute/" 1*namechar "}"
//
// Segments name a resource inside the one before it
// ("proj/mobile:env/test:flag/*" is every flag of the test environment of
// project mobile). "*" in a name or a tag matches any run of characters. A
// tag list keeps the resources that carry every listed tag. A placeholder
// stands for the values of a role attribute of the member.
//
// # Our resources in that grammar
//
// tokensmithd has two kinds of resource, and nothing is nested in them:
//
//   - "org", the organisation: tokens, custom roles, members, the audit log
//     and the catalogue are all acted on as "org";
//   - "workspace/<id>", one workspace: everything done inside a workspace is
//     acted on as that workspace (a token scoped to it, its members).
//
// The catalogue defines actions (permission names), not resource kinds.
//
// A specifier whose first kind is "org" or "workspace" is ours, and stricter
// rules apply to it than to the grammar in general: "org" takes no name;
// a workspace's name is an id, "*" or an id prefix ending in "*"; neither
// takes tags, placeholders or nested segments, because our workspaces carry
// no tags, members have no role attributes and no resource of ours is
// nested in another. So "workspace/*:token/*" is refused (write
// "workspace/*", or "org" for tokens themselves) rather than accepted
// meaning nothing. "Org" or "WORKSPACE/x" are refused too: kinds are
// case-sensitive, and a kind that differs from ours only in case is a typo.
//
// Every other well-formed specifier is foreign ("proj/*:env/production",
// "member/*", "role/*;admin"): accepted, stored and returned as sent, and
// evaluated literally against our resources, which it never matches.

// segment is one kind/name;tags part of a parsed specifier or resource.
type segment struct {
	kind    string
	name    string // empty when the segment has no name
	tags    []string
	pos     int // offset of the segment in the specifier
	namePos int // offset of the name, or -1
	tagPos  int // offset of ";", or -1
}

// SyntaxError is a malformed specifier: Pos is the 1-based character at
// which the parser stopped, Expected what it wanted there.
type SyntaxError struct {
	Pos      int
	Expected string
	Found    string // the character found, empty at the end of the specifier
}

func (e *SyntaxError) Error() string {
	found := "the end of the specifier"
	if e.Found != "" {
		found = fmt.Sprintf("%q", e.Found)
	}
	return fmt.Sprintf("at character %d: expected %s, found %s", e.Pos, e.Expected, found)
}

// placeholderOpen starts the only placeholder the grammar has.
const placeholderOpen = "${roleAttribute/"

// parseSpecifier parses s by the grammar above; "*" gives no segments.
func parseSpecifier(s string) ([]segment, *SyntaxError) {
	if s == "*" {
		return nil, nil
	}
	p := specParser{s: s}
	var segs []segment
	for {
		g, err := p.segment()
		if err != nil {
			return nil, err
		}
		segs = append(segs, g)
		if p.i == len(s) {
			return segs, nil
		}
		if s[p.i] != ':' {
			return nil, p.fail(`":" before the next segment, or the end of the specifier`)
		}
		p.i++
	}
}

type specParser struct {
	s string
	i int
}

func (p *specParser) fail(expected string) *SyntaxError {
	e := &SyntaxError{Pos: utf8.RuneCountInString(p.s[:p.i]) + 1, Expected: expected}
	if p.i < len(p.s) {
		r, _ := utf8.DecodeRuneInString(p.s[p.i:])
		e.Found = string(r)
	}
	return e
}

func (p *specParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func isAlpha(c byte) bool    { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isNameChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' || c == '.' || c == '-' }

func (p *specParser) segment() (segment, *SyntaxError) {
	g := segment{pos: p.i, namePos: -1, tagPos: -1}
	if !isAlpha(p.peek()) {
		return g, p.fail("a resource kind (a letter, then letters, digits, \"-\" or \"_\")")
	}
	start := p.i
	for p.i < len(p.s) && (isAlpha(p.s[p.i]) || isDigit(p.s[p.i]) || p.s[p.i] == '-' || p.s[p.i] == '_') {
		p.i++
	}
	g.kind = p.s[start:p.i]
	if p.peek() != '/' {
		return g, nil
	}
	p.i++
	g.namePos = p.i
name:
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case isNameChar(c) || c == '*':
			p.i++
		case c == '$':
			if err := p.placeholder(); err != nil {
				return g, err
			}
		default:
			break name
		}
	}
	if p.i == g.namePos {
		return g, p.fail(`a name after "/" (letters, digits, "_", ".", "-", "*" or ` + placeholderOpen + `<attribute>})`)
	}
	g.name = p.s[g.namePos:p.i]
	if p.peek() != ';' {
		return g, nil
	}
	g.tagPos = p.i
	for {
		p.i++
		start := p.i
		for p.i < len(p.s) && (isNameChar(p.s[p.i]) || p.s[p.i] == '*') {
			p.i++
		}
		if p.i == start {
			return g, p.fail(`a tag (letters, digits, "_", ".", "-" or "*")`)
		}
		g.tags = append(g.tags, p.s[start:p.i])
		if p.peek() != ',' {
			return g, nil
		}
	}
}

func (p *specParser) placeholder() *SyntaxError {
	if !strings.HasPrefix(p.s[p.i:], placeholderOpen) {
		return p.fail(`"` + placeholderOpen + `<attribute>}": the only placeholder is a role attribute`)
	}
	p.i += len(placeholderOpen)
	start := p.i
	for p.i < len(p.s) && isNameChar(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return p.fail(`a role attribute name (letters, digits, "_", ".", "-")`)
	}
	if p.peek() != '}' {
		return p.fail(`"}" closing the placeholder`)
	}
	p.i++
	return nil
}

// CheckSpecifier returns why s is not an acceptable resource specifier, or
// "" when it is: the grammar above, and our stricter rules for "org" and
// "workspace" (see the package doc).
func CheckSpecifier(s string) string {
	segs, err := parseSpecifier(s)
	if err != nil {
		return err.Error()
	}
	if len(segs) == 0 {
		return ""
	}
	first := segs[0]
	at := func(offset int, expected, detail string) string {
		p := specParser{s: s, i: offset}
		return p.fail(expected).Error() + "; " + detail
	}
	switch first.kind {
	case ResourceOrg:
		if first.namePos >= 0 {
			return at(first.namePos-1, `the end of "org"`, `"org" is the whole organisation and takes no name`)
		}
	case KindWorkspace:
		if first.namePos < 0 {
			return at(len(first.kind), `"/" and a workspace id, "*" or an id prefix ending in "*"`, `"workspace" needs a name`)
		}
		if i := strings.IndexAny(first.name, "*$"); i >= 0 && i != len(first.name)-1 {
			return at(first.namePos+i, `a workspace id character`, `a workspace name is an id, "*" or an id prefix ending in "*"; `+
				`"*" may only end it and members have no role attributes`)
		}
		if first.tagPos >= 0 {
			return at(first.tagPos, `":" or the end of the specifier`, "workspaces carry no tags")
		}
	default:
		for _, ours := range []string{ResourceOrg, KindWorkspace} {
			if strings.EqualFold(first.kind, ours) {
				return at(0, fmt.Sprintf("%q", ours), fmt.Sprintf("kinds are case-sensitive: did you mean %q?", ours))
			}
		}
		return ""
	}
	if len(segs) > 1 {
		return at(segs[1].pos-1, "the end of the specifier", fmt.Sprintf("nothing is nested in %q in tokensmithd: "+
			`everything done inside a workspace is acted on as "workspace/<id>", and tokens, roles and members as "org"`, first.kind))
	}
	return ""
}

// namesOurs reports whether a resource specifier can match one of our
// resources: "*", "org" or one plain "workspace/<name>" segment.
func namesOurs(spec string) bool {
	if spec == "*" || spec == ResourceOrg {
		return true
	}
	name, ok := strings.CutPrefix(spec, KindWorkspace+"/")
	return ok && name != "" && !strings.ContainsAny(name, ":;$/")
}

// matchResource reports whether a specifier matches a resource, both in
// the grammar above. It is literal: the kinds and the number of segments
// must agree, names and tags match with "*" standing for any run of
// characters, and a name holding a placeholder matches nothing (no member
// has role attributes here). Our resources ("org", "workspace/<id>") are
// one segment without tags, so a foreign specifier never matches them.
func matchResource(spec, resource string) bool {
	if spec == "*" {
		return true
	}
	for {
		specSeg, specRest, specMore := strings.Cut(spec, ":")
		resSeg, resRest, resMore := strings.Cut(resource, ":")
		if specMore != resMore || !matchSegment(specSeg, resSeg) {
			return false
		}
		if !specMore {
			return true
		}
		spec, resource = specRest, resRest
	}
}

func matchSegment(spec, resource string) bool {
	specKind, specName, specHasName := strings.Cut(spec, "/")
	kind, name, hasName := strings.Cut(resource, "/")
	if specKind != kind || specHasName != hasName {
		return false
	}
	if !specHasName {
		return true
	}
	specName, specTags, _ := strings.Cut(specName, ";")
	name, tags, _ := strings.Cut(name, ";")
	if name == "" || strings.Contains(specName, "${") || !glob(specName, name) {
		return false
	}
	for t := range strings.SplitSeq(specTags, ",") {
		if t == "" {
			continue
		}
		found := false
		for rt := range strings.SplitSeq(tags, ",") {
			if rt != "" && glob(t, rt) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// glob matches v against pattern, where "*" stands for any run of
// characters (none included) and every other character for itself.
func glob(pattern, v string) bool {
	star, backtrack := -1, 0
	i, j := 0, 0
	for j < len(v) {
		switch {
		case i < len(pattern) && pattern[i] == '*':
			star, backtrack = i, j
			i++
		case i < len(pattern) && pattern[i] == v[j]:
			i++
			j++
		case star >= 0:
			backtrack++
			i, j = star+1, backtrack
		default:
			return false
		}
	}
	for i < len(pattern) && pattern[i] == '*' {
		i++
	}
	return i == len(pattern)
}

// Package store defines what tokensmithd needs from persistent storage. Each
// engine lives in a sub-package (sqlite today) and must pass the conformance
// suite in store/storetest, so a new engine needs no new tests.
//
// Records hold no secrets: a token is stored as the HMAC digest of its
// value and its last four characters.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

var (
	// ErrNotFound: the record does not exist (in this organisation).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique value (workspace name, role key, member email,
	// idempotency key) is already taken, or the record changed underneath.
	ErrConflict = errors.New("conflict")
	// ErrInProgress: another transaction is running a request with the same
	// idempotency key.
	ErrInProgress = errors.New("idempotent request in progress")
	// ErrLastOwner (an ErrConflict) is returned by an engine shared by
	// several processes when demoting or removing a member would leave the
	// organisation without an owner.
	ErrLastOwner = fmt.Errorf("%w: the organisation's last owner cannot be demoted or removed", ErrConflict)
)

// QuotaError is returned by CreateToken when a limit would be exceeded.
type QuotaError struct {
	Scope string // "member" or "organization"
	Limit int
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("token quota exceeded: at most %d tokens per %s", e.Limit, e.Scope)
}

// InUseError is returned by DeleteCustomRole when tokens still use the role.
type InUseError struct {
	Tokens int
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("custom role is used by %d access token(s)", e.Tokens)
}

// Organization is the single tenant of a tokensmithd instance.
type Organization struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Member belongs to the organisation with one role: owner, admin, writer or reader.
type Member struct {
	ID        string
	OrgID     string
	Email     string // unique in the organisation
	FirstName string
	LastName  string
	Role      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Workspace groups resources; OwnerID is a member id. MemberIDs always
// includes the owner.
type Workspace struct {
	ID          string
	OrgID       string
	Name        string // unique in the organisation
	Description string
	OwnerID     string
	MemberIDs   []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CustomRole is a named, reusable grant.
type CustomRole struct {
	ID          string
	OrgID       string
	Key         string // unique in the organisation, fixed at creation
	Name        string
	Description string
	// BasePermissions is what a holder may do outside the policy: one of
	// api.BasePermissions().
	BasePermissions string
	// Permissions are catalogue names granted on every resource.
	Permissions []string
	// Access maps catalogue objects to an access level, granted on every
	// resource in addition to Permissions, kept exactly as sent.
	Access map[string]string
	// Policy keeps its statements in the order they were sent.
	Policy    []api.Statement
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Token is an access token without its secret.
type Token struct {
	ID          string
	OrgID       string
	MemberID    string // the owner member
	Name        string
	Description string
	Service     bool

	// Exactly one grant is set.
	Role          string
	CustomRoleIDs []string // ids, never keys
	InlineRole    []api.Statement
	Permissions   []string
	// Access maps catalogue objects to none, read_only or read_write,
	// kept exactly as sent.
	Access map[string]string

	WorkspaceIDs  []string
	AllWorkspaces bool
	// ExcludedWorkspaceIDs are workspaces an all-workspaces personal token
	// lost through an ownership transfer.
	ExcludedWorkspaceIDs []string

	DefaultAPIVersion int
	ExpiresAt         *time.Time

	// Digest is HMAC-SHA256(pepper, secret) of the current secret.
	Digest   []byte
	LastFour string
	// PrevDigest keeps the previous secret working until PrevExpiresAt
	// after a reset with a grace period.
	PrevDigest    []byte
	PrevExpiresAt *time.Time

	CreatedAt  time.Time
	UpdatedAt  time.Time
	LastUsedAt *time.Time
}

// TokenFilter selects tokens for ListTokens. Empty fields do not filter.
type TokenFilter struct {
	OrgID    string
	MemberID string
	Limit    int // 0 means no limit
	Offset   int
	// UnusedSince, when set, keeps only tokens neither used nor created
	// since then (LastUsedAt, or CreatedAt for a token never used, before it).
	UnusedSince time.Time
}

// UsageCount is how many requests a token made (or how often it was
// presented to a relying service) on one UTC day.
type UsageCount struct {
	TokenID string
	Day     time.Time // midnight UTC
	Count   int64
}

// Quota is enforced by CreateToken inside the same transaction as the insert.
// Zero means unlimited.
type Quota struct {
	PerMember int
	PerOrg    int
}

// IdempotencyRecord remembers the response to a POST sent with an
// Idempotency-Key. Body is stored as the server hands it over; the server
// encrypts any response holding a secret before it gets here.
type IdempotencyRecord struct {
	Key         string // scoped by the caller: e.g. "<tokenID>:<Idempotency-Key>"
	RequestHash []byte
	Status      int
	Body        []byte
	CreatedAt   time.Time
}

// IdempotentFunc does the work of a request sent with an idempotency key.
// Every Store method it calls with ctx joins the request's transaction. It
// returns the response to store; keep false rolls back everything it wrote
// and stores nothing.
type IdempotentFunc func(ctx context.Context) (status int, body []byte, keep bool)

// AuditEvent is one line of the audit log. It must never contain a secret.
type AuditEvent struct {
	ID       string
	OrgID    string
	Time     time.Time
	Action   string // e.g. "token.create"
	MemberID string
	TokenID  string // the token the request was made with
	Target   string // e.g. "token/<id>"
	Detail   string
}

// Session is a signed-in console user. Only the digest of the cookie's value
// is stored, so whoever reads the store cannot sign in with it. Sessions are
// kept in the store, not in a process, so every replica sharing the store
// honours them and sign-out ends them everywhere.
type Session struct {
	Digest   []byte
	OrgID    string
	MemberID string
	// CSRF is the token every state-changing form of the session carries.
	CSRF string
	// Flash is a one-time message sealed with a key only the cookie's value
	// gives (a new secret on its way to the page that shows it once); the
	// store cannot read it.
	Flash     []byte
	CreatedAt time.Time
	LastSeen  time.Time
}

// Store is the persistence every engine provides. Every method is safe for
// concurrent use. Methods taking an orgID return ErrNotFound for records of
// another organisation.
type Store interface {
	// Bootstrap creates the organisation, its owner, the first workspace and
	// the first token in one transaction. It returns ErrConflict if an
	// organisation already exists.
	Bootstrap(ctx context.Context, org Organization, owner Member, ws Workspace, tok Token) error
	// Organization returns the single organisation, or ErrNotFound on an empty store.
	Organization(ctx context.Context) (Organization, error)

	CreateMember(ctx context.Context, m Member) error
	GetMember(ctx context.Context, orgID, id string) (Member, error)
	ListMembers(ctx context.Context, orgID string) ([]Member, error)
	UpdateMember(ctx context.Context, m Member) error
	// DeleteMember removes the member, their tokens and their workspace
	// memberships. It returns ErrConflict if they own a workspace.
	DeleteMember(ctx context.Context, orgID, id string) error

	CreateWorkspace(ctx context.Context, w Workspace) error
	GetWorkspace(ctx context.Context, orgID, id string) (Workspace, error)
	GetWorkspaceByName(ctx context.Context, orgID, name string) (Workspace, error)
	ListWorkspaces(ctx context.Context, orgID string) ([]Workspace, error)
	// UpdateWorkspace replaces name, description and MemberIDs.
	UpdateWorkspace(ctx context.Context, w Workspace) error
	DeleteWorkspace(ctx context.Context, orgID, id string) error
	// TransferWorkspace makes newOwnerID the owner (and a member) and, in
	// the same transaction, stops every personal token of any other member
	// from reaching the workspace: tokens listing it drop it from
	// WorkspaceIDs (and are deleted if none remain); all-workspaces tokens
	// get it in ExcludedWorkspaceIDs. Tokens of members whose role (as it
	// is in that transaction) is one of spareRoles are left untouched.
	TransferWorkspace(ctx context.Context, orgID, id, newOwnerID string, spareRoles []string, now time.Time) (w Workspace, narrowed, revoked int, err error)

	CreateCustomRole(ctx context.Context, r CustomRole) error
	// GetCustomRole finds a role by id or by key.
	GetCustomRole(ctx context.Context, orgID, keyOrID string) (CustomRole, error)
	ListCustomRoles(ctx context.Context, orgID string) ([]CustomRole, error)
	UpdateCustomRole(ctx context.Context, r CustomRole) error
	// DeleteCustomRole returns *InUseError if any token uses the role.
	DeleteCustomRole(ctx context.Context, orgID, id string) error
	// CountTokensUsingRole counts the tokens whose CustomRoleIDs hold id.
	CountTokensUsingRole(ctx context.Context, orgID, id string) (int, error)

	// CreateToken inserts t after checking q atomically: under any number of
	// concurrent creates, no member and no organisation ever exceeds it.
	// It returns *QuotaError when a limit is reached, and ErrConflict when
	// t.Digest is, or ever was, the digest of any token's secret.
	CreateToken(ctx context.Context, t Token, q Quota) error
	GetToken(ctx context.Context, orgID, id string) (Token, error)
	// GetTokenByDigest finds the token whose Digest, or whose PrevDigest
	// while PrevExpiresAt is after now, equals digest.
	GetTokenByDigest(ctx context.Context, digest []byte, now time.Time) (Token, error)
	ListTokens(ctx context.Context, f TokenFilter) (items []Token, total int, err error)
	// UpdateToken replaces the mutable fields (name, description, grant,
	// scope, digests, last four, UpdatedAt) of an existing token. A new
	// Digest that any token has ever held is ErrConflict.
	UpdateToken(ctx context.Context, t Token) error
	DeleteToken(ctx context.Context, orgID, id string) error
	// DeleteMemberTokens removes all of a member's tokens atomically.
	DeleteMemberTokens(ctx context.Context, orgID, memberID string) (int, error)
	// DeleteMemberTokensMatching removes, atomically, the member's tokens for
	// which match reports true, and returns how many. match sees each of the
	// member's tokens once, inside the transaction, and must not call the
	// store. It returns ErrNotFound for an unknown member.
	DeleteMemberTokensMatching(ctx context.Context, orgID, memberID string, match func(Token) bool) (int, error)
	// RecordLastUsed stores last-use times collected in memory, in one write.
	RecordLastUsed(ctx context.Context, used map[string]time.Time) error
	// RecordUsage adds counts collected in memory to the stored ones, in
	// one write; counts of tokens that no longer exist are dropped.
	RecordUsage(ctx context.Context, counts []UsageCount) error
	// TokenUsage returns a token's counts for the days from since (a
	// midnight UTC) on, oldest first; days without use are absent.
	TokenUsage(ctx context.Context, tokenID string, since time.Time) ([]UsageCount, error)
	// PurgeUsage removes the counts of days before cutoff.
	PurgeUsage(ctx context.Context, cutoff time.Time) error

	// RunIdempotent runs a request at most once per rec.Key. If a record
	// with rec.Key created at or after staleBefore exists, it returns that
	// record and does not call fn. Otherwise it calls fn and, if fn keeps
	// its result, stores rec with fn's status and body in the same
	// transaction as every write fn made, synced to disk on commit: after a
	// crash at any point the request has either happened and its response
	// is stored, or it has not happened at all. A caller running the same
	// key at the same time, in this process or another one sharing the
	// database, either waits for the first to finish and gets its record,
	// or gets ErrInProgress; it never runs fn a second time. It returns
	// (nil, nil) when fn ran, whether or not it kept its result.
	RunIdempotent(ctx context.Context, rec IdempotencyRecord, staleBefore time.Time, fn IdempotentFunc) (*IdempotencyRecord, error)
	// PurgeIdempotent removes records created before cutoff.
	PurgeIdempotent(ctx context.Context, cutoff time.Time) error

	// GetMemberByEmail finds a member by email, ignoring case.
	GetMemberByEmail(ctx context.Context, orgID, email string) (Member, error)
	// SetMemberPassword stores the console password hash of a member ("" removes
	// it) and, in the same transaction, ends every console session of theirs.
	SetMemberPassword(ctx context.Context, orgID, memberID, hash string) error
	// MemberPassword returns the member's password hash, "" when none is set.
	MemberPassword(ctx context.Context, orgID, memberID string) (string, error)

	// CreateSession stores a new console session; ErrConflict if its digest exists.
	CreateSession(ctx context.Context, s Session) error
	// GetSession finds a session by the digest of its cookie value.
	GetSession(ctx context.Context, digest []byte) (Session, error)
	// UpdateSession replaces LastSeen and Flash.
	UpdateSession(ctx context.Context, s Session) error
	// DeleteSession ends one session; ending an unknown one is no error.
	DeleteSession(ctx context.Context, digest []byte) error
	// PurgeSessions removes sessions idle since before idleBefore or created
	// before createdBefore.
	PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) error

	AppendAudit(ctx context.Context, e AuditEvent) error
	ListAudit(ctx context.Context, orgID string, limit, offset int) ([]AuditEvent, int, error)

	Close() error
}

// Package server is tokensmithd's HTTP API: routes (routes.go), middleware
// (middleware.go), one JSON adapter that decodes, maps errors and encodes
// (adapter.go), and one handler file per entity.
//
// Who may do what (member roles, evaluation of policies, no escalation,
// old secrets) is described and decided in package authz; the handlers
// take every access decision through it.
//
// # Workspace ownership transfer
//
// Transferring a workspace (POST /api/v2/workspaces/{id}/transfer) makes
// every personal token issued for it by a member other than the new owner
// stop working for it (see docs/guides/backend-rules.md, "Workspace
// ownership transfer"), in the same transaction as the change
// of owner: a token listing the workspace drops it from workspaceIds and is
// revoked (deleted) when no workspace is left; an all-workspaces token keeps
// its other workspaces and excludes this one from then on. Service tokens
// act for the organisation and are not touched. Nobody acts on a member
// above them, so the transfer also leaves alone the tokens of members whose
// role ranks above the caller's (an admin's transfer never cuts an owner
// off); such a member may transfer the workspace themselves to apply the
// rule to their own tokens. The answer counts the tokens narrowed and
// revoked.
//
// # Changes
//
// PATCH takes an RFC 6902 JSON Patch (or {"patch": [...], "comment": ""}
// for roles) with the operations add, remove, replace and test, applied by
// a maintained RFC 6902 implementation: replace and remove need an existing
// member, add creates one, array indices are never negative, and a failed
// test is a 409. Only the fields listed as patchable may be addressed; a
// field fixed at creation is refused by name. The patch applies entirely
// or not at all.
//
// # Tokens
//
// defaultApiVersion is fixed at creation; a token created without one gets
// DefaultAPIVersion (20240415). Expiration, kind (serviceToken) and owner
// are fixed too: a PATCH touching them is refused naming the field. Tokens
// without a workspace scope cover every current and future workspace.
// `lastUsed` is kept in memory and written in one batch every
// Config.LastUsedFlush and on Close, so authenticating a request never
// writes to the store.
//
// # Request rules
//
// Lists in a body are capped with a 400 naming the field: 50 customRoleIds,
// 1,000 permissions, workspaceIds or memberIds, 1,000 patch
// operations, and 100 statements of at most 100 entries per list (package
// policy). Names refuse control characters, bidirectional override and
// isolate characters and other invisible ones (zero-width and other format
// characters, line and paragraph separators); descriptions refuse control
// characters other than line breaks and tabs. offset is at most 2^31.
//
// Request bodies are decoded strictly: a field the API does not define is a
// 400 naming it with its path ("inlineRole[0].efect") and the fields allowed
// there, as is a value of the wrong JSON type. Field names are
// case-sensitive ("NAME" is refused, naming "name"), and a string that is
// not valid UTF-8 is refused naming its field rather than stored with
// replacement characters. Fields of the wider service that tokensmithd does
// not model are accepted and ignored where the API document lists them
// (resourceCategory on roles). The API document, internal/api/openapi.yaml,
// is served at GET /api/v2/openapi.json without a token. Query parameters an endpoint
// does not take are refused the same way. `?dryRun=true` is accepted on
// token create, update and reset and on custom role create and update, runs
// every check and writes nothing (not even an idempotency record); anywhere
// else it is refused rather than ignored. A token create dry run may name
// the token it would replace with `?replaces=<token id>` (a token the caller
// could delete): the quotas then count the two once, as a delete followed by
// a create does; a real create refuses the parameter. A known path called with another
// method is a 405 with an Allow header. Every error is an
// application/problem+json document; no error detail and no log line ever
// holds a token-like value, even one the client sent in the wrong place.
//
// That includes errors about the request as a whole: a body over
// MaxBodyBytes (413), a request line and headers over MaxHeaderBytes (431,
// code request_headers_too_large), an unknown path (404). A few are
// produced by net/http before any handler runs and cannot be problem
// documents; they are plain text, and clients should go by the status:
//   - headers beyond HeaderReadLimit (256 KiB), which the HTTP server does not
//     read (431 Request Header Fields Too Large);
//   - a malformed request line or header, or an HTTP/1.1 request without
//     Host (400 Bad Request);
//   - an unsupported Transfer-Encoding (501 Not Implemented) or an Expect
//     other than 100-continue (417 Expectation Failed);
//   - a plain HTTP request to a TLS port (400, "Client sent an HTTP request
//     to an HTTPS server");
//   - and over HTTP/2, protocol errors, which reset the stream or the
//     connection without a response body.
//
// A request that does not arrive within the server's timeouts gets no
// answer at all: the connection is closed.
//
// # Authentication and rate limits
//
// Authentication results are cached by digest; every write made through the
// server invalidates the cache, which assumes the server is its store's only
// writer. Requests are rate limited per token (every form of the
// Authorization header and an old secret in its grace period share the
// token's bucket). Failed authentications are limited per client address:
// once an address exhausts Config.AuthFailureBurst it gets 429 with
// Retry-After, without a store lookup, for any token not already in the
// cache, refilled at Config.AuthFailureLimit per second. The client address
// is the connection's peer, unless the peer is in Config.TrustedProxies
// (--trusted-proxies): then X-Forwarded-For is read from right to left,
// skipping trusted proxies only, and the first other address is the
// client's; what a client writes further left is never believed. Without
// trusted proxies, forwarding headers are ignored and every client behind a
// reverse proxy shares the proxy's bucket; tokens already authenticated
// keep working.
//
// Both limiters remember at most 100,000 keys in least-recently-used order
// and forget a key once its bucket has refilled; when full they forget the
// least recently used key, never all of them, so a flood of new keys cannot
// reset a bucket that is still in use.
//
// # Idempotency
//
// Idempotency records are keyed by the calling token's id and the SHA-256
// of the Idempotency-Key, so one caller's key never replays another's
// answer. A response holding a secret is sealed (AES-GCM) under a key
// derived by HKDF-SHA256 from the Idempotency-Key with the calling token's
// secret as salt: the server keeps neither, so a copy of the database
// opens nothing even for guessable keys, and a replay must come with the
// same secret as the first request (after a reset, a retry with the new
// secret gets 422).
//
// A POST with an Idempotency-Key runs inside one store transaction
// (store.Store.RunIdempotent): its writes, its audit records and its stored
// response commit together, synced to disk, and the response is sent only
// after that commit. A crash therefore leaves the request either done with
// its response stored (a retry replays it) or not done at all (a retry runs
// it); no key is left in progress. A duplicate that arrives while the
// first is running gets 409 request_in_progress with Retry-After: 1. A
// 5xx answer rolls the request back and is not stored.
package server

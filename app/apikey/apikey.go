// Package apikey is the domain of API keys: per-organization credentials
// for the JSON API, created by an owner or admin, shown once, stored as a
// lookup prefix plus a SHA-256 hash, limited by scopes, and revocable.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
)

// Scopes a key can carry. Write implies read.
const (
	ScopeRead  = "risks:read"
	ScopeWrite = "risks:write"
)

// Scopes lists the known scopes in their canonical order.
var Scopes = []string{ScopeRead, ScopeWrite}

// Statuses of a key at a given moment.
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
	StatusExpired = "expired"
)

// MaxName is the longest key name, in characters.
const MaxName = 100

// Key is an API key as listed and shown: never its secret nor its hash.
type Key struct {
	ID             string
	OrganizationID string
	Name           string
	Prefix         string // the lookup part of rr_<prefix>_<secret>
	Scopes         []string
	CreatedBy      string // the member who created the key
	CreatorName    string // filled by stores that join it
	CreatedAt      time.Time
	LastUsedAt     *time.Time
	ExpiresAt      *time.Time
	RevokedAt      *time.Time
}

// Status returns StatusRevoked, StatusExpired or StatusActive at now.
func (k *Key) Status(now time.Time) string {
	switch {
	case k.RevokedAt != nil:
		return StatusRevoked
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return StatusExpired
	default:
		return StatusActive
	}
}

// Hint is how the key is recognised in lists: "rr_abcd1234_…".
func (k *Key) Hint() string { return keyPrefix + k.Prefix + "_…" }

// Has reports whether scopes grant scope; risks:write implies risks:read.
func Has(scopes []string, scope string) bool {
	if slices.Contains(scopes, scope) {
		return true
	}
	return scope == ScopeRead && slices.Contains(scopes, ScopeWrite)
}

// CreateInput is what a person chooses when creating a key.
type CreateInput struct {
	Name      string
	Scopes    []string
	ExpiresAt *time.Time // nil: never expires
}

// Normalize trims the name and puts the scopes in canonical order
// without duplicates (unknown scopes are kept for Validate to name).
func (in *CreateInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	seen := map[string]bool{}
	var known, unknown []string
	for _, s := range in.Scopes {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		if slices.Contains(Scopes, s) {
			continue
		}
		unknown = append(unknown, s)
	}
	for _, s := range Scopes {
		if seen[s] {
			known = append(known, s)
		}
	}
	in.Scopes = append(known, unknown...)
}

// Validate returns an Invalid error naming every bad field ("name",
// "scopes", "expiresAt"), or nil. now is the moment of creation.
func (in *CreateInput) Validate(now time.Time) error {
	fe := apperr.FieldErrors{}
	switch {
	case in.Name == "":
		fe.Add("name", "Name is required")
	case strings.ContainsRune(in.Name, 0) || !utf8.ValidString(in.Name):
		fe.Add("name", "Must be valid text")
	case strings.ContainsFunc(in.Name, unicode.IsControl):
		fe.Add("name", "Must not contain control characters")
	case utf8.RuneCountInString(in.Name) > MaxName:
		fe.Add("name", fmt.Sprintf("String must contain at most %d character(s)", MaxName))
	}
	if len(in.Scopes) == 0 {
		fe.Add("scopes", "Choose at least one scope")
	}
	for _, s := range in.Scopes {
		if !slices.Contains(Scopes, s) {
			fe.Add("scopes", fmt.Sprintf("Unknown scope %q: expected %s", truncate(s, 40), strings.Join(Scopes, " or ")))
			break
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fe.Add("expiresAt", "The expiry date must be in the future")
	}
	return fe.Err()
}

// ParseExpiry reads an expiry date (YYYY-MM-DD): the key stops working at
// 00:00 UTC on that date. An empty string means no expiry; anything else
// that is not a date is an Invalid error on "expiresAt".
func ParseExpiry(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 2000 || d.Year() > 2999 {
		fe := apperr.FieldErrors{}
		fe.Add("expiresAt", "Enter a date as YYYY-MM-DD")
		return nil, fe.Err()
	}
	return &d, nil
}

// ParseScopes splits a comma-separated scope list ("risks:read,risks:write").
func ParseScopes(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// The presented form of a key: rr_<8 chars [a-z0-9]>_<43 chars base64url>.
const (
	keyPrefix    = "rr_"
	prefixLen    = 8
	secretBytes  = 32
	secretLen    = 43 // base64url of 32 bytes, unpadded
	presentedLen = len(keyPrefix) + prefixLen + 1 + secretLen
	prefixChars  = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// generate returns a new presented key and its lookup prefix.
func generate() (presented, prefix string) {
	p := make([]byte, 0, prefixLen)
	buf := make([]byte, 16)
	for len(p) < prefixLen {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("crypto/rand failed: %v", err))
		}
		for _, b := range buf {
			// Reject the top values so every character is equally likely.
			if int(b) < 256-256%len(prefixChars) && len(p) < prefixLen {
				p = append(p, prefixChars[int(b)%len(prefixChars)])
			}
		}
	}
	secret := make([]byte, secretBytes)
	if _, err := rand.Read(secret); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	prefix = string(p)
	return keyPrefix + prefix + "_" + base64.RawURLEncoding.EncodeToString(secret), prefix
}

// parse returns the lookup prefix of a well-formed presented key.
func parse(presented string) (prefix string, ok bool) {
	if len(presented) != presentedLen || !strings.HasPrefix(presented, keyPrefix) {
		return "", false
	}
	prefix = presented[len(keyPrefix) : len(keyPrefix)+prefixLen]
	for i := 0; i < len(prefix); i++ {
		if !strings.ContainsRune(prefixChars, rune(prefix[i])) {
			return "", false
		}
	}
	rest := presented[len(keyPrefix)+prefixLen:]
	if rest[0] != '_' {
		return "", false
	}
	for i := 1; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", false
		}
	}
	return prefix, true
}

// hash is what is stored: the SHA-256 of the whole presented string.
func hash(presented string) []byte {
	sum := sha256.Sum256([]byte(presented))
	return sum[:]
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

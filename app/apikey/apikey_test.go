package apikey

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

var keyFormat = regexp.MustCompile(`^rr_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$`)

func TestGeneratedKeysHaveTheDocumentedFormat(t *testing.T) {
	seenKeys, seenPrefixes := map[string]bool{}, map[string]bool{}
	chars := map[rune]bool{}
	for range 2000 {
		presented, prefix := generate()
		if !keyFormat.MatchString(presented) {
			t.Fatalf("key %q does not match rr_<8 [a-z0-9]>_<43 base64url>", presented)
		}
		if presented[3:11] != prefix {
			t.Fatalf("prefix %q is not the lookup part of %q", prefix, presented)
		}
		raw, err := base64.RawURLEncoding.DecodeString(presented[12:])
		if err != nil || len(raw) != 32 {
			t.Fatalf("secret part of %q: %d bytes, %v; want 32 random bytes", presented, len(raw), err)
		}
		if got, ok := parse(presented); !ok || got != prefix {
			t.Fatalf("parse(%q) = %q, %v", presented, got, ok)
		}
		if seenKeys[presented] || seenPrefixes[prefix] {
			t.Fatalf("a key or prefix repeated after %d draws: %q", len(seenKeys), presented)
		}
		seenKeys[presented], seenPrefixes[prefix] = true, true
		for _, c := range prefix {
			chars[c] = true
		}
	}
	// 16,000 prefix characters drawn from 36: every one should appear.
	if len(chars) != len(prefixChars) {
		t.Errorf("prefixes use %d distinct characters, want all %d of [a-z0-9]", len(chars), len(prefixChars))
	}
}

func TestHashCoversTheWholePresentedKey(t *testing.T) {
	presented, _ := generate()
	want := sha256.Sum256([]byte(presented))
	if got := hash(presented); string(got) != string(want[:]) {
		t.Fatalf("hash is not the SHA-256 of the whole key")
	}
	other := presented[:3] + "zzzzzzzz" + presented[11:] // same secret, another prefix
	if string(hash(other)) == string(hash(presented)) {
		t.Fatal("the prefix is not part of the hash")
	}
}

func TestParseRefusesMalformedKeys(t *testing.T) {
	good, _ := generate()
	cases := map[string]string{
		"empty":                "",
		"only the scheme":      "rr_",
		"no prefix":            "rr__" + good[12:],
		"prefix only":          good[:12],
		"wrong scheme":         "rk_" + good[3:],
		"upper-case prefix":    "rr_" + strings.ToUpper(good[3:11]) + good[11:],
		"missing separator":    good[:11] + "-" + good[12:],
		"one char short":       good[:len(good)-1],
		"one char long":        good + "A",
		"NUL inside":           good[:20] + "\x00" + good[21:],
		"NUL appended":         good[:len(good)-1] + "\x00",
		"space inside":         good[:20] + " " + good[21:],
		"padding":              good[:len(good)-1] + "=",
		"bearer scheme kept":   "Bearer " + good,
		"huge":                 strings.Repeat("rr_abcd1234_", 100_000),
		"non-ASCII":            good[:20] + "é" + good[22:],
		"prefix with a hyphen": "rr_abcd-234" + good[11:],
	}
	for name, s := range cases {
		if _, ok := parse(s); ok {
			t.Errorf("%s: parse accepted %q", name, truncate(s, 80))
		}
	}
}

func TestCreateInputValidation(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	cases := []struct {
		name   string
		in     CreateInput
		fields string // the fields with errors, sorted, comma-separated
	}{
		{"valid read", CreateInput{Name: "Scanner", Scopes: []string{ScopeRead}}, ""},
		{"valid both with expiry", CreateInput{Name: "CI", Scopes: []string{ScopeWrite, ScopeRead}, ExpiresAt: &future}, ""},
		{"100 multibyte characters", CreateInput{Name: strings.Repeat("é", 100), Scopes: []string{ScopeRead}}, ""},
		{"name required", CreateInput{Name: "   ", Scopes: []string{ScopeRead}}, "name"},
		{"name too long", CreateInput{Name: strings.Repeat("a", 101), Scopes: []string{ScopeRead}}, "name"},
		{"NUL in name", CreateInput{Name: "a\x00b", Scopes: []string{ScopeRead}}, "name"},
		{"control character in name", CreateInput{Name: "a\nb", Scopes: []string{ScopeRead}}, "name"},
		{"invalid UTF-8", CreateInput{Name: "a\xffb", Scopes: []string{ScopeRead}}, "name"},
		{"no scopes", CreateInput{Name: "x"}, "scopes"},
		{"blank scopes", CreateInput{Name: "x", Scopes: []string{" ", ""}}, "scopes"},
		{"unknown scope", CreateInput{Name: "x", Scopes: []string{ScopeRead, "risks:admin"}}, "scopes"},
		{"scope case matters", CreateInput{Name: "x", Scopes: []string{"RISKS:READ"}}, "scopes"},
		{"expiry in the past", CreateInput{Name: "x", Scopes: []string{ScopeRead}, ExpiresAt: &past}, "expiresAt"},
		{"expiry now", CreateInput{Name: "x", Scopes: []string{ScopeRead}, ExpiresAt: &now}, "expiresAt"},
		{"everything wrong", CreateInput{Name: "", Scopes: nil, ExpiresAt: &past}, "expiresAt,name,scopes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.Normalize()
			err := in.Validate(now)
			got := ""
			if e, ok := apperr.As(err); ok {
				if e.Code != apperr.Invalid {
					t.Fatalf("code %s, want invalid", e.Code)
				}
				got = strings.Join(e.Fields.Names(), ",")
			} else if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got != c.fields {
				t.Errorf("fields with errors %q, want %q (%v)", got, c.fields, err)
			}
		})
	}
}

func TestNormalizeOrdersAndDeduplicatesScopes(t *testing.T) {
	in := CreateInput{Name: "  Scanner  ", Scopes: []string{ScopeWrite, " risks:read ", ScopeWrite, "bogus"}}
	in.Normalize()
	if in.Name != "Scanner" || strings.Join(in.Scopes, ",") != "risks:read,risks:write,bogus" {
		t.Fatalf("normalized to %q %q", in.Name, in.Scopes)
	}
}

func TestParseExpiry(t *testing.T) {
	got, err := ParseExpiry(" 2027-01-31 ")
	if err != nil || !got.Equal(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("ParseExpiry = %v, %v; want 31 Jan 2027 00:00 UTC", got, err)
	}
	if got, err := ParseExpiry(""); got != nil || err != nil {
		t.Fatalf("empty = %v, %v; want no expiry", got, err)
	}
	for _, bad := range []string{"31/01/2027", "2027-02-30", "tomorrow", "1999-12-31", "3000-01-01", "2027-01-31T00:00:00Z"} {
		_, err := ParseExpiry(bad)
		if e, ok := apperr.As(err); !ok || !e.Fields.Has("expiresAt") {
			t.Errorf("ParseExpiry(%q) = %v, want an error on expiresAt", bad, err)
		}
	}
}

func TestScopesWriteImpliesRead(t *testing.T) {
	cases := []struct {
		scopes      []string
		read, write bool
	}{
		{[]string{ScopeRead}, true, false},
		{[]string{ScopeWrite}, true, true},
		{[]string{ScopeRead, ScopeWrite}, true, true},
		{nil, false, false},
	}
	for _, c := range cases {
		p := &Principal{Scopes: c.scopes}
		if p.Has(ScopeRead) != c.read || p.Has(ScopeWrite) != c.write {
			t.Errorf("%v: read %v write %v, want %v %v", c.scopes, p.Has(ScopeRead), p.Has(ScopeWrite), c.read, c.write)
		}
		if p.Has("risks:admin") {
			t.Errorf("%v grants an unknown scope", c.scopes)
		}
	}
}

func TestKeyStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Minute), now.Add(-time.Minute)
	cases := []struct {
		k    Key
		want string
	}{
		{Key{}, StatusActive},
		{Key{ExpiresAt: &later}, StatusActive},
		{Key{ExpiresAt: &now}, StatusExpired},
		{Key{ExpiresAt: &earlier}, StatusExpired},
		{Key{RevokedAt: &earlier, ExpiresAt: &earlier}, StatusRevoked},
		{Key{RevokedAt: &earlier}, StatusRevoked},
	}
	for i, c := range cases {
		if got := c.k.Status(now); got != c.want {
			t.Errorf("case %d: %s, want %s", i, got, c.want)
		}
	}
	if got := (&Key{Prefix: "abcd1234"}).Hint(); got != "rr_abcd1234_…" {
		t.Errorf("hint %q", got)
	}
}

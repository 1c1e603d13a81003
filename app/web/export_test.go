package web

import (
	"context"
	"fmt"

	"github.com/gorilla/securecookie"

	"github.com/riskreg/riskreg/app/account"
)

// PrincipalFromCookie decodes a session cookie value and returns its signed-in member, for the
// tests in package web_test; it fails when the cookie does not decode or the session is gone.
func (s *Server) PrincipalFromCookie(ctx context.Context, value string) (*account.Principal, error) {
	values := map[any]any{}
	if err := securecookie.DecodeMulti(CookieName(s.Config), value, &values, s.Sessions.Codecs...); err != nil {
		return nil, fmt.Errorf("decode session cookie: %w", err)
	}
	token, _ := values[valToken].(string)
	return s.Accounts.Authenticate(ctx, token)
}

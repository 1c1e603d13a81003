package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/views/auth"
	"github.com/riskreg/riskreg/views/layout"
)

func (s *Server) showLogin(c *fiber.Ctx) error {
	if principal(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return render(c, fiber.StatusOK, auth.LoginPage(s.page(c, "Sign in", ""), auth.LoginVM{Next: safeNext(c.Query("next"))}))
}

func (s *Server) login(c *fiber.Ctx) error {
	email, next := c.FormValue("email"), safeNext(c.FormValue("next"))
	token, err := s.Accounts.Login(c.UserContext(), email, c.FormValue("password"), c.Get(fiber.HeaderUserAgent), c.IP())
	switch e, _ := apperr.As(err); {
	case apperr.Is(err, apperr.TooManyRequests):
		setRetryAfter(c, e)
		return render(c, fiber.StatusTooManyRequests, auth.LoginPage(s.page(c, "Sign in", ""),
			auth.LoginVM{Email: email, Next: next, Error: e.Message}))
	case apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.Forbidden):
		return render(c, fiber.StatusUnauthorized, auth.LoginPage(s.page(c, "Sign in", ""),
			auth.LoginVM{Email: email, Next: next, Error: e.Message}))
	case err != nil:
		return err
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	if c.FormValue("next") == "" {
		next = s.landing(c, token)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// startSession puts a new session token in the cookie, revoking any
// session the browser had before (no fixation).
func (s *Server) startSession(c *fiber.Ctx, token string) error {
	sess := s.browserSession(c)
	if old, _ := sess.Values[valToken].(string); old != "" {
		if err := s.Accounts.Logout(c.UserContext(), old); err != nil {
			return err
		}
	}
	sess.Values = map[any]any{valToken: token}
	return s.saveSession(c, sess)
}

func (s *Server) logout(c *fiber.Ctx) error {
	sess := s.browserSession(c)
	token, _ := sess.Values[valToken].(string)
	if err := s.Accounts.Logout(c.UserContext(), token); err != nil {
		return err
	}
	sess.Values = map[any]any{}
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "You have signed out."); err != nil {
		return err
	}
	return redirect(c, "/login")
}

func (s *Server) showSignup(c *fiber.Ctx) error {
	if principal(c) != nil {
		return c.Redirect("/risks", fiber.StatusSeeOther)
	}
	return render(c, fiber.StatusOK, auth.SignupPage(s.page(c, "Create your organization", ""), auth.SignupVM{}))
}

func (s *Server) signup(c *fiber.Ctx) error {
	in := account.SignupInput{
		Organization: c.FormValue("organization"), Name: c.FormValue("name"),
		Email: c.FormValue("email"), Password: c.FormValue("password"),
	}
	token, err := s.Accounts.Signup(c.UserContext(), in, c.Get(fiber.HeaderUserAgent), c.IP())
	vm := auth.SignupVM{Organization: in.Organization, Name: in.Name, Email: in.Email}
	switch e, _ := apperr.As(err); {
	case apperr.Is(err, apperr.TooManyRequests):
		setRetryAfter(c, e)
		vm.Error = e.Message
		return render(c, fiber.StatusTooManyRequests, auth.SignupPage(s.page(c, "Create your organization", ""), vm))
	case apperr.Is(err, apperr.Invalid):
		vm.Errors = e.Fields
		return render(c, fiber.StatusUnprocessableEntity, auth.SignupPage(s.page(c, "Create your organization", ""), vm))
	case err != nil:
		return err
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Welcome! Your organization is ready. Create your first risk."); err != nil {
		return err
	}
	return c.Redirect("/risks", fiber.StatusSeeOther)
}

func (s *Server) switchOrganization(c *fiber.Ctx) error {
	if err := s.Accounts.SwitchOrganization(c.UserContext(), principal(c), c.FormValue("org")); err != nil {
		return err
	}
	return redirect(c, "/risks")
}

// landing is where a sign-in without a "next" page goes: editors, who do
// the work, land on My work; owners, admins and viewers on the dashboard.
func (s *Server) landing(c *fiber.Ctx, token string) string {
	p, err := s.Accounts.Authenticate(c.UserContext(), token)
	if err == nil && p.Role == account.RoleEditor {
		return "/me"
	}
	return "/"
}

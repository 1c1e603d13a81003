package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/views/accountpage"
	"github.com/riskreg/riskreg/views/layout"
)

// The account page: any member's own name, password and sessions.

func (s *Server) renderAccount(c *fiber.Ctx, status int, vm accountpage.VM) error {
	p := principal(c)
	sessions, err := s.Accounts.Sessions(c.UserContext(), p)
	if err != nil {
		return err
	}
	if vm.Name == "" {
		vm.Name = p.User.Name
	}
	vm.Email, vm.Role, vm.OrgName = p.User.Email, account.RoleLabel(p.Role), p.Organization.Name
	vm.Sessions, vm.CurrentID = sessions, p.Session.ID
	return render(c, status, accountpage.Page(s.page(c, "Your account", ""), vm))
}

func (s *Server) showAccount(c *fiber.Ctx) error {
	return s.renderAccount(c, fiber.StatusOK, accountpage.VM{})
}

func (s *Server) updateAccountName(c *fiber.Ctx) error {
	name := c.FormValue("name")
	err := s.Accounts.UpdateName(c.UserContext(), principal(c), name)
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		return s.renderAccount(c, fiber.StatusUnprocessableEntity, accountpage.VM{Name: name, NameErrors: e.ForPeople()})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Your name is saved."); err != nil {
		return err
	}
	return redirect(c, accountpage.Path)
}

func (s *Server) changeAccountPassword(c *fiber.Ctx) error {
	in := account.PasswordInput{Current: c.FormValue("current"), New: c.FormValue("new"), Confirm: c.FormValue("confirm")}
	err := s.Accounts.ChangePassword(c.UserContext(), principal(c), in, c.IP())
	switch e, _ := apperr.As(err); {
	case e != nil && e.Code == apperr.Invalid:
		return s.renderAccount(c, fiber.StatusUnprocessableEntity, accountpage.VM{PasswordErrors: e.ForPeople()})
	case e != nil && e.Code == apperr.TooManyRequests:
		setRetryAfter(c, e)
		return s.renderAccount(c, fiber.StatusTooManyRequests, accountpage.VM{PasswordErrors: apperr.FieldErrors{"current": {e.Message}}})
	case err != nil:
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Your password is changed. Your other sessions have ended."); err != nil {
		return err
	}
	return redirect(c, accountpage.Path)
}

func (s *Server) endAccountSession(c *fiber.Ctx) error {
	if err := s.Accounts.EndSession(c.UserContext(), principal(c), c.Params("id")); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "That session has ended."); err != nil {
		return err
	}
	return redirect(c, accountpage.Path)
}

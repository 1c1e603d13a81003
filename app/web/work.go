package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/views/layout"
	workview "github.com/riskreg/riskreg/views/work"
)

// showMyWork renders what is the signed-in member's to do.
func (s *Server) showMyWork(c *fiber.Ctx) error {
	pr := principal(c)
	w, err := s.Work.MyWork(c.UserContext(), pr.Organization.ID, pr.MemberID)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, workview.Page(s.page(c, "My work", layout.NavMyWork),
		workview.VM{Work: w, Today: s.today(), MemberID: pr.MemberID}))
}

// showNotifications lists the member's notifications, computed now.
func (s *Server) showNotifications(c *fiber.Ctx) error {
	pr := principal(c)
	items, err := s.Work.Notifications(c.UserContext(), pr.Organization.ID, pr.MemberID)
	if err != nil {
		return err
	}
	p := s.page(c, "Notifications", layout.NavNotices)
	return render(c, fiber.StatusOK, workview.Notifications(p, workview.NotificationsVM{Items: items, Unread: p.Unread}))
}

// markNotificationRead marks the notification named by the form's key read.
func (s *Server) markNotificationRead(c *fiber.Ctx) error {
	pr := principal(c)
	if err := s.Work.MarkRead(c.UserContext(), pr.Organization.ID, pr.MemberID, c.FormValue("key")); err != nil {
		return err
	}
	return redirect(c, "/notifications")
}

// markAllNotificationsRead marks every notification up to now read.
func (s *Server) markAllNotificationsRead(c *fiber.Ctx) error {
	pr := principal(c)
	if err := s.Work.MarkAllRead(c.UserContext(), pr.Organization.ID, pr.MemberID); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "All notifications marked read."); err != nil {
		return err
	}
	return redirect(c, "/notifications")
}

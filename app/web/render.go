package web

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
	"github.com/riskreg/riskreg/static"
	"github.com/riskreg/riskreg/views/layout"
)

// renderBuffers keeps rendered pages' buffers for the next responses; a
// buffer grown past maxPooledBuffer by a huge page is left to the garbage
// collector. Not a sync.Pool: under load the collector runs every few dozen
// requests and empties the pool, and each register page then regrew its
// buffer (a sixth of its allocations). At most 16 are kept: up to 16 MB.
var renderBuffers = make(chan *bytes.Buffer, 16)

const maxPooledBuffer = 1 << 20

// render writes a templ component as the HTML response. The component is
// rendered into a buffer first, so a template error gives a clean error
// page instead of half a page. The response varies by HX-Request because
// htmx requests get partials.
func render(c *fiber.Ctx, status int, comp templ.Component) error {
	var buf *bytes.Buffer
	select {
	case buf = <-renderBuffers:
	default:
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			select {
			case renderBuffers <- buf:
			default:
			}
		}
	}()
	if err := comp.Render(c.UserContext(), buf); err != nil {
		return fmt.Errorf("render %s: %w", c.Path(), err)
	}
	c.Status(status)
	c.Vary("HX-Request")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Response().SetBody(buf.Bytes()) // copies: the buffer goes back to the pool
	return nil
}

// isHTMX reports whether htmx sent the request for a partial swap (not a
// boosted navigation or a history restore, which need whole pages).
func isHTMX(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-Boosted") == "" && c.Get("HX-History-Restore-Request") == ""
}

// wantsPartial reports whether an htmx request targets the region id.
func wantsPartial(c *fiber.Ctx, id string) bool {
	return isHTMX(c) && c.Get("HX-Target") == id
}

// redirect sends a browser to url: with HX-Redirect for htmx, 303 otherwise.
func redirect(c *fiber.Ctx, url string) error {
	if isHTMX(c) {
		c.Set("HX-Redirect", url)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}

// page returns what the frame needs, consuming queued flash messages.
func (s *Server) page(c *fiber.Ctx, title, nav string) layout.Page {
	p := layout.Page{Title: title, Nav: nav, StaticVersion: static.Version(), CSRFToken: csrfToken(c)}
	sess := s.browserSession(c)
	if fl := sess.Flashes(); len(fl) > 0 {
		for _, f := range fl {
			kind, msg, _ := strings.Cut(f.(string), "\x1f")
			p.Flashes = append(p.Flashes, layout.Flash{Kind: kind, Message: msg})
		}
		if err := s.saveSession(c, sess); err != nil {
			// The page still renders; the flashes may show once more.
			s.Log.Warn("save session after reading flashes", "request_id", requestID(c), "err", err)
		}
	}
	pr := principal(c)
	if pr == nil {
		return p
	}
	p.UserName, p.UserRole = pr.User.Name, string(pr.Role)
	p.OrgID, p.OrgName = pr.Organization.ID, pr.Organization.Name
	p.CanWrite = pr.Role.CanWrite()
	p.CanManage = pr.Role.CanManage()
	for _, o := range pr.Organizations {
		p.Orgs = append(p.Orgs, layout.Org{ID: o.ID, Name: o.Name})
	}
	if s.Work != nil {
		// One query for both badges; without them the page still renders.
		if n, err := s.Work.Counts(c.UserContext(), pr.Organization.ID, pr.MemberID); err != nil {
			s.Log.Warn("count my work for the frame", "request_id", requestID(c), "err", err)
		} else {
			p.WorkBadge, p.Unread = n.Work, n.Unread
		}
	}
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }

// parseList reads the request's list parameters as surface s names them.
func parseList(c *fiber.Ctx, s listquery.Surface) (risk.ListQuery, apperr.FieldErrors) {
	return listquery.Parse(s, func(key string) string { return c.Query(key) })
}

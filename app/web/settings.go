package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/settings"
)

// showSettings opens the first settings page.
func (s *Server) showSettings(c *fiber.Ctx) error {
	return c.Redirect(settings.APIKeysPath, fiber.StatusSeeOther)
}

// renderAPIKeys shows the API keys: the region for htmx, the page otherwise.
func (s *Server) renderAPIKeys(c *fiber.Ctx, status int, vm settings.APIKeysVM) error {
	keys, err := s.APIKeys.List(c.UserContext(), orgID(c))
	if err != nil {
		return err
	}
	vm.Keys, vm.Now = keys, s.Now().UTC()
	if wantsPartial(c, settings.APIKeysID) {
		return render(c, status, settings.APIKeys(csrfToken(c), vm))
	}
	return render(c, status, settings.APIKeysPage(s.page(c, "API keys", layout.NavSettings), vm))
}

func (s *Server) listAPIKeys(c *fiber.Ctx) error {
	return s.renderAPIKeys(c, fiber.StatusOK, settings.APIKeysVM{Form: settings.NewKeyForm()})
}

// createAPIKey creates a key and shows its secret in the response, the
// only place it ever appears (pages are sent with Cache-Control: no-store).
func (s *Server) createAPIKey(c *fiber.Ctx) error {
	form := settings.KeyForm{Name: c.FormValue("name"), Scopes: formValues(c, "scopes"), ExpiresAt: c.FormValue("expires_at")}
	expires, perr := apikey.ParseExpiry(form.ExpiresAt)
	in := apikey.CreateInput{Name: form.Name, Scopes: form.Scopes, ExpiresAt: expires}
	var (
		k      *apikey.Key
		secret string
		err    error
	)
	if perr == nil {
		k, secret, err = s.APIKeys.Create(c.UserContext(), orgID(c), actorOf(c), in)
	} else {
		// The date did not parse: create nothing, but report every field.
		in.Normalize()
		err = in.Validate(s.Now().UTC())
	}
	if perr != nil || apperr.Is(err, apperr.Invalid) {
		fe := apperr.FieldErrors{}
		for _, e := range []error{perr, err} {
			if ae, ok := apperr.As(e); ok {
				for f, msgs := range ae.Fields {
					fe[f] = append(fe[f], msgs...)
				}
			}
		}
		return s.renderAPIKeys(c, fiber.StatusUnprocessableEntity, settings.APIKeysVM{Form: form, Errors: fe})
	}
	if err != nil {
		return err
	}
	created := &settings.CreatedKey{Name: k.Name, Scopes: k.Scopes, Secret: secret}
	return s.renderAPIKeys(c, fiber.StatusOK, settings.APIKeysVM{Form: settings.NewKeyForm(), Created: created})
}

func (s *Server) revokeAPIKey(c *fiber.Ctx) error {
	k, err := s.APIKeys.Revoke(c.UserContext(), orgID(c), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "API key “"+k.Name+"” revoked. Requests with it are refused from now on."); err != nil {
		return err
	}
	return redirect(c, settings.APIKeysPath)
}

// formValues returns every value of a repeated form field (checkboxes).
func formValues(c *fiber.Ctx, key string) []string {
	var out []string
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		if mf, err := c.MultipartForm(); err == nil {
			return append(out, mf.Value[key]...)
		}
		return nil
	}
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

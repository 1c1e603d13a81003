package account

import (
	"context"
	"strings"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// ProfileInput is the name form of the account page.
type ProfileInput struct{ Name string }

// UpdateName changes the signed-in person's name (audited in the
// organization they act in).
func (s *Service) UpdateName(ctx context.Context, p *Principal, name string) error {
	name = strings.TrimSpace(name)
	fe := apperr.FieldErrors{}
	checkName(fe, "name", name, "Name is required")
	if err := fe.Err(); err != nil {
		return err
	}
	if name == p.User.Name {
		return nil
	}
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Team.SetUserName(ctx, p.User.ID, name); err != nil {
			return err
		}
		return s.event(ctx, p.Organization.ID, audit.EntityMember, p.MemberID, name, audit.ActionUpdated,
			audit.Actor{MemberID: p.MemberID, Name: name}, audit.Change{Field: "name", Old: p.User.Name, New: name})
	})
}

// PasswordInput is the password form of the account page.
type PasswordInput struct {
	Current string
	New     string
	Confirm string
}

// ChangePassword sets a new password after checking the current one, and
// ends every other session of the person; this one stays.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, in PasswordInput, ip string) error {
	fe := apperr.FieldErrors{}
	if in.Current == "" {
		fe.Add("current", "Enter your current password")
	}
	if err := checkPassword("new", in.New); err != nil {
		fe.Add("new", apperr.PlainFields(err).First("new"))
	} else if in.New != in.Confirm {
		fe.Add("confirm", "The two new passwords differ")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	// A wrong current password counts as a failed sign-in.
	a := Attempt{Kind: AttemptLogin, Account: attemptAccount(p.User.Email), IP: attemptAddress(ip), At: s.Now()}
	if err := s.countAttempt(ctx, a, loginQuery(a.At), loginWait,
		"Too many attempts. Please wait a few minutes and try again."); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, p.User.ID)
	if err != nil {
		return err
	}
	ok, err := CheckPassword(u.PasswordHash, in.Current)
	if err != nil {
		return err
	}
	if !ok {
		fe.Add("current", "Incorrect password")
		return fe.Err()
	}
	hash, err := HashPassword(in.New)
	if err != nil {
		return err
	}
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Attempts.Forget(ctx, AttemptLogin, a.Account, a.IP); err != nil {
			return err
		}
		if err := s.Team.SetUserPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := s.Team.DeleteOtherSessions(ctx, u.ID, p.Session.ID); err != nil {
			return err
		}
		return s.event(ctx, p.Organization.ID, audit.EntityMember, p.MemberID, u.Name, audit.ActionUpdated,
			audit.Actor{MemberID: p.MemberID, Name: u.Name}, audit.Change{Field: "password", New: "changed; other sessions ended"})
	})
}

// Sessions lists the person's sessions, last seen first.
func (s *Service) Sessions(ctx context.Context, p *Principal) ([]Session, error) {
	return s.Team.UserSessions(ctx, p.User.ID)
}

// EndSession ends one of the person's sessions; another person's is NotFound.
func (s *Service) EndSession(ctx context.Context, p *Principal, id string) error {
	return s.Team.DeleteUserSession(ctx, p.User.ID, id)
}

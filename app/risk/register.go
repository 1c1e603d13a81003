package risk

import "time"

// Register is a risk register with its scoring matrix. Every organization
// has a default register.
type Register struct {
	ID             string
	OrganizationID string
	Name           string
	Description    string
	Matrix         Matrix
	IsDefault      bool
	// ReviewIntervals overrides the default review interval per level.
	ReviewIntervals ReviewIntervals
	Version         int // optimistic locking: incremented by every update
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// InherentLevel returns r's inherent level on this register's matrix.
func (reg *Register) InherentLevel(r *Risk) (Level, bool) {
	return reg.Matrix.LevelOf(r.Probability, r.Impact)
}

// ResidualLevel returns r's residual level on this register's matrix.
func (reg *Register) ResidualLevel(r *Risk) (Level, bool) {
	return reg.Matrix.LevelOf(r.ResidualProbability, r.ResidualImpact)
}

package registers

import "github.com/riskreg/riskreg/app/risk"

// ReviewsVM is the review-interval form: one interval per risk level.
type ReviewsVM struct {
	Levels []ReviewLevel
	Errors map[string][]string
}

// ReviewLevel is one risk level's review interval.
type ReviewLevel struct {
	Index   int
	Name    string
	Days    string // as entered, or the stored interval
	Default int    // the default for this level
}

// ReviewsOf is the review-interval form of reg.
func ReviewsOf(reg *risk.Register) ReviewsVM {
	var vm ReviewsVM
	days := reg.IntervalsOf()
	for i := len(reg.Matrix.Levels) - 1; i >= 0; i-- {
		vm.Levels = append(vm.Levels, ReviewLevel{Index: i, Name: reg.Matrix.Levels[i].Name,
			Days: itoa(days[i]), Default: risk.DefaultReviewDays(&reg.Matrix, i)})
	}
	return vm
}

// ReviewsPath is where the review-interval form posts.
func ReviewsPath(id string) string { return EditPath(id) + "/reviews" }

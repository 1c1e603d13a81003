package account

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"testing"
)

// make test runs under the race detector, which compiles the cheap test
// cost of password_cost_race.go instead of password_cost.go. This test
// reads the release file itself, so lowering the cost that release builds
// hash with below the OWASP ASVS floor fails every test run.
func TestReleaseBuildsKeepTheASVSArgon2Cost(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "password_cost.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Comments) == 0 || f.Comments[0].List[0].Text != "//go:build !race" {
		t.Fatalf("password_cost.go must be the release (!race) build's cost")
	}
	conf := types.Config{}
	pkg, err := conf.Check("account", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string) int64 {
		obj, ok := pkg.Scope().Lookup(name).(*types.Const)
		if !ok {
			t.Fatalf("password_cost.go declares no constant %s", name)
		}
		v, _ := constant.Int64Val(obj.Val())
		return v
	}
	// ASVS appendix C / OWASP: argon2id with m ≥ 19 MiB, t ≥ 2, p = 1.
	if m, tm, p := value("argonMemory"), value("argonTime"), value("argonThreads"); m < 19*1024 || tm < 2 || p != 1 {
		t.Errorf("release argon2id cost m=%d KiB t=%d p=%d, below the ASVS floor m=19456 t=2 p=1", m, tm, p)
	}
}

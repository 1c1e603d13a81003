package devdb

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newTestDir returns a fresh cluster directory. It deliberately uses
// os.MkdirTemp instead of t.TempDir (see the package doc).
func newTestDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "riskreg-pg-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func startCluster(t *testing.T, dir string) (*Cluster, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	begin := time.Now()
	c, err := Start(ctx, Options{Dir: dir, Fast: true, Logf: t.Logf})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	elapsed := time.Since(begin)
	t.Cleanup(func() { c.Stop() })
	return c, elapsed
}

// psql runs psql from the server's bin dir with the given arguments. It
// returns ok=false if psql is not installed there.
func psql(t *testing.T, args ...string) (out string, ok bool) {
	t.Helper()
	binDir, err := FindBinaries()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(binDir, "psql")
	if !isExecutable(path) {
		return "", false
	}
	b, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", args, err, b)
	}
	return strings.TrimSpace(string(b)), true
}

func TestFindBinaries(t *testing.T) {
	dir, err := FindBinaries()
	if err != nil {
		t.Skipf("no PostgreSQL here: %v", err)
	}
	if !isExecutable(filepath.Join(dir, "initdb")) || !isExecutable(filepath.Join(dir, "postgres")) {
		t.Fatalf("FindBinaries returned %s, which lacks initdb or postgres", dir)
	}
	t.Logf("bin dir: %s", dir)

	t.Setenv("PG_BINDIR", dir)
	got, err := FindBinaries()
	if err != nil || got != dir {
		t.Fatalf("with PG_BINDIR=%s: got %q, %v", dir, got, err)
	}

	t.Setenv("PG_BINDIR", newTestDir(t))
	_, err = FindBinaries()
	if err == nil || !strings.Contains(err.Error(), "sudo apt-get install -y postgresql") {
		t.Fatalf("with an empty PG_BINDIR: got %v, want an error with the install command", err)
	}
}

func TestSortByVersion(t *testing.T) {
	got := sortByVersion([]string{
		"/usr/lib/postgresql/9.6/bin",
		"/usr/lib/postgresql/15/bin",
		"/usr/lib/postgresql/devel/bin",
		"/usr/lib/postgresql/10/bin",
		"/usr/lib/postgresql/9.4/bin",
	})
	want := []string{
		"/usr/lib/postgresql/15/bin",
		"/usr/lib/postgresql/10/bin",
		"/usr/lib/postgresql/9.6/bin",
		"/usr/lib/postgresql/9.4/bin",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestDSNEscaping(t *testing.T) {
	c := &Cluster{sockDir: "/tmp/odd dir&x=1"}
	want := "postgres://postgres@/my%20db?host=/tmp/odd%20dir%26x%3D1&port=5432&sslmode=disable"
	if got := c.DSN("my db"); got != want {
		t.Fatalf("DSN = %s, want %s", got, want)
	}
}

func TestClusterLifecycle(t *testing.T) {
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	dir := newTestDir(t)

	// Cold start: initdb + start + ready.
	c, cold := startCluster(t, dir)
	t.Logf("cold start: %s", cold)
	if c.Dir() != dir {
		t.Fatalf("Dir() = %s, want %s", c.Dir(), dir)
	}
	if c.SocketDir() != filepath.Join(dir, "sock") {
		t.Fatalf("SocketDir() = %s", c.SocketDir())
	}
	wantDSN := "postgres://postgres@/app?host=" + filepath.Join(dir, "sock") + "&port=5432&sslmode=disable"
	if got := c.DSN("app"); got != wantDSN {
		t.Fatalf("DSN = %s, want %s", got, wantDSN)
	}

	pgVersion := filepath.Join(dir, "pgdata", "PG_VERSION")
	fi, err := os.Stat(pgVersion)
	if err != nil {
		t.Fatal(err)
	}
	mtime := fi.ModTime()

	havePsql := false
	if out, ok := psql(t, "-h", c.SocketDir(), "-U", "postgres", "-d", "postgres", "-Atc", "select 1"); ok {
		havePsql = true
		if out != "1" {
			t.Fatalf("select 1 returned %q", out)
		}
		if out, _ := psql(t, c.DSN("postgres"), "-Atc", "show fsync"); out != "off" {
			t.Fatalf("fsync = %q, want off in Fast mode", out)
		}
		psql(t, c.DSN("postgres"), "-Atc", "create table kept (v text); insert into kept values ('still here')")
	} else {
		t.Log("psql not installed next to the server binaries; skipping SQL checks")
	}

	// A second Start on the same directory must refuse.
	ctx := context.Background()
	c2, err := Start(ctx, Options{Dir: dir, Fast: true})
	if err == nil {
		c2.Stop()
		t.Fatal("second Start on the same Dir succeeded")
	}
	if !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("second Start: %v, want an 'already in use' error", err)
	}
	t.Logf("second Start: %v", err)

	// With Attach, a short command uses the running server instead, and
	// its Stop leaves that server alone.
	att, err := Start(ctx, Options{Dir: dir, Attach: true})
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	if att.SocketDir() != c.SocketDir() {
		t.Fatalf("attached socket %s, want %s", att.SocketDir(), c.SocketDir())
	}
	if err := att.Stop(); err != nil {
		t.Fatalf("attached Stop: %v", err)
	}
	if havePsql {
		if out, _ := psql(t, att.DSN("postgres"), "-Atc", "select 2"); out != "2" {
			t.Fatalf("after the attached Stop the server must still run; select 2 gave %q", out)
		}
	}

	begin := time.Now()
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("stop: %s", time.Since(begin))
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Warm start: same directory, no initdb.
	c, warm := startCluster(t, dir)
	t.Logf("warm start: %s", warm)
	fi, err = os.Stat(pgVersion)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(mtime) {
		t.Fatalf("PG_VERSION mtime changed from %s to %s: initdb ran again", mtime, fi.ModTime())
	}
	if havePsql {
		if out, _ := psql(t, c.DSN("postgres"), "-Atc", "select v from kept"); out != "still here" {
			t.Fatalf("data not kept across restart: got %q", out)
		}
	}

	// A crash (postgres killed with SIGKILL) leaves a stale postmaster.pid;
	// the next Start must still work (postgres runs crash recovery).
	pid := c.cmd.Process.Pid
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.exited
	if err := c.Stop(); err == nil {
		t.Fatal("Stop after SIGKILL returned nil, want the exit error")
	}
	if _, err := os.Stat(filepath.Join(dir, "pgdata", "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid after SIGKILL: %v", err)
	}
	c, recovered := startCluster(t, dir)
	t.Logf("start after SIGKILL (crash recovery): %s", recovered)
	if havePsql {
		if out, _ := psql(t, c.DSN("postgres"), "-Atc", "select v from kept"); out != "still here" {
			t.Fatalf("data lost after crash recovery: got %q", out)
		}
	}

	if err := c.Stop(); err != nil {
		t.Fatalf("final Stop: %v", err)
	}

	// A server that cannot start must fail Start with the end of its log.
	conf := filepath.Join(dir, "pgdata", "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nno_such_setting_xyz = 1\n")
	f.Close()
	c3, err := Start(ctx, Options{Dir: dir, Fast: true})
	if err == nil {
		c3.Stop()
		t.Fatal("Start with a broken postgresql.conf succeeded")
	}
	if !strings.Contains(err.Error(), "no_such_setting_xyz") || strings.Contains(err.Error(), "shutdown") {
		t.Fatalf("Start error should show this run's server log only: %v", err)
	}
	t.Logf("broken config: %v", err)

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}

func TestLongDirUsesShortSocketDir(t *testing.T) {
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	base := newTestDir(t)
	// Let the postgres user (when root) pass through, so that only the
	// socket path, not the cluster directory, needs a fallback.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, strings.Repeat("a", 50), strings.Repeat("b", 50))
	c, _ := startCluster(t, dir)

	want := "/tmp/riskreg-sock-" + shortHash(filepath.Join(dir, "sock"))
	t.Cleanup(func() { os.RemoveAll(want) })
	if c.Dir() != dir {
		t.Fatalf("Dir() = %s, want %s", c.Dir(), dir)
	}
	if c.SocketDir() != want {
		t.Fatalf("SocketDir() = %s, want %s", c.SocketDir(), want)
	}
	if out, ok := psql(t, c.DSN("postgres"), "-Atc", "select 1"); ok && out != "1" {
		t.Fatalf("select 1 returned %q", out)
	}
}

func TestUnreachableDirFallsBackToTmp(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only relevant when running as root")
	}
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	// os.MkdirTemp makes a root-owned 0700 directory: the postgres user
	// cannot pass through it (this is what t.TempDir and /root look like).
	base := newTestDir(t)
	dir := filepath.Join(base, "cluster")
	want := "/tmp/riskreg-" + shortHash(dir)
	t.Cleanup(func() { os.RemoveAll(want) })

	c, _ := startCluster(t, dir)
	if c.Dir() != want {
		t.Fatalf("Dir() = %s, want the fallback %s", c.Dir(), want)
	}
	if _, err := os.Stat(filepath.Join(want, "pgdata", "PG_VERSION")); err != nil {
		t.Fatal(err)
	}
	if out, ok := psql(t, c.DSN("postgres"), "-Atc", "select 1"); ok && out != "1" {
		t.Fatalf("select 1 returned %q", out)
	}
}

func TestMissingRunAsUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only relevant when running as root")
	}
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	t.Setenv("PG_RUN_AS", "no-such-user-devdb")
	_, err := Start(context.Background(), Options{Dir: newTestDir(t), Fast: true})
	if err == nil || !strings.Contains(err.Error(), "PG_RUN_AS") {
		t.Fatalf("got %v, want an error that mentions PG_RUN_AS", err)
	}
	t.Logf("missing user: %v", err)
}

func TestStartCanceled(t *testing.T) {
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := Start(ctx, Options{Dir: newTestDir(t), Fast: true})
	if err == nil {
		c.Stop()
		t.Fatal("Start with a canceled context succeeded")
	}
	t.Logf("canceled: %v", err)
}

// TestPostgresDiesWithParent starts a cluster in a child process, kills that
// process with SIGKILL, and checks that postgres goes away too (Pdeathsig).
func TestPostgresDiesWithParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux-only")
	}
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	dir := newTestDir(t)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "DEVDB_HELPER_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	pgPID := 0
	scanner := bufio.NewScanner(stdout)
	for scanner.Scan() {
		if rest, ok := strings.CutPrefix(scanner.Text(), "PGPID "); ok {
			pgPID, _ = strconv.Atoi(rest)
			break
		}
	}
	if pgPID == 0 {
		cmd.Process.Kill()
		t.Fatalf("helper did not report a postgres pid (wait: %v)", cmd.Wait())
	}

	cmd.Process.Kill()
	cmd.Wait()
	begin := time.Now()
	for processAlive(pgPID) {
		if time.Since(begin) > 15*time.Second {
			syscall.Kill(-pgPID, syscall.SIGKILL)
			t.Fatalf("postgres (pid %d) still running 15s after its parent was killed", pgPID)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("postgres exited %s after its parent was killed", time.Since(begin))

	// The directory is usable again right away.
	c, _ := startCluster(t, dir)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the ")" that ends the command name.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// TestHelperProcess is not a real test: TestPostgresDiesWithParent runs the
// test binary with DEVDB_HELPER_DIR set to start a cluster and then wait to be
// killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("DEVDB_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestPostgresDiesWithParent")
	}
	c, err := Start(context.Background(), Options{Dir: dir, Fast: true})
	if err != nil {
		os.Stderr.WriteString("helper: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("PGPID " + strconv.Itoa(c.cmd.Process.Pid) + "\n")
	time.Sleep(time.Minute) // killed by the parent long before this
	c.Stop()
	os.Exit(2)
}

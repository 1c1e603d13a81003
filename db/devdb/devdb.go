// Package devdb runs a project-local PostgreSQL cluster as a child process.
//
// It is used in two ways:
//
//   - `riskreg serve` without DATABASE_URL starts a persistent cluster under
//     DATA_DIR (default ".data"). The data is reused on the next start.
//   - Tests start a throwaway cluster with Options.Fast in a directory made by
//     os.MkdirTemp("", "riskreg-pg-*") and remove the directory afterwards.
//
// The server listens only on a unix socket in a private directory, so several
// clusters (for example one per test package) can run at the same time
// without port collisions. Authentication is "trust" for the OS user that owns
// the socket; the socket itself is mode 0700.
//
// CreateDatabase makes the two roles riskreg runs as: OwnerRole, which owns
// the database and its schema and runs the migrations, and AppRole, which
// owns nothing and gets only what the migrations grant it. Trust lets anyone
// who reaches the socket connect as any role, so the roles bound what the
// app's SQL can do, not what a local user with access to the socket can.
//
// The server binaries come from the local machine (see FindBinaries); nothing
// is downloaded.
//
// When the process runs as root, PostgreSQL refuses to run as root, so the
// cluster directory is chowned to the OS user "postgres" (or $PG_RUN_AS) and
// initdb and postgres run as that user. That user must be able to reach the
// cluster directory. If a parent directory is not searchable by it (for
// example a checkout under /root, mode 0700), the cluster is placed in a
// stable fallback directory /tmp/riskreg-<hash>/ instead; Cluster.Dir reports
// the directory actually used.
//
// Tests must not use t.TempDir() for the cluster directory: its parent
// directory is mode 0700, so as root the postgres user cannot reach it. Use
// os.MkdirTemp("", "riskreg-pg-*") and os.RemoveAll it after Stop.
package devdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// port is the server port. The server listens only on a unix socket in a
// private directory, so the port number never collides with anything; it is
// only part of the socket file name.
const port = 5432

// maxSocketPath is the longest socket file path we use. The kernel limit for
// unix socket paths is 107 bytes; we keep a margin.
const maxSocketPath = 100

// startTimeout bounds how long Start waits for the server to accept connections.
const startTimeout = 30 * time.Second

// stopTimeout bounds how long Stop waits after SIGINT before it uses SIGKILL.
const stopTimeout = 10 * time.Second

// Options configures a cluster.
type Options struct {
	// Dir is the cluster directory. The data directory is Dir/pgdata, the
	// server log is Dir/postgres.log and the socket directory is Dir/sock
	// (or a short directory under /tmp if that path would be too long for a
	// unix socket). It is created if missing. Required.
	Dir string

	// Fast turns off durability (fsync=off, synchronous_commit=off,
	// full_page_writes=off). Use it for throwaway test clusters only: a
	// machine crash can corrupt the data.
	Fast bool

	// Logf, if not nil, receives progress messages (initdb, fallbacks,
	// startup time).
	Logf func(format string, args ...any)
	// Attach, when another process already runs the cluster, returns a
	// handle to that server instead of failing (Stop then leaves it
	// running). For short commands that run beside `riskreg serve`.
	Attach bool
}

// ErrInUse is wrapped by Start's error when another live postgres already
// runs the cluster directory.
var ErrInUse = errors.New("database already in use")

// Cluster is a running postgres child process started by Start.
// Call Stop when done with it.
type Cluster struct {
	dir     string // effective cluster directory
	pgdata  string // dir/pgdata
	sockDir string // unix socket directory
	logPath string // dir/postgres.log

	cmd *exec.Cmd

	exited  chan struct{} // closed once the postgres process has exited
	waitErr error         // result of cmd.Wait; read only after exited is closed

	stopOnce sync.Once
	stopErr  error

	attached bool // the server belongs to another process
}

// Start starts a PostgreSQL server for opts.Dir, running initdb first if the
// directory holds no cluster yet. It returns once the server accepts
// connections, or an error (including the end of the server log if the
// server failed to start).
//
// ctx bounds only the startup; the server keeps running until Stop is called
// or the calling process dies (the child gets SIGTERM then on Linux).
//
// Start fails if another live postgres already uses the same data directory.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if opts.Dir == "" {
		return nil, errors.New("devdb: Options.Dir is required")
	}

	binDir, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	isReady := filepath.Join(binDir, "pg_isready")
	if !isExecutable(isReady) {
		return nil, fmt.Errorf("devdb: %s not found; it is needed to detect when the server is ready; install it with: sudo apt-get install -y postgresql-client", isReady)
	}

	// When root, postgres must run as an unprivileged OS user.
	var cred *syscall.Credential
	runAsName := ""
	if os.Geteuid() == 0 {
		cred, runAsName, err = lookupRunAs()
		if err != nil {
			return nil, err
		}
	}

	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	if err := makeClusterDir(dir); err != nil {
		return nil, err
	}
	if cred != nil && !searchableBy(filepath.Dir(dir), cred) {
		fallback := "/tmp/riskreg-" + shortHash(dir)
		logf("devdb: OS user %q cannot reach %s (a parent directory is not searchable by it); using %s instead", runAsName, dir, fallback)
		if err := makePrivateTmpDir(fallback, cred); err != nil {
			return nil, err
		}
		dir = fallback
	}

	c := &Cluster{
		dir:     dir,
		pgdata:  filepath.Join(dir, "pgdata"),
		sockDir: filepath.Join(dir, "sock"),
		logPath: filepath.Join(dir, "postgres.log"),
		exited:  make(chan struct{}),
	}

	if err := checkNotInUse(c.pgdata, dir); err != nil {
		if opts.Attach && errors.Is(err, ErrInUse) {
			if sock := runningSocketDir(c.pgdata); sock != "" {
				c.sockDir, c.attached = sock, true
				logf("devdb: using the PostgreSQL already running for %s", dir)
				return c, nil
			}
		}
		return nil, err
	}

	if len(socketFile(c.sockDir)) > maxSocketPath {
		short := "/tmp/riskreg-sock-" + shortHash(c.sockDir)
		logf("devdb: socket path under %s is too long for a unix socket; using %s instead", c.sockDir, short)
		if err := makePrivateTmpDir(short, cred); err != nil {
			return nil, err
		}
		c.sockDir = short
	} else if err := os.MkdirAll(c.sockDir, 0o700); err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}

	if cred != nil {
		if err := chownTree(dir, cred); err != nil {
			return nil, err
		}
	}

	if err := c.initIfNeeded(ctx, binDir, cred, logf); err != nil {
		return nil, err
	}
	// postgres refuses to start unless the data directory is 0700 or 0750.
	if err := os.Chmod(c.pgdata, 0o700); err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}

	begin := time.Now()
	for attempt := 1; ; attempt++ {
		if err := c.startServer(binDir, cred, opts.Fast); err != nil {
			return nil, err
		}
		err := c.waitReady(ctx, isReady)
		if err == nil {
			break
		}
		_ = c.Stop()
		// Right after a crash the old server's processes may still hold its
		// shared memory for a moment; postgres refuses to start until they
		// are gone, so try again shortly.
		if attempt < 5 && ctx.Err() == nil && strings.Contains(err.Error(), "shared memory block") {
			logf("devdb: the previous server's shared memory is still in use; retrying")
			time.Sleep(time.Duration(attempt) * 300 * time.Millisecond)
			c.exited, c.waitErr, c.stopErr, c.stopOnce = make(chan struct{}), nil, nil, sync.Once{}
			continue
		}
		return nil, err
	}
	logf("devdb: postgres (pid %d) ready in %s; psql %q", c.cmd.Process.Pid, time.Since(begin).Round(time.Millisecond), c.DSN("postgres"))
	return c, nil
}

// DSN returns a connection URL for database dbname on this cluster as the
// superuser postgres, usable by pgx and psql:
//
//	postgres://postgres@/<dbname>?host=<socketdir>&port=5432&sslmode=disable
func (c *Cluster) DSN(dbname string) string {
	return c.RoleDSN("postgres", dbname)
}

// RoleDSN returns a connection URL for database dbname as role (OwnerRole,
// AppRole or the superuser postgres).
func (c *Cluster) RoleDSN(role, dbname string) string {
	return "postgres://" + escapeURL(role, false) + "@/" + escapeURL(dbname, false) +
		"?host=" + escapeURL(c.sockDir, true) +
		"&port=" + strconv.Itoa(port) +
		"&sslmode=disable"
}

// SocketDir returns the directory that holds the server's unix socket
// (the libpq "host" parameter).
func (c *Cluster) SocketDir() string {
	return c.sockDir
}

// Dir returns the absolute cluster directory actually used. It differs from
// Options.Dir when Start had to fall back to a directory under /tmp.
func (c *Cluster) Dir() string {
	return c.dir
}

// Stop shuts the server down with a fast shutdown (SIGINT: open sessions are
// disconnected, data is written out) and waits for it to exit. If it has not
// exited after 10 seconds, its process group is killed with SIGKILL.
// Stop is idempotent: later calls return the result of the first call.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.stop()
	})
	return c.stopErr
}

func (c *Cluster) stop() error {
	if c.attached {
		return nil
	}
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return fmt.Errorf("devdb: postgres had already exited: %v", c.waitErr)
		}
		return nil
	default:
	}

	err := c.cmd.Process.Signal(os.Interrupt)
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("devdb: signal postgres: %w", err)
	}
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return fmt.Errorf("devdb: postgres exited with: %v", c.waitErr)
		}
		return nil
	case <-time.After(stopTimeout):
	}

	// The postmaster has its own process group (Setpgid), so this also
	// reaches its backends.
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("devdb: postgres (pid %d) did not exit even after SIGKILL", c.cmd.Process.Pid)
	}
	return fmt.Errorf("devdb: postgres did not shut down within %s and was killed", stopTimeout)
}

// FindBinaries returns the directory that holds the PostgreSQL server
// binaries (initdb and postgres). It looks at, in order:
//
//  1. $PG_BINDIR, if set;
//  2. the highest version of /usr/lib/postgresql/*/bin (Debian/Ubuntu layout);
//  3. the directory of initdb found on $PATH, after resolving symlinks.
//
// If none is found, the error tells how to install them.
func FindBinaries() (string, error) {
	if env := os.Getenv("PG_BINDIR"); env != "" {
		dir, err := filepath.Abs(env)
		if err != nil {
			return "", fmt.Errorf("devdb: PG_BINDIR: %w", err)
		}
		if hasServerBinaries(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("devdb: PG_BINDIR=%s does not contain initdb and postgres; unset it, or install PostgreSQL with: sudo apt-get install -y postgresql", env)
	}

	for _, dir := range debianBinDirs() {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}

	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if abs, err := filepath.Abs(real); err == nil {
				dir := filepath.Dir(abs)
				if hasServerBinaries(dir) {
					return dir, nil
				}
			}
		}
	}

	return "", errors.New("PostgreSQL server binaries not found; install them with: sudo apt-get install -y postgresql (or set PG_BINDIR)")
}

// debianBinDirs returns the /usr/lib/postgresql/<version>/bin directories,
// highest version first.
func debianBinDirs() []string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	return sortByVersion(matches)
}

// sortByVersion orders .../<version>/bin paths by numeric version, highest
// first ("15" before "10" before "9.6"). Paths whose version part is not
// numeric are dropped.
func sortByVersion(binDirs []string) []string {
	type candidate struct {
		version []int
		dir     string
	}
	var cands []candidate
	for _, dir := range binDirs {
		name := filepath.Base(filepath.Dir(dir))
		var version []int
		ok := true
		for _, part := range strings.Split(name, ".") {
			n, err := strconv.Atoi(part)
			if err != nil {
				ok = false
				break
			}
			version = append(version, n)
		}
		if ok {
			cands = append(cands, candidate{version: version, dir: dir})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i].version, cands[j].version
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return len(a) > len(b)
	})
	dirs := make([]string, len(cands))
	for i, c := range cands {
		dirs[i] = c.dir
	}
	return dirs
}

func hasServerBinaries(dir string) bool {
	return isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres"))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// lookupRunAs returns the credentials of the OS user postgres runs as when we
// are root: "postgres", or $PG_RUN_AS.
func lookupRunAs() (*syscall.Credential, string, error) {
	name := os.Getenv("PG_RUN_AS")
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, name, fmt.Errorf("devdb: running as root, so PostgreSQL must run as an unprivileged OS user, but user %q was not found (%v); install the postgresql package (it creates the user) or set PG_RUN_AS to an existing user", name, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, name, fmt.Errorf("devdb: user %q has a non-numeric uid %q", name, u.Uid)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, name, fmt.Errorf("devdb: user %q has a non-numeric gid %q", name, u.Gid)
	}
	if uid == 0 {
		return nil, name, fmt.Errorf("devdb: PostgreSQL cannot run as root; set PG_RUN_AS to an unprivileged user (it is %q)", name)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, name, nil
}

// makeClusterDir creates dir (mode 0700) and any missing parents (mode 0755,
// so that the postgres user can pass through them when we are root).
func makeClusterDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	err := os.Mkdir(dir, 0o700)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("devdb: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("devdb: %s exists and is not a directory", dir)
	}
	return nil
}

// searchableBy reports whether the user in cred may traverse dir and all its
// ancestors, judged by the permission bits (ACLs and supplementary groups are
// ignored, so the answer errs on the side of "no").
func searchableBy(dir string, cred *syscall.Credential) bool {
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		perm := fi.Mode().Perm()
		var bit fs.FileMode
		switch {
		case st.Uid == cred.Uid:
			bit = 0o100
		case st.Gid == cred.Gid:
			bit = 0o010
		default:
			bit = 0o001
		}
		if perm&bit == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

// makePrivateTmpDir creates (or reuses) a 0700 directory under /tmp. Because
// /tmp is shared, an existing path is used only if it is a real directory
// owned by us or by the run-as user. When cred is not nil the directory is
// chowned to that user.
func makePrivateTmpDir(path string, cred *syscall.Credential) error {
	err := os.Mkdir(path, 0o700)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("devdb: %w", err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("devdb: %s exists and is not a directory; remove it", path)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("devdb: cannot read the owner of %s", path)
	}
	if int(st.Uid) != os.Geteuid() && (cred == nil || st.Uid != cred.Uid) {
		return fmt.Errorf("devdb: %s is owned by uid %d, not by us; remove it", path, st.Uid)
	}
	if err := os.Chmod(path, 0o700); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if cred != nil {
		if err := os.Lchown(path, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
	}
	return nil
}

// chownTree gives dir and everything below it to the user in cred.
// Symlinks are not followed.
func chownTree(dir string, cred *syscall.Credential) error {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(cred.Uid), int(cred.Gid))
	})
	if err != nil {
		return fmt.Errorf("devdb: chown %s: %w", dir, err)
	}
	return nil
}

// checkNotInUse fails if pgdata/postmaster.pid names a live postgres process.
// A stale file (dead pid) is left for postgres, which replaces it.
func checkNotInUse(pgdata, dir string) error {
	data, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		// Garbage, or a pid from an earlier boot that is now ours: stale.
		return nil
	}
	err = syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return nil // no such process: stale
	}
	if !looksLikePostgres(pid) {
		return nil // the pid was reused by an unrelated process: stale
	}
	return fmt.Errorf("devdb: database in %s is already in use by another process (pid %d); stop the other riskreg first: %w", dir, pid, ErrInUse)
}

// runningSocketDir reads the socket directory of a running server from
// postmaster.pid (its fifth line), or "".
func runningSocketDir(pgdata string) string {
	data, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 5 {
		return ""
	}
	return strings.TrimSpace(lines[4])
}

// looksLikePostgres reports whether pid is a postgres process. Where /proc is
// not available it assumes yes.
func looksLikePostgres(pid int) bool {
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return true
	}
	name := strings.TrimSpace(string(comm))
	return name == "postgres" || name == "postmaster"
}

// initIfNeeded runs initdb unless the data directory already holds a cluster.
// initdb writes into a temporary directory that is renamed into place only on
// success, so an interrupted initdb never leaves a half-made cluster behind.
func (c *Cluster) initIfNeeded(ctx context.Context, binDir string, cred *syscall.Credential, logf func(string, ...any)) error {
	if _, err := os.Stat(filepath.Join(c.pgdata, "PG_VERSION")); err == nil {
		return nil
	}
	if entries, err := os.ReadDir(c.pgdata); err == nil {
		if len(entries) > 0 {
			return fmt.Errorf("devdb: %s is not empty but has no PG_VERSION, so it is not a PostgreSQL data directory; move it away", c.pgdata)
		}
		if err := os.Remove(c.pgdata); err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
	}

	tmp := c.pgdata + ".initdb"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	logf("devdb: initializing a new cluster in %s", c.pgdata)
	begin := time.Now()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"),
		"-D", tmp, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = sysProcAttr(cred)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("devdb: initdb failed: %v\n%s", err, bytes.TrimSpace(out))
	}
	if err := os.Rename(tmp, c.pgdata); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	logf("devdb: initdb took %s", time.Since(begin).Round(time.Millisecond))
	return nil
}

// startServer starts the postgres child process.
func (c *Cluster) startServer(binDir string, cred *syscall.Credential, fast bool) error {
	logFile, err := os.OpenFile(c.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	defer logFile.Close() // the child keeps its own copy of the descriptor
	if cred != nil {
		if err := logFile.Chown(int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
	}
	fmt.Fprintf(logFile, "%s at %s ----\n", startMarker, time.Now().Format(time.RFC3339))

	args := []string{
		"-D", c.pgdata,
		"-k", c.sockDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=",
		"-c", "unix_socket_permissions=0700",
		"-c", "max_connections=200",
	}
	args = append(args, tuning(fast)...)
	if fast {
		args = append(args,
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr(cred)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("devdb: start postgres: %w", err)
	}
	c.cmd = cmd
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	return nil
}

// waitReady polls pg_isready until the server accepts connections. It fails
// early if the server exits, and after startTimeout.
func (c *Cluster) waitReady(ctx context.Context, isReady string) error {
	deadline := time.Now().Add(startTimeout)
	sock := socketFile(c.sockDir)
	for {
		select {
		case <-c.exited:
			return fmt.Errorf("devdb: postgres exited during startup (%v); last lines of %s:\n%s", c.waitErr, c.logPath, logTail(c.logPath, 20))
		default:
		}
		// Running pg_isready before the socket exists is pointless.
		if _, err := os.Stat(sock); err == nil {
			cmd := exec.CommandContext(ctx, isReady,
				"-h", c.sockDir, "-p", strconv.Itoa(port), "-U", "postgres", "-d", "postgres", "-q", "-t", "2")
			if cmd.Run() == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("devdb: postgres did not accept connections within %s; last lines of %s:\n%s", startTimeout, c.logPath, logTail(c.logPath, 20))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devdb: waiting for postgres: %w", ctx.Err())
		case <-c.exited:
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// socketFile returns the path of the server socket in sockDir.
func socketFile(sockDir string) string {
	return filepath.Join(sockDir, ".s.PGSQL."+strconv.Itoa(port))
}

// shortHash returns the first 12 hex digits of sha256(s).
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}

// startMarker begins the line written to the server log before each start.
const startMarker = "---- devdb: starting postgres"

// logTail returns the last n lines of the file at path that were written
// since the last start marker (best effort).
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	const maxRead = 16 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > maxRead {
		if _, err := f.Seek(fi.Size()-maxRead, io.SeekStart); err != nil {
			return "(" + err.Error() + ")"
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], startMarker) {
			lines = lines[i+1:]
			break
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// escapeURL percent-encodes s for use in a URL path segment or query value.
// Both libpq and pgx decode %XX there. Only unreserved characters stay as they
// are; '/' also stays when keepSlash is set, so socket paths remain readable.
func escapeURL(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9',
			ch == '-', ch == '.', ch == '_', ch == '~':
			b.WriteByte(ch)
		case ch == '/' && keepSlash:
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// tuning returns the server settings riskreg chooses for its embedded
// PostgreSQL (README, Configuration), deliberately rather than by default:
//
//   - max_parallel_workers_per_gather=0: parallel plans help one big query
//     on an idle machine, but under concurrent requests on a few cores the
//     workers compete with the other requests' backends (measured on 2
//     cores: the heat map's throughput doubled without them). riskreg's
//     queries read a page or a few hundred count rows, never a whole table.
//   - jit=off: compiling a plan costs tens of milliseconds, more than any
//     of riskreg's queries takes to run.
//   - random_page_cost=1.1: the data lives on SSDs or in memory, where an
//     index probe costs little more than a sequential read; this keeps the
//     planner on the sort indexes.
//   - shared_buffers=256MB, effective_cache_size=1GB (not for the fast test
//     clusters, of which several run at once): a million risks with their
//     indexes fit in the cache.
func tuning(fast bool) []string {
	args := []string{
		"-c", "max_parallel_workers_per_gather=0",
		"-c", "jit=off",
		"-c", "random_page_cost=1.1",
	}
	if !fast {
		args = append(args, "-c", "shared_buffers=256MB", "-c", "effective_cache_size=1GB")
	}
	return args
}

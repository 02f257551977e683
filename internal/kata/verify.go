package kata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

// VerifyOptions adjusts Verify. The zero value verifies GOMAXPROCS katas at once with the go
// command on PATH.
type VerifyOptions struct {
	Parallel int    // katas verified at once; 0 means GOMAXPROCS
	Go       string // as in CheckOptions
	Node     string // as in CheckOptions

	// OnReport, when set, is called with each kata's report as soon as it is ready, one call
	// at a time.
	OnReport func(Report)
}

// Run is one check that verification made: a variant of the kata and its result.
type Run struct {
	Variant string  // "reference", "starter" or a broken variant's file name
	Mistake string  // a broken variant's "// Broken:" text
	Want    Status  // pass for the reference, fail for the others
	Result  *Result // nil when the check could not run
}

// Report is the verification of one kata: Problems is empty when the kata is sound.
type Report struct {
	Kata     string
	Problems Problems
	Runs     []Run
	Duration time.Duration
}

// Verify verifies the katas of c named by ids (all of them when ids is empty), several at a
// time, and returns their reports in catalogue order. It returns an error for an unknown id
// or when ctx ends (wrapping ErrInterrupted); a kata's problems are in its report.
func Verify(ctx context.Context, c *Catalog, ids []string, opts VerifyOptions) ([]Report, error) {
	ks := c.All()
	if len(ids) > 0 {
		ks = nil
		for _, id := range ids {
			k, err := c.Get(id)
			if err != nil {
				return nil, err
			}
			ks = append(ks, k)
		}
	}
	n := opts.Parallel
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	var (
		reports = make([]Report, len(ks))
		errs    = make([]error, len(ks))
		sem     = make(chan struct{}, n)
		mu      sync.Mutex // serialises OnReport
		wg      sync.WaitGroup
	)
	for i, k := range ks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			reports[i], errs[i] = VerifyKata(ctx, k, opts)
			if errs[i] == nil && opts.OnReport != nil {
				mu.Lock()
				opts.OnReport(reports[i])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return reports, err
	}
	return reports, nil
}

// VerifyKata verifies one kata: its static rules (Static), then, through Check over
// temporary workspaces, that the reference passes, the starter fails (without a build error
// or a time-out) and every broken variant fails (without a build error). The reference runs
// first; then the starter and the variants run at once, each in a workspace of its own (the
// builds still take turns: see buildBinary). The runs that must fail stop at their first
// failing test (CheckOptions.FailFast); none runs go vet (the module's own vet covers the
// catalogue). It returns an error only when ctx ends or the checker cannot run at all.
func VerifyKata(ctx context.Context, k *Kata, opts VerifyOptions) (rep Report, err error) {
	start := time.Now()
	rep = Report{Kata: k.ID, Problems: Static(k)}
	defer func() { rep.Duration = time.Since(start) }()

	tmp, err := os.MkdirTemp("", "procdojo-verify-")
	if err != nil {
		return rep, fmt.Errorf("kata: %w", err)
	}
	defer removeAll(tmp)

	// One cache for the kata's runs: a Node kata's test binary does not depend on the user's
	// file, so its reference, starter and variants share one build.
	cache := filepath.Join(tmp, "cache")
	type variant struct {
		file string // as named in problems
		src  []byte
	}
	runs := []Run{{Variant: "reference", Want: StatusPass}, {Variant: "starter", Want: StatusFail}}
	ref, err := k.Solution()
	if err != nil {
		return rep, err
	}
	starter, err := k.Starter()
	if err != nil {
		return rep, err
	}
	sources := []variant{{k.FileName(), ref}, {k.StarterFile(), starter}}
	broken, err := k.Broken()
	if err != nil {
		return rep, err
	}
	for _, v := range broken {
		runs = append(runs, Run{Variant: v.Name, Mistake: v.Mistake, Want: StatusFail})
		sources = append(sources, variant{"testdata/" + v.Name, v.Source})
	}

	problems := make([]Problems, len(runs))
	errs := make([]error, len(runs))
	verify := func(i int) {
		r := &runs[i]
		ws, err := InitWorkspace(filepath.Join(tmp, fmt.Sprintf("ws%d", i)))
		if err == nil {
			err = os.MkdirAll(ws.KataDir(k), 0o755)
		}
		if err == nil {
			err = os.WriteFile(ws.File(k), sources[i].src, 0o644)
		}
		if err != nil {
			errs[i] = fmt.Errorf("kata: %w", err)
			return
		}
		res, err := Check(ctx, ws, k, CheckOptions{Go: opts.Go, Node: opts.Node, FailFast: r.Want == StatusFail, NoVet: true, CacheDir: cache})
		if err != nil {
			errs[i] = err
			return
		}
		r.Result = res
		problem := func(format string, a ...any) {
			problems[i] = append(problems[i], Problem{File: path.Join(k.display, sources[i].file), Msg: fmt.Sprintf(format, a...)})
		}
		switch {
		case r.Want == StatusPass && res.Status != StatusPass:
			problem("the reference solution must pass its tests: FAIL (%d/%d tests): %s", res.Passed, res.Total, res.Reason)
		case r.Want == StatusFail && res.Status == StatusPass:
			problem("must fail the reference tests, but passed all %d", res.Total)
		case r.Want == StatusFail && res.BuildFailed:
			problem("must compile with the reference tests and fail them, but the build failed: %s", firstError(res.BuildOutput, res.Output))
		case r.Variant == "starter" && res.TimedOut:
			problem("the starter must fail fast, but hit the time limit: %s", res.Reason)
		}
	}
	verify(0)
	var wg sync.WaitGroup
	for i := 1; i < len(runs); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			verify(i)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}
	for _, ps := range problems {
		rep.Problems = append(rep.Problems, ps...)
	}
	rep.Runs = runs
	return rep, nil
}

// Static checks the rules of kata k that need no run: harness_test.go is the template's
// copy, there are at least two broken variants, each naming its mistake on its first line,
// and the statement names every exported identifier of the starter (so "kata show" shows the
// whole API).
func Static(k *Kata) Problems {
	var ps Problems
	problem := func(file, format string, a ...any) {
		ps = append(ps, Problem{File: path.Join(k.display, file), Msg: fmt.Sprintf(format, a...)})
	}
	if _, err := k.Tests(); err != nil {
		var tps Problems
		if errors.As(err, &tps) {
			ps = append(ps, tps...)
		} else {
			problem("", "%v", err)
		}
	}
	for name, want := range GeneratedFiles(k) {
		if h, err := k.read(name); err == nil && !bytes.Equal(h, want) {
			problem(name, "is not the copy of its template in internal/kata for package %s; run \"go generate ./katas\"", k.Package)
		}
	}
	broken, err := k.Broken()
	if err != nil {
		problem("testdata", "%v", err)
	}
	if len(broken) < 2 {
		problem("testdata", "has %d broken variants (testdata/broken_*.go); a kata needs at least 2", len(broken))
	}
	for _, v := range broken {
		if v.Mistake == "" {
			problem("testdata/"+v.Name, "the first line must name the mistake: %q", BrokenPrefix+"<the mistake>.")
		}
	}
	if src, err := k.Starter(); err == nil {
		names := exportedNames(src)
		if k.Lang == LangNode {
			names = jsExports(src)
			if len(names) == 0 {
				problem(k.StarterFile(), "exports nothing: a Node kata's starter sets module.exports = { ... } with the API")
			}
		}
		for _, name := range names {
			if !strings.Contains(k.Statement, name) {
				problem(MetaFile, "the statement does not mention %s, exported by the starter; show the API with its doc comments", name)
			}
		}
	}
	return ps
}

// jsExportsRE finds "module.exports = { a, b: c }" and "exports.name =".
var (
	jsExportsObject = regexp.MustCompile(`module\.exports\s*=\s*\{([^}]*)\}`)
	jsExportsField  = regexp.MustCompile(`(?m)^\s*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=`)
	jsKey           = regexp.MustCompile(`^\s*([A-Za-z_$][\w$]*)`)
)

// jsExports returns the names a CommonJS module exports, as written in its source: the keys
// of "module.exports = { ... }" and each "exports.name = ...".
func jsExports(src []byte) []string {
	var names []string
	for _, m := range jsExportsObject.FindAllSubmatch(src, -1) {
		for _, part := range strings.Split(string(m[1]), ",") {
			if k := jsKey.FindStringSubmatch(part); k != nil {
				names = append(names, k[1])
			}
		}
	}
	for _, m := range jsExportsField.FindAllSubmatch(src, -1) {
		names = append(names, string(m[1]))
	}
	return names
}

// exportedNames returns the exported top-level identifiers declared in src (methods
// included, as Type.Method), or none when src does not parse.
func exportedNames(src []byte) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "starter.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv != nil && len(d.Recv.List) == 1 {
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
					names = append(names, d.Name.Name)
				}
				continue
			}
			names = append(names, d.Name.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						names = append(names, s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
	}
	return names
}

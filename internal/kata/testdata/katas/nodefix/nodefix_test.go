package nodefix

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func init() {
	helpers["hello"] = func(args []string) int {
		fmt.Println("hello " + strings.Join(args, " "))
		return 0
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAdd(t *testing.T) {
	r := runNode(t, testContext(t), `report(mod.add(2, 3));`, nil)
	var got int
	r.Report(t, 0, &got)
	if got != 5 {
		t.Errorf("add(2, 3) = %d; want 5", got)
	}
}

func TestOutput(t *testing.T) {
	r := runNode(t, testContext(t), `report(await mod.output(file, args));`,
		nodeVars{"file": helperPath(t), "args": helperArgs("hello", "big", "world")})
	if r.Err != nil {
		t.Fatalf("output(hello big world) rejected: %v", r.Err)
	}
	var got string
	r.Report(t, 0, &got)
	if want := "hello big world\n"; got != want {
		t.Errorf("output(hello big world) = %q; want %q", got, want)
	}
}

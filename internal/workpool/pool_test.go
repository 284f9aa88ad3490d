package workpool_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/internal/workpool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSequentialTasksReuseOneWorker(t *testing.T) {
	p := workpool.New(workpool.Config{IdleTimeout: time.Minute})
	defer p.Close()
	for i := 0; i < 100; i++ {
		done := make(chan struct{})
		p.Go(func() { close(done) })
		<-done
		// The worker parks after the task; wait for that before the next
		// Go so that the next task finds it.
		eventually(t, "worker parked", func() bool { return p.Parked() == 1 })
	}
	if n := p.Workers(); n != 1 {
		t.Fatalf("Workers() = %d after 100 sequential tasks, want 1", n)
	}
}

func TestConcurrentTasksGetTheirOwnWorkers(t *testing.T) {
	p := workpool.New(workpool.Config{IdleTimeout: time.Minute})
	defer p.Close()
	const n = 8
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(n)
	for i := 0; i < n; i++ {
		p.Go(func() {
			started.Done()
			<-release // every task must be running at once
		})
	}
	started.Wait()
	if got := p.Workers(); got != n {
		t.Fatalf("Workers() = %d with %d blocked tasks, want %d", got, n, n)
	}
	close(release)
	eventually(t, "all parked", func() bool { return p.Parked() == n })
}

func TestIdleWorkersExit(t *testing.T) {
	p := workpool.New(workpool.Config{IdleTimeout: 10 * time.Millisecond})
	defer p.Close()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		p.Go(wg.Done)
	}
	wg.Wait()
	eventually(t, "idle workers exit", func() bool { return p.Workers() == 0 })
	if p.Parked() != 0 {
		t.Fatalf("Parked() = %d with no workers", p.Parked())
	}
	// The pool still works after its workers expired.
	done := make(chan struct{})
	p.Go(func() { close(done) })
	<-done
}

// With LIFO reuse, workers beyond what a steady load needs expire even
// while tasks keep coming.
func TestSurplusWorkersExpireUnderSteadyLoad(t *testing.T) {
	p := workpool.New(workpool.Config{IdleTimeout: 20 * time.Millisecond})
	defer p.Close()
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(6)
	for i := 0; i < 6; i++ {
		p.Go(func() { started.Done(); <-release })
	}
	started.Wait()
	close(release)
	eventually(t, "surplus workers expire", func() bool {
		done := make(chan struct{})
		p.Go(func() { close(done) })
		<-done
		return p.Workers() == 1
	})
}

func TestCloseWaitsForRunningTask(t *testing.T) {
	p := workpool.New(workpool.Config{})
	release := make(chan struct{})
	running := make(chan struct{})
	var finished atomic.Bool
	p.Go(func() {
		close(running)
		<-release
		finished.Store(true)
	})
	<-running
	closed := make(chan struct{})
	go func() {
		p.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while a task was running")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-closed
	if !finished.Load() {
		t.Fatal("Close returned before the task finished")
	}
	if n := p.Workers(); n != 0 {
		t.Fatalf("Workers() = %d after Close, want 0", n)
	}
	p.Close() // idempotent
}

func TestCloseStopsParkedWorkers(t *testing.T) {
	p := workpool.New(workpool.Config{IdleTimeout: time.Hour})
	var wg sync.WaitGroup
	release := make(chan struct{})
	for i := 0; i < 3; i++ {
		wg.Add(1)
		p.Go(func() { defer wg.Done(); <-release })
	}
	close(release)
	wg.Wait()
	eventually(t, "parked", func() bool { return p.Parked() == 3 })
	p.Close() // goleak in TestMain checks that they are gone
	if n := p.Workers(); n != 0 {
		t.Fatalf("Workers() = %d after Close, want 0", n)
	}
}

func TestGoAfterCloseStillRuns(t *testing.T) {
	p := workpool.New(workpool.Config{})
	p.Close()
	done := make(chan struct{})
	p.Go(func() { close(done) })
	<-done
	if n := p.Workers(); n != 0 {
		t.Fatalf("Workers() = %d after Close, want 0", n)
	}
}

// Many submitters with an idle timeout short enough that workers expire
// while tasks are being handed to them: every task runs exactly once.
func TestStressExpiryRace(t *testing.T) {
	p := workpool.New(workpool.Config{IdleTimeout: time.Microsecond})
	const submitters, per = 8, 2000
	var ran atomic.Int64
	var wg sync.WaitGroup
	wg.Add(submitters * per)
	for i := 0; i < submitters; i++ {
		go func() {
			for j := 0; j < per; j++ {
				p.Go(func() { ran.Add(1); wg.Done() })
				if j%64 == 0 {
					time.Sleep(time.Microsecond) // let workers time out
				}
			}
		}()
	}
	wg.Wait()
	p.Close()
	if got := ran.Load(); got != submitters*per {
		t.Fatalf("ran %d tasks, want %d", got, submitters*per)
	}
}

func TestStopDoesNotWait(t *testing.T) {
	p := workpool.New(workpool.Config{})
	release := make(chan struct{})
	running := make(chan struct{})
	p.Go(func() { close(running); <-release })
	<-running
	p.Stop() // returns although a task is running
	close(release)
	p.Close() // now waits for the worker
	if n := p.Workers(); n != 0 {
		t.Fatalf("Workers() = %d after Close, want 0", n)
	}
}

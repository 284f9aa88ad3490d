// Package workpool runs short tasks on parked worker goroutines instead of
// starting a goroutine per task.
//
// A goroutine started for every event or write burst begins with a small
// stack and grows it (runtime.newstack, copystack) each time the task is
// deeper than the initial stack. A parked worker keeps its grown stack, so
// a busy server pays for the growth once per worker, not once per task.
//
// [Pool.Go] hands a task to the most recently parked worker (LIFO, so the
// workers that are not needed stay parked and expire) or starts a new one.
// A worker parks after each task and exits after [Config.IdleTimeout]
// without work, so an idle pool owns no goroutine. [Pool.Close] stops the
// parked workers and waits for every worker to exit: the pool is the owner
// of its goroutines.
//
// The pool does not order tasks: callers that need ordering (a socket's
// handlers, a connection's writes) keep their own queue and run at most one
// draining task at a time, exactly as they would with the go statement.
package workpool

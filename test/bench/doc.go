// Package bench measures the join flow at cluster scale against a baseline, in the same run,
// that does what the old EdgeWatcher did: list every Node on every request.
package bench

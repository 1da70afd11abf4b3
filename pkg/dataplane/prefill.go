/*
Copyright The EdgeWatcher Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package dataplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Prefiller is a Dataplane that can load the sets of a first sync while the caller still computes its rules.
type Prefiller interface {
	Dataplane
	// Prefill starts loading candidates, the rules the next Apply is expected to receive (or a superset), into
	// temporary sets in the background. No rule references a temporary set, so no candidate is forwarded. The
	// next Apply corrects them to its own rules and swaps them into place instead of filling the sets itself.
	// Prefill only acts on a Netfilter that has not applied yet, for targets whose sets do not exist, and from
	// the size at which a full Apply overlaps its fill with the chain writes.
	Prefill(ctx context.Context, candidates []forwarding.Rule) error
}

var _ Prefiller = &Netfilter{}

// Prefill implements Prefiller. Candidates may come in any order and name a destination twice. The `ipset
// restore` it starts keeps reading until the next Apply writes the corrections and the swaps, or until Cleanup,
// another Prefill or ctx ends it.
func (n *Netfilter) Prefill(ctx context.Context, candidates []forwarding.Rule) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.prefill.abort()
	n.prefill = nil
	starter, ok := n.runner.(Starter)
	if !ok || n.applied != nil || len(candidates) < n.overlapMinEntries {
		return nil
	}
	live, err := listSets(ctx, n.runner)
	if err != nil {
		return err
	}
	sets := n.groupCandidates(candidates, live)
	if len(sets) == 0 {
		return nil
	}
	if n.prefill, err = startPrefill(ctx, starter, sets); err != nil {
		return err
	}
	return nil
}

// groupCandidates groups the valid candidates of enabled families by target, in input order, leaving out the
// targets whose set exists (Apply changes those as usual). A temporary set left by an interrupted Prefill is
// flushed and filled again.
func (n *Netfilter) groupCandidates(candidates []forwarding.Rule, live map[string]setInfo) map[string]*targetSet {
	// Two passes: count each target's entries, then fill exactly sized slices. Targets are one per cloudcore, so
	// a slice with a last-hit index beats hashing every rule's target.
	var targets []*targetSet
	var counts []int
	which := make([]int32, len(candidates)) // each candidate's index in targets, or -1
	last := -1
	for i, r := range candidates {
		if validateRule(r) != nil || n.tables(r.Family()) == nil {
			which[i] = -1
			continue
		}
		if last < 0 || targets[last].target != r.Target {
			last = slices.IndexFunc(targets, func(ts *targetSet) bool { return ts.target == r.Target })
			if last < 0 {
				last = len(targets)
				targets = append(targets, &targetSet{family: r.Family(), target: r.Target, name: setName(r.Family(), r.Target)})
				counts = append(counts, 0)
			}
		}
		which[i] = int32(last)
		counts[last]++
	}
	for i, ts := range targets {
		ts.entries = make([]netip.AddrPort, 0, counts[i])
	}
	for i, r := range candidates {
		if w := which[i]; w >= 0 {
			targets[w].entries = append(targets[w].entries, r.Destination)
		}
	}
	sets := map[string]*targetSet{}
	for _, ts := range targets {
		if _, exists := live[ts.name]; !exists {
			sets[ts.name] = ts
		}
	}
	return sets
}

// prefillChunk is the size of the pieces of script Prefill writes while it builds the rest.
const prefillChunk = 256 << 10

// prefill is a running `ipset -exist restore` that fills temporary sets and waits for the rest of its script.
type prefill struct {
	// sets are the candidate sets being filled, by the name of the set each temporary one replaces. Their
	// entries are sorted and unique once sorted is closed.
	sets    map[string]*targetSet
	sorted  chan struct{}
	stdin   io.WriteCloser
	written chan error // the result of writing the head of the script
	wait    func() ([]byte, error)
	cancel  context.CancelFunc
	done    bool
}

// startPrefill starts `ipset -exist restore` and, in the background, writes it the script that creates a
// temporary set for each of sets and fills it, piece by piece as it is built, and sorts the entries of sets.
// The restore is started from the calling goroutine's OS thread, so it works in that thread's network namespace.
func startPrefill(ctx context.Context, r Starter, sets map[string]*targetSet) (*prefill, error) {
	ctx, cancel := context.WithCancel(ctx)
	stdin, wait, err := r.StartWriting(ctx, "ipset", "-exist", "restore")
	if err != nil {
		cancel()
		return nil, err
	}
	p := &prefill{sets: sets, sorted: make(chan struct{}), stdin: stdin, written: make(chan error, 1), wait: wait, cancel: cancel}
	chunks := make(chan []byte, 4)
	go func() {
		var err error
		for c := range chunks {
			if err == nil {
				_, err = stdin.Write(c)
			}
		}
		p.written <- err
	}()
	type fill struct { // a copy, in input order: Apply takes sets once sorted, while the script may still be built
		tmp     string
		family  forwarding.Family
		entries []netip.AddrPort
	}
	fills := make([]fill, 0, len(sets))
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		fills = append(fills, fill{tmp: tmpSetName(name), family: sets[name].family, entries: slices.Clone(sets[name].entries)})
	}
	go func() { // sorts sets' entries for Apply's corrections while the script is built and written
		defer close(p.sorted)
		for _, ts := range sets {
			slices.SortFunc(ts.entries, netip.AddrPort.Compare)
			ts.entries = slices.Compact(ts.entries)
		}
	}()
	go func() {
		var script ipsetScript
		for _, f := range fills {
			script.create(f.tmp, f.family, len(f.entries), setMaxElem)
			script.WriteString("flush " + f.tmp + "\n") // a no-op unless an interrupted Prefill left it
			for _, e := range f.entries {
				script.add(f.tmp, e)
				if script.Len() >= prefillChunk {
					chunks <- bytes.Clone(script.Bytes())
					script.Reset()
				}
			}
		}
		chunks <- script.Bytes()
		close(chunks)
	}()
	return p, nil
}

// take returns the prefilled set that can become ts, and forgets it; false when there is none.
func (p *prefill) take(ts targetSet) (targetSet, bool) {
	if p == nil {
		return targetSet{}, false
	}
	<-p.sorted
	pre, ok := p.sets[ts.name]
	if !ok || pre.target != ts.target || pre.family != ts.family {
		return targetSet{}, false
	}
	delete(p.sets, ts.name)
	return *pre, true
}

// tmpSets returns the names of the temporary sets being filled.
func (p *prefill) tmpSets() []string {
	<-p.sorted
	names := make([]string, 0, len(p.sets))
	for name := range p.sets {
		names = append(names, tmpSetName(name))
	}
	return names
}

// finish writes the rest of the script, tail, then destroys the temporary sets that were not taken, ends the
// restore and returns how it ended.
func (p *prefill) finish(tail *ipsetScript) error {
	for _, tmp := range p.tmpSets() {
		tail.WriteString("destroy " + tmp + "\n")
	}
	p.done = true
	defer p.cancel()
	writeErr := <-p.written
	if writeErr == nil {
		_, writeErr = p.stdin.Write(tail.Bytes())
	}
	closeErr := p.stdin.Close()
	if _, err := p.wait(); err != nil {
		return err
	}
	if err := errors.Join(writeErr, closeErr); err != nil {
		return fmt.Errorf("feeding ipset restore: %w", err)
	}
	return nil
}

// abort ends a prefill that was not finished; its temporary sets stay for the next Apply to destroy. A nil or
// finished prefill is left alone.
func (p *prefill) abort() {
	if p == nil || p.done {
		return
	}
	p.done = true
	p.cancel()
	<-p.sorted
	writeErr := <-p.written
	closeErr := p.stdin.Close()
	_, waitErr := p.wait()
	_ = errors.Join(writeErr, closeErr, waitErr) // killed on purpose, so each may fail
}

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

package edgeview

import (
	"k8s.io/apimachinery/pkg/watch"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// change is one observed transition of an EdgeNode, at resource version rv.
type change struct {
	kind watch.EventType
	rv   uint64
	// obj is the object after the change; for Deleted, the last known state.
	obj *kubeedge.EdgeNode
	// prev is the object before a Modified change.
	prev *kubeedge.EdgeNode
}

// history is a fixed-size ring of the most recent changes, oldest first.
type history struct {
	buf   []change
	start int
	len   int
}

func newHistory(size int) *history {
	if size < 1 {
		size = 1
	}
	return &history{buf: make([]change, size)}
}

// add appends c and returns the evicted change, if the ring was full.
func (h *history) add(c change) (evicted change, ok bool) {
	if h.len == len(h.buf) {
		evicted = h.buf[h.start]
		h.buf[h.start] = c
		h.start = (h.start + 1) % len(h.buf)
		return evicted, true
	}
	h.buf[(h.start+h.len)%len(h.buf)] = c
	h.len++
	return change{}, false
}

// since returns the changes with a resource version greater than rv, oldest first.
func (h *history) since(rv uint64) []change {
	var out []change
	for i := 0; i < h.len; i++ {
		c := h.buf[(h.start+i)%len(h.buf)]
		if c.rv > rv {
			out = append(out, c)
		}
	}
	return out
}

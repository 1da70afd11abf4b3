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
	"fmt"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

func TestParseSavedEntries(t *testing.T) {
	const create4 = "create s hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x08f11b93\n"
	const create6 = "create s hash:ip,port family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0xbb7864bc\n"
	for _, tc := range []struct {
		name   string
		family forwarding.Family
		out    string
		want   string // the sorted entries, or "unknown"
	}{
		{name: "empty set", family: forwarding.IPv4, out: create4, want: "[]"},
		{name: "sorted", family: forwarding.IPv4, out: create4 + "add s 10.0.0.2,tcp:10351\nadd s 10.0.0.1,tcp:10352\nadd s 10.0.0.1,tcp:10351\n",
			want: "[10.0.0.1:10351 10.0.0.1:10352 10.0.0.2:10351]"},
		{name: "IPv6", family: forwarding.IPv6, out: create6 + "add s 2001:db8::1,tcp:10351\n", want: "[[2001:db8::1]:10351]"},
		{name: "no trailing newline", family: forwarding.IPv4, out: create4 + "add s 10.0.0.1,tcp:10351", want: "[10.0.0.1:10351]"},
		{name: "UDP", family: forwarding.IPv4, out: create4 + "add s 10.0.0.1,udp:53\n", want: "unknown"},
		{name: "another set's line", family: forwarding.IPv4, out: create4 + "add t 10.0.0.1,tcp:10351\n", want: "unknown"},
		{name: "wrong family", family: forwarding.IPv6, out: create6 + "add s 10.0.0.1,tcp:10351\n", want: "unknown"},
		{name: "port 0", family: forwarding.IPv4, out: create4 + "add s 10.0.0.1,tcp:0\n", want: "unknown"},
		{name: "port out of range", family: forwarding.IPv4, out: create4 + "add s 10.0.0.1,tcp:65536\n", want: "unknown"},
		{name: "zone", family: forwarding.IPv6, out: create6 + "add s fe80::1%eth0,tcp:10351\n", want: "unknown"},
		{name: "an entry option (timeout)", family: forwarding.IPv4, out: create4 + "add s 10.0.0.1,tcp:10351 timeout 5\n", want: "unknown"},
		{name: "an unknown command", family: forwarding.IPv4, out: create4 + "flush s\n", want: "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, ok := parseSavedEntries([]byte(tc.out), "s", tc.family)
			got := "unknown"
			if ok {
				got = fmt.Sprint(entries)
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

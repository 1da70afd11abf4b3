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
	"errors"
	"maps"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

func TestParseSetHeaders(t *testing.T) {
	out := `Name: KUBE-CLUSTER-IP
Type: hash:ip,port
Revision: 7
Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1
Size in memory: 264
References: 1
Number of entries: 3

Name: ewfwd4-1423c6a139e1cfa8
Type: hash:ip,port
Revision: 7
Header: family inet hashsize 1024 maxelem 4194304 bucketsize 12 initval 0x2
Size in memory: 264
References: 1
Number of entries: 2

Name: ewfwd6-1f274130f72515e2-tmp
Type: hash:ip
Revision: 5
Header: family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0x3
Size in memory: 200
References: 0
Number of entries: 0

Name: ewfwd4-negative
Number of entries: -1

Name: ewfwd4-garbled
Number of entries: x
`
	want := map[string]setInfo{
		"ewfwd4-1423c6a139e1cfa8":     {typ: "hash:ip,port", family: "inet", maxElem: 4194304, entries: 2, counted: true},
		"ewfwd6-1f274130f72515e2-tmp": {typ: "hash:ip", family: "inet6", maxElem: 65536, entries: 0, counted: true},
		"ewfwd4-negative":             {}, // no count: Apply rebuilds the set rather than trust it
		"ewfwd4-garbled":              {},
	}
	got := parseSetHeaders(out)
	if !maps.Equal(got, want) {
		t.Errorf("parseSetHeaders:\n got %+v\nwant %+v", got, want)
	}
	if len(parseSetHeaders("")) != 0 {
		t.Error("empty output gave sets")
	}
}

func TestSetInfoMatches(t *testing.T) {
	tests := []struct {
		info setInfo
		fam  forwarding.Family
		want bool
	}{
		{setInfo{typ: "hash:ip,port", family: "inet"}, forwarding.IPv4, true},
		{setInfo{typ: "hash:ip,port", family: "inet6"}, forwarding.IPv6, true},
		{setInfo{typ: "hash:ip,port", family: "inet6"}, forwarding.IPv4, false},
		{setInfo{typ: "hash:ip", family: "inet"}, forwarding.IPv4, false},
	}
	for _, tt := range tests {
		if got := tt.info.matches(targetSet{family: tt.fam}); got != tt.want {
			t.Errorf("%+v.matches(%v) = %v, want %v", tt.info, tt.fam, got, tt.want)
		}
	}
}

func TestIPSetErrors(t *testing.T) {
	inUse := &CommandError{Command: "ipset", Stderr: "ipset v7.17: Set cannot be destroyed: it is in use by a kernel component", Err: errors.New("exit status 1")}
	missing := &CommandError{Command: "ipset", Stderr: "ipset v7.17: The set with the given name does not exist", Err: errors.New("exit status 1")}
	tests := []struct {
		err            error
		inUse, missing bool
	}{
		{inUse, true, false},
		{missing, false, true},
		{errors.New("other"), false, false},
	}
	for _, tt := range tests {
		if isSetInUse(tt.err) != tt.inUse || isSetMissing(tt.err) != tt.missing {
			t.Errorf("%v: in use %v missing %v", tt.err, isSetInUse(tt.err), isSetMissing(tt.err))
		}
	}
}

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

package plugin

import (
	"reflect"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

func TestParseLabels(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    map[string]string
		wantErr string
	}{
		{nil, nil, ""},
		{[]string{"a=1", "b=2,c="}, map[string]string{"a": "1", "b": "2", "c": ""}, ""},
		{[]string{"kubernetes.io/hostname=x", " d = y "}, map[string]string{"kubernetes.io/hostname": "x", "d ": " y"}, ""}, //nolint:gocritic // the spaces around the key are what is tested
		{[]string{"a=1", "a=1"}, map[string]string{"a": "1"}, ""},
		{[]string{"a=1", "a=2"}, nil, `label "a" is given twice, as "1" and "2"`},
		{[]string{"a"}, nil, `invalid label "a": want key=value`},
		{[]string{"=v"}, nil, `invalid label "=v": want key=value`},
	} {
		got, err := parseLabels(tc.in)
		if msg := errText(err); msg != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %v, %q; want %v, %q", tc.in, got, msg, tc.want, tc.wantErr)
		}
	}
}

func TestParseTaints(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    []v1alpha1.EdgeNodeTaint
		wantErr string
	}{
		{nil, nil, ""},
		{[]string{"node-role.kubernetes.io/edge:NoSchedule,k=v:NoExecute", "k=v=w:PreferNoSchedule"}, []v1alpha1.EdgeNodeTaint{
			{Key: "node-role.kubernetes.io/edge", Effect: "NoSchedule"}, {Key: "k", Value: "v", Effect: "NoExecute"}, {Key: "k", Value: "v=w", Effect: "PreferNoSchedule"},
		}, ""},
		{[]string{"k=:NoSchedule"}, []v1alpha1.EdgeNodeTaint{{Key: "k", Effect: "NoSchedule"}}, ""},
		{[]string{"k"}, nil, `invalid taint "k": want key[=value]:Effect`},
		{[]string{":NoSchedule"}, nil, `invalid taint ":NoSchedule": the key is empty`},
		{[]string{"k:noschedule"}, nil, `invalid taint "k:noschedule": the effect must be one of NoSchedule, PreferNoSchedule, NoExecute`},
		{[]string{"k=1:NoSchedule", "k=2:NoSchedule"}, nil, "taint k:NoSchedule is given twice"},
	} {
		got, err := parseTaints(tc.in)
		if msg := errText(err); msg != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %v, %q; want %v, %q", tc.in, got, msg, tc.want, tc.wantErr)
		}
	}
}

func TestTTLSeconds(t *testing.T) {
	for _, tc := range []struct {
		in      time.Duration
		want    int64
		wantErr string
	}{
		{time.Hour, 3600, ""},
		{1500 * time.Millisecond, 2, ""},
		{time.Nanosecond, 1, ""},
		{0, 0, "the token TTL must be positive, got 0s"},
		{-time.Minute, 0, "the token TTL must be positive, got -1m0s"},
	} {
		got, err := ttlSeconds(tc.in)
		if msg := errText(err); msg != tc.wantErr || got != tc.want {
			t.Errorf("%s: got %d, %q; want %d, %q", tc.in, got, msg, tc.want, tc.wantErr)
		}
	}
}

// errText returns err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

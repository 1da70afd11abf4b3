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

package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientfeatures "k8s.io/client-go/features"
	clientfeaturestesting "k8s.io/client-go/features/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/pager"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/generated/clientset/versioned"
	"github.com/edgewatcher/edgewatcher/pkg/generated/informers/externalversions"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// pagingNodes creates n edge Nodes labelled e2e-test=<test> and waits until the view shows them.
func pagingNodes(t *testing.T, ctx context.Context, test string, n int) []string {
	t.Helper()
	var names []string
	for i := range n {
		name := fmt.Sprintf("%s-%02d", test, i*2)
		createNode(t, ctx, nodeSpec{name: name, labels: edgeLabels(test), ip: fmt.Sprintf("198.51.101.%d", i+1), port: 10351, ready: corev1.ConditionTrue})
		names = append(names, name)
	}
	client := versioned.NewForConfigOrDie(cp.RestConfig()).KubeedgeV1alpha1().EdgeNodes()
	framework.Eventually(t, "the view holds the "+test+" nodes", 20*time.Second, framework.Succeeds(func() error {
		l, err := client.List(ctx, metav1.ListOptions{LabelSelector: "e2e-test=" + test})
		if err != nil || len(l.Items) != n {
			return errorf("view holds %v of %d nodes (%v)", l, n, err)
		}
		return nil
	}))
	return names
}

// createNodesMeanwhile creates edge Nodes named <test>-NNa, which sort between the others, until stop is closed.
func createNodesMeanwhile(t *testing.T, ctx context.Context, test string, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			name := fmt.Sprintf("%s-%02da", test, i%40)
			_, err := cp.Client().CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: edgeLabels(test)}}, metav1.CreateOptions{})
			if err == nil {
				t.Cleanup(func() { _ = cp.Client().CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return &wg
}

// TestKubectlChunkedGet runs kubectl get with a small --chunk-size while Nodes are created: every node listed
// once, every node that existed before kubectl started listed, and kubectl really followed continue tokens.
func TestKubectlChunkedGet(t *testing.T) {
	ctx := context.Background()
	before := pagingNodes(t, ctx, "chunks", 30)
	stop := make(chan struct{})
	wg := createNodesMeanwhile(t, ctx, "chunks", stop)
	defer func() { close(stop); wg.Wait() }()
	for run := range 3 {
		out, stderr, err := cp.Kubectl(ctx, "get", "edgenodes", "-l", "e2e-test=chunks", "--chunk-size=4", "-o", "name", "-v=6")
		if err != nil {
			t.Fatalf("kubectl get: %v\n%s", err, stderr)
		}
		if n := strings.Count(stderr, "continue="); n < 7 {
			t.Errorf("run %d: kubectl followed %d continue tokens, want at least 7 for 30 nodes in chunks of 4:\n%s", run, n, stderr)
		}
		seen := map[string]int{}
		for _, line := range strings.Fields(out) {
			seen[strings.TrimPrefix(line, "edgenode.kubeedge.kubesphere.io/")]++
		}
		for name, n := range seen {
			if n != 1 {
				t.Errorf("run %d: %s listed %d times", run, name, n)
			}
		}
		for _, name := range before {
			if seen[name] != 1 {
				t.Errorf("run %d: %s missing", run, name)
			}
		}
	}
}

// rawList GETs edgenodes with query through kube-apiserver, as kubectl get --raw does.
func rawList(t *testing.T, ctx context.Context, query string) v1alpha1.EdgeNodeList {
	t.Helper()
	out := kubectl(t, ctx, "get", "--raw", "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes?"+query)
	var l v1alpha1.EdgeNodeList
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	return l
}

// TestRawPagesAreOneSnapshot follows continue tokens with kubectl get --raw: remainingItemCount counts the rest
// of the snapshot, a node created after the first page is not seen, and the pages together are the list at the
// first page's resourceVersion (resourceVersionMatch=Exact).
func TestRawPagesAreOneSnapshot(t *testing.T) {
	ctx := context.Background()
	pagingNodes(t, ctx, "raw", 5)
	first := rawList(t, ctx, "limit=2")
	if len(first.Items) != 2 || first.Continue == "" || first.RemainingItemCount == nil {
		t.Fatalf("first page: %d items, continue %q, remainingItemCount %v", len(first.Items), first.Continue, first.RemainingItemCount)
	}
	whole := rawList(t, ctx, "resourceVersionMatch=Exact&resourceVersion="+first.ResourceVersion)
	if want := int64(len(whole.Items) - 2); *first.RemainingItemCount != want {
		t.Errorf("remainingItemCount %d, want %d", *first.RemainingItemCount, want)
	}
	createNode(t, ctx, nodeSpec{name: "raw-00a", labels: edgeLabels("raw"), ip: "198.51.101.99", port: 10351, ready: corev1.ConditionTrue})
	createNode(t, ctx, nodeSpec{name: "raw-zz", labels: edgeLabels("raw"), ip: "198.51.101.98", port: 10351, ready: corev1.ConditionTrue})
	names := func(l v1alpha1.EdgeNodeList) (out []string) {
		for _, en := range l.Items {
			out = append(out, en.Name)
		}
		return out
	}
	got := names(first)
	for page := first; page.Continue != ""; {
		page = rawList(t, ctx, "limit=2&continue="+page.Continue)
		if page.ResourceVersion != first.ResourceVersion {
			t.Errorf("page at %s, want %s", page.ResourceVersion, first.ResourceVersion)
		}
		got = append(got, names(page)...)
	}
	if !slices.Equal(got, names(whole)) {
		t.Errorf("pages hold %v,\nwant the exact list %v", got, names(whole))
	}
	if slices.Contains(got, "raw-00a") || slices.Contains(got, "raw-zz") {
		t.Error("a node created after the first page is listed")
	}
}

func TestContinueTokenErrors(t *testing.T) {
	ctx := context.Background()
	_, stderr, err := cp.Kubectl(ctx, "get", "--raw", "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes?limit=2&continue=garbage")
	if err == nil || !strings.Contains(stderr, "BadRequest") || !strings.Contains(stderr, "invalid continue token") {
		t.Errorf("garbage token: err %v, stderr %s; want 400 BadRequest", err, stderr)
	}
	// A well-formed token from a version before the server started: 410 Expired with kube-apiserver's message
	// and a token that continues at the current state.
	old := base64.RawURLEncoding.EncodeToString([]byte(`{"v":"meta.k8s.io/v1","rv":1,"start":"a\u0000"}`))
	_, stderr, err = cp.Kubectl(ctx, "get", "--raw", "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes?limit=2&continue="+old)
	if err == nil || !strings.Contains(stderr, "Expired") || !strings.Contains(stderr, "The provided continue parameter is too old to display a consistent list result") {
		t.Errorf("expired token: err %v, stderr %s; want 410 Expired", err, stderr)
	}
	client := versioned.NewForConfigOrDie(cp.RestConfig()).KubeedgeV1alpha1().EdgeNodes()
	_, err = client.List(ctx, metav1.ListOptions{Limit: 2, Continue: old})
	status, ok := err.(apierrors.APIStatus)
	if !ok || status.Status().Code != http.StatusGone || status.Status().Reason != metav1.StatusReasonExpired || status.Status().Continue == "" {
		t.Fatalf("expired token through client-go: %#v", err)
	}
	if _, err := client.List(ctx, metav1.ListOptions{Limit: 2, Continue: status.Status().Continue}); err != nil {
		t.Errorf("continuing with the token of the 410: %v", err)
	}
}

// TestInformerSyncs runs a client-go informer on edgenodes with watch-list on and off, and a relist through
// client-go's pager with small pages, as a reflector does with WatchListPageSize.
func TestInformerSyncs(t *testing.T) {
	ctx := context.Background()
	want := pagingNodes(t, ctx, "informer", 7)
	for _, watchList := range []bool{true, false} {
		t.Run(fmt.Sprintf("WatchListClient=%v", watchList), func(t *testing.T) {
			clientfeaturestesting.SetFeatureDuringTest(t, clientfeatures.WatchListClient, watchList)
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			factory := externalversions.NewSharedInformerFactoryWithOptions(versioned.NewForConfigOrDie(cp.RestConfig()), 0,
				externalversions.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = "e2e-test=informer" }))
			inf := factory.Kubeedge().V1alpha1().EdgeNodes().Informer()
			factory.Start(ctx.Done())
			if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
				t.Fatal("informer did not sync")
			}
			if got := inf.GetStore().ListKeys(); len(got) != len(want) {
				t.Errorf("informer holds %v, want %v", got, want)
			}
			name := fmt.Sprintf("informer-new-%v", watchList)
			createNode(t, ctx, nodeSpec{name: name, labels: edgeLabels("informer"), ip: "198.51.101.200", port: 10351, ready: corev1.ConditionTrue})
			framework.Eventually(t, "the informer sees "+name, 10*time.Second, framework.Succeeds(func() error {
				if _, ok, _ := inf.GetStore().GetByKey(name); !ok {
					return errorf("%s not in the informer", name)
				}
				return nil
			}))
		})
	}
	client := versioned.NewForConfigOrDie(cp.RestConfig()).KubeedgeV1alpha1().EdgeNodes()
	// The subtests' cleanup deleted their new Nodes; the view shows a deletion once its informer has it.
	framework.Eventually(t, "the view drops the subtests' Nodes", 10*time.Second, framework.Succeeds(func() error {
		l, err := client.List(ctx, metav1.ListOptions{LabelSelector: "e2e-test=informer"})
		if err == nil && len(l.Items) != len(want) {
			err = errorf("%d edgenodes, want %d", len(l.Items), len(want))
		}
		return err
	}))
	pages := 0
	p := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		pages++
		return client.List(ctx, opts)
	})
	p.PageSize = 2
	var got []string
	err := p.EachListItem(ctx, metav1.ListOptions{LabelSelector: "e2e-test=informer"}, func(obj runtime.Object) error {
		got = append(got, obj.(*v1alpha1.EdgeNode).Name)
		return nil
	})
	if err != nil || len(got) != len(want) || pages < 4 {
		t.Errorf("pager: %v in %d pages (%v), want %d nodes in at least 4 pages", got, pages, err, len(want))
	}
}

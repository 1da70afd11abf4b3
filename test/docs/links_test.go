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

// Package docs checks the documentation: every relative link in README.md, the other top-level Markdown files
// and docs/ points at a file of the repository (and, with a #fragment into a Markdown file, at one of its
// headings), and every make target the documentation names exists.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

// markdownFiles returns the checked files, relative to root.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.md", "docs/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, _ := filepath.Rel(root, f)
			files = append(files, rel)
		}
	}
	if len(files) < 2 {
		t.Fatalf("found only %q; the check would pass vacuously", files)
	}
	return files
}

var (
	fence      = regexp.MustCompile("^\\s*(```|~~~)")
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	inlineLink = regexp.MustCompile(`\]\(([^()\s]+)(?:\s+"[^"]*")?\)`)
	heading    = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	makeTarget = regexp.MustCompile(`^make ([a-z][a-z0-9-]*)`)
	scheme     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// doc is a Markdown file split into prose, headings and the code it holds.
type doc struct {
	prose    []string // one entry per line; code spans replaced and lines inside fenced code blocks empty
	headings []string // heading texts, with the backticks of code spans removed
	code     []string // lines of fenced code blocks and the contents of inline code spans
}

func readDoc(t *testing.T, path string) doc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	inFence := false
	for _, l := range strings.Split(string(b), "\n") {
		if fence.MatchString(l) {
			inFence = !inFence
			d.prose = append(d.prose, "")
			continue
		}
		if inFence {
			d.code = append(d.code, strings.TrimSpace(l))
			d.prose = append(d.prose, "")
			continue
		}
		if m := heading.FindStringSubmatch(l); m != nil {
			d.headings = append(d.headings, strings.ReplaceAll(m[2], "`", ""))
		}
		for _, span := range codeSpan.FindAllString(l, -1) {
			d.code = append(d.code, strings.Trim(span, "` "))
		}
		d.prose = append(d.prose, codeSpan.ReplaceAllString(l, "code"))
	}
	return d
}

// anchors returns the fragments GitHub generates for the headings of d: lower case, punctuation other than
// hyphens and underscores dropped, spaces turned into hyphens, and -1, -2... appended to repeats.
func anchors(d doc) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, h := range d.headings {
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out[a+"-"+strconv.Itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// TestRelativeLinks fails for a relative link whose file does not exist, or whose fragment names no heading.
func TestRelativeLinks(t *testing.T) {
	docs := map[string]doc{}
	load := func(path string) doc {
		if d, ok := docs[path]; ok {
			return d
		}
		docs[path] = readDoc(t, path)
		return docs[path]
	}
	links := 0
	for _, file := range markdownFiles(t) {
		for i, l := range load(file).prose {
			for _, m := range inlineLink.FindAllStringSubmatch(l, -1) {
				target := m[1]
				if scheme.MatchString(target) {
					continue
				}
				links++
				where := file + ":" + strconv.Itoa(i+1) + ": link " + target
				path, fragment, _ := strings.Cut(target, "#")
				resolved := file
				if path != "" {
					resolved = filepath.Join(filepath.Dir(file), path)
					if strings.HasPrefix(resolved, "..") {
						t.Errorf("%s: leaves the repository", where)
						continue
					}
					if _, err := os.Stat(filepath.Join(root, resolved)); err != nil {
						t.Errorf("%s: no such file %s", where, resolved)
						continue
					}
				}
				if fragment == "" {
					continue
				}
				if !strings.HasSuffix(resolved, ".md") {
					t.Errorf("%s: a fragment into a file that is not Markdown", where)
					continue
				}
				if !anchors(load(resolved))[fragment] {
					t.Errorf("%s: %s has no heading with anchor #%s", where, resolved, fragment)
				}
			}
		}
	}
	if links == 0 {
		t.Fatal("found no relative links; the check would pass vacuously")
	}
}

// TestMakeTargets fails when the documentation tells readers to run a make target that does not exist.
func TestMakeTargets(t *testing.T) {
	targets := map[string]bool{}
	makefiles, _ := filepath.Glob(filepath.Join(root, "hack/make/*.mk"))
	for _, mf := range append(makefiles, filepath.Join(root, "Makefile")) {
		b, err := os.ReadFile(mf)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if name, _, ok := strings.Cut(l, ":"); ok && regexp.MustCompile(`^[a-z][a-z0-9-]*$`).MatchString(name) {
				targets[name] = true
			}
		}
	}
	for _, want := range []string{"run", "test", "verify", "update-docs"} {
		if !targets[want] {
			t.Fatalf("no target %q found in the Makefile; the parser is broken", want)
		}
	}
	for _, file := range markdownFiles(t) {
		for _, c := range readDoc(t, file).code {
			for _, cmd := range strings.Split(c, "&&") {
				if m := makeTarget.FindStringSubmatch(strings.TrimSpace(cmd)); m != nil && !targets[m[1]] {
					t.Errorf("%s: `%s` names no target of the Makefile", file, strings.TrimSpace(cmd))
				}
			}
		}
	}
}

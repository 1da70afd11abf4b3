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

package dataplanetesting

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// ruleset is the iptables state of one variant and family: its tables by name.
type ruleset struct {
	variant string
	tables  map[string]*table
}

// table is one iptables table: its chains, built-in ones first in their fixed order.
type table struct {
	name     string
	builtins []string
	// user are the user chains, in creation order.
	user []string
	// rules are each chain's rules without their "-A <chain> " prefix, as `iptables -S` prints them.
	rules map[string][]string
}

// builtinChains are the built-in chains of the tables the fake knows.
var builtinChains = map[string][]string{
	"nat":    {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"},
	"filter": {"INPUT", "FORWARD", "OUTPUT"},
	"mangle": {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"},
}

// targets are the targets a rule may jump to without a chain of that name.
var targets = []string{"ACCEPT", "DROP", "RETURN", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "REJECT", "LOG", "MARK"}

// table returns a table, loading it empty on first use as the kernel does.
func (rs *ruleset) table(name string) (*table, error) {
	if t, ok := rs.tables[name]; ok {
		return t, nil
	}
	b, ok := builtinChains[name]
	if !ok {
		return nil, fmt.Errorf("can't initialize iptables table `%s': Table does not exist", name)
	}
	t := &table{name: name, builtins: b, rules: map[string][]string{}}
	rs.tables[name] = t
	return t, nil
}

// references reports whether any rule contains s.
func (rs *ruleset) references(s string) bool {
	for _, t := range rs.tables {
		for _, rules := range t.rules {
			for _, r := range rules {
				if strings.Contains(r+" ", s) {
					return true
				}
			}
		}
	}
	return false
}

// chains returns every chain of t in listing order.
func (t *table) chains() []string { return append(slices.Clone(t.builtins), t.user...) }

// exists reports whether t has a chain.
func (t *table) exists(chain string) bool {
	return slices.Contains(t.builtins, chain) || slices.Contains(t.user, chain)
}

// jumpedTo reports whether a rule of t jumps to chain.
func (t *table) jumpedTo(chain string) bool {
	for _, rules := range t.rules {
		for _, r := range rules {
			if f := strings.Fields(r); slices.Contains(f, "-j") && f[slices.Index(f, "-j")+1] == chain {
				return true
			}
		}
	}
	return false
}

// iptablesCommand is an iptables command name taken apart.
type iptablesCommand struct {
	name    string
	variant string
	family  forwarding.Family
	// tool is "" for iptables itself, "save" or "restore".
	tool string
}

// parseIPTablesCommand recognises iptables, ip6tables-nft-save, iptables-legacy-restore and the like.
func parseIPTablesCommand(name string) (iptablesCommand, bool) {
	c := iptablesCommand{name: name, family: forwarding.IPv4}
	rest, ok := strings.CutPrefix(name, "iptables")
	if !ok {
		if rest, ok = strings.CutPrefix(name, "ip6tables"); !ok {
			return c, false
		}
		c.family = forwarding.IPv6
	}
	for _, v := range []string{variantNFT, variantLegacy} {
		if r, ok := strings.CutPrefix(rest, "-"+v); ok {
			c.variant, rest = v, r
		}
	}
	switch rest {
	case "":
	case "-save", "-restore":
		c.tool = rest[1:]
	default:
		return c, false
	}
	return c, true
}

// ruleset returns the state a command works on; k.mu is held.
func (k *FakeKernel) ruleset(c iptablesCommand) *ruleset {
	v := c.variant
	if v == "" {
		v = k.system
	}
	key := v + " " + familyName(c.family)
	rs, ok := k.rulesets[key]
	if !ok {
		rs = &ruleset{variant: v, tables: map[string]*table{}}
		k.rulesets[key] = rs
	}
	return rs
}

// iptablesCommand runs an iptables, -save or -restore command; k.mu is held.
func (k *FakeKernel) iptablesCommand(c iptablesCommand, args []string, stdin []byte) ([]byte, error) {
	rs := k.ruleset(c)
	if slices.Equal(args, []string{"--version"}) {
		mode := map[string]string{variantNFT: "nf_tables", variantLegacy: "legacy"}[rs.variant]
		return []byte(strings.TrimSuffix(strings.TrimSuffix(c.name, "-"+rs.variant), "-"+c.tool) + " v1.8.9 (" + mode + ")\n"), nil
	}
	switch c.tool {
	case "save":
		return k.save(rs, c, args)
	case "restore":
		return nil, k.restore(rs, c, args, stdin)
	}
	out, err := k.iptables(rs, args)
	if err != nil {
		return nil, &IPTablesError{Command: c.name, Args: args, Status: err.status, Message: err.msg, NotExist: err.notExist}
	}
	return out, nil
}

// save prints tables as iptables-save does: one table with -t, else every table loaded.
func (k *FakeKernel) save(rs *ruleset, c iptablesCommand, args []string) ([]byte, error) {
	names := slices.Sorted(maps.Keys(rs.tables))
	switch {
	case len(args) == 2 && args[0] == "-t":
		if _, err := rs.table(args[1]); err != nil {
			return nil, commandError(c.name, args, 1, err.Error())
		}
		names = args[1:]
	case len(args) != 0:
		return nil, commandError(c.name, args, 2, "unknown arguments")
	}
	var b strings.Builder
	for _, name := range names {
		t := rs.tables[name]
		fmt.Fprintf(&b, "# Generated by %s v1.8.9\n*%s\n", c.name, name)
		for _, ch := range t.builtins {
			fmt.Fprintf(&b, ":%s ACCEPT [0:0]\n", ch)
		}
		for _, ch := range t.user {
			fmt.Fprintf(&b, ":%s - [0:0]\n", ch)
		}
		for _, ch := range t.chains() {
			for _, r := range t.rules[ch] {
				fmt.Fprintf(&b, "-A %s %s\n", ch, r)
			}
		}
		b.WriteString("COMMIT\n# Completed\n")
	}
	return []byte(b.String()), nil
}

// restore applies an iptables-restore script as one transaction per table: [--noflush] [--wait N].
func (k *FakeKernel) restore(rs *ruleset, c iptablesCommand, args []string, stdin []byte) error {
	noflush := false
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--noflush", "-n":
			noflush = true
		case "--wait", "-w":
			i++
		default:
			return commandError(c.name, args, 2, "unknown option "+args[i])
		}
	}
	var t *table // a copy of the table being restored, committed at COMMIT
	for n, line := range strings.Split(string(stdin), "\n") {
		fail := func(msg string) error {
			return commandError(c.name, args, 1, fmt.Sprintf("%s: line %d failed: %s", c.name, n+1, msg))
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "*"):
			live, err := rs.table(line[1:])
			if err != nil {
				return fail(err.Error())
			}
			t = live.clone()
			if !noflush {
				t.user, t.rules = nil, map[string][]string{}
			}
		case t == nil:
			return fail("no table")
		case line == "COMMIT":
			rs.tables[t.name] = t
			t = nil
		case strings.HasPrefix(line, ":"):
			f := strings.Fields(line[1:])
			if len(f) == 0 {
				return fail("bad chain line")
			}
			if !slices.Contains(t.builtins, f[0]) {
				if !t.exists(f[0]) {
					t.user = append(t.user, f[0])
				}
				t.rules[f[0]] = nil
			}
		default:
			if err := k.edit(t, strings.Fields(line)); err != nil {
				return fail(err.msg)
			}
		}
	}
	if t != nil {
		return commandError(c.name, args, 1, c.name+": COMMIT expected")
	}
	return nil
}

// clone copies a table.
func (t *table) clone() *table {
	c := &table{name: t.name, builtins: t.builtins, user: slices.Clone(t.user), rules: map[string][]string{}}
	for ch, r := range t.rules {
		c.rules[ch] = slices.Clone(r)
	}
	return c
}

// cliError is a failed iptables command.
type cliError struct {
	status   int
	msg      string
	notExist bool
}

// iptables runs `iptables [-w [N]] [-t table] <command> <chain> [rule]`.
func (k *FakeKernel) iptables(rs *ruleset, args []string) ([]byte, *cliError) {
	tableName := "filter"
	for len(args) > 0 {
		switch args[0] {
		case "-w", "--wait":
			args = args[1:]
			if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
				args = args[1:]
			}
			continue
		case "-t":
			if len(args) < 2 {
				return nil, &cliError{status: 2, msg: "-t needs a table"}
			}
			tableName, args = args[1], args[2:]
			continue
		}
		break
	}
	t, err := rs.table(tableName)
	if err != nil {
		return nil, &cliError{status: 3, msg: err.Error()}
	}
	if len(args) == 2 && args[0] == "-S" {
		return k.list(rs, t, args[1])
	}
	if cerr := k.edit(t, args); cerr != nil {
		return nil, cerr
	}
	return nil, nil
}

// list prints a chain as `iptables -S chain` does.
func (k *FakeKernel) list(rs *ruleset, t *table, chain string) ([]byte, *cliError) {
	var b strings.Builder
	switch {
	case slices.Contains(t.builtins, chain):
		b.WriteString("-P " + chain + " ACCEPT\n")
	case t.exists(chain):
		b.WriteString("-N " + chain + "\n")
	default:
		return nil, missingChain(rs, t, chain)
	}
	for _, r := range t.rules[chain] {
		b.WriteString("-A " + chain + " " + r + "\n")
	}
	return []byte(b.String()), nil
}

// missingChain is the error each variant prints for a chain that does not exist.
func missingChain(rs *ruleset, t *table, chain string) *cliError {
	if rs.variant == variantNFT {
		return &cliError{status: 1, msg: fmt.Sprintf("iptables v1.8.9 (nf_tables): chain `%s' in table `%s' is incompatible, use 'nft' tool.", chain, t.name)}
	}
	return &cliError{status: 1, msg: "iptables: No chain/target/match by that name.", notExist: true}
}

// edit applies one of -A, -I [position], -D, -N, -F or -X with a chain and, for rules, their specification
// as `iptables -S` prints it; k.mu is held.
func (k *FakeKernel) edit(t *table, args []string) *cliError {
	if len(args) < 2 {
		return &cliError{status: 2, msg: "a command and a chain are required"}
	}
	op, chain := args[0], args[1]
	pos := 1
	if op == "-I" && len(args) > 2 {
		if n, err := strconv.Atoi(args[2]); err == nil {
			pos, args = n, slices.Delete(slices.Clone(args), 2, 3)
		}
	}
	spec := strings.Join(args[2:], " ")
	if op != "-N" && !t.exists(chain) {
		return &cliError{status: 1, msg: "iptables: No chain/target/match by that name.", notExist: true}
	}
	switch op {
	case "-A", "-I":
		if err := k.validRule(t, args[2:]); err != nil {
			return err
		}
		switch {
		case op == "-A":
			t.rules[chain] = append(t.rules[chain], spec)
		case pos >= 1 && pos <= len(t.rules[chain])+1:
			t.rules[chain] = slices.Insert(t.rules[chain], pos-1, spec)
		default:
			return &cliError{status: 1, msg: "iptables: Index of insertion too big."}
		}
	case "-D":
		i := slices.Index(t.rules[chain], spec)
		if i < 0 {
			return &cliError{status: 1, msg: "iptables: Bad rule (does a matching rule exist in that chain?).", notExist: true}
		}
		t.rules[chain] = slices.Delete(t.rules[chain], i, i+1)
	case "-N":
		if t.exists(chain) {
			return &cliError{status: 1, msg: "iptables: Chain already exists."}
		}
		t.user = append(t.user, chain)
	case "-F":
		t.rules[chain] = nil
	case "-X":
		switch {
		case slices.Contains(t.builtins, chain):
			return &cliError{status: 2, msg: "iptables: Can't delete built-in chain."}
		case t.jumpedTo(chain):
			return &cliError{status: 1, msg: "iptables: Too many links."}
		case len(t.rules[chain]) > 0:
			return &cliError{status: 1, msg: "iptables: Directory not empty."}
		}
		t.user = slices.DeleteFunc(t.user, func(c string) bool { return c == chain })
		delete(t.rules, chain)
	default:
		return &cliError{status: 2, msg: "the fake kernel does not know " + op}
	}
	return nil
}

// validRule checks that the sets and chain a rule names exist.
func (k *FakeKernel) validRule(t *table, spec []string) *cliError {
	for i := 0; i+1 < len(spec); i++ {
		switch spec[i] {
		case "--match-set":
			if _, ok := k.sets[spec[i+1]]; !ok {
				return &cliError{status: 2, msg: "Set " + spec[i+1] + " doesn't exist."}
			}
		case "-j":
			if !slices.Contains(targets, spec[i+1]) && !t.exists(spec[i+1]) {
				return &cliError{status: 2, msg: "Couldn't load target `" + spec[i+1] + "':No such file or directory", notExist: true}
			}
		}
	}
	return nil
}

// IPTablesError is a failed iptables command of the fake, with the methods of go-iptables' *iptables.Error
// that dataplane.IPTables promises.
type IPTablesError struct {
	// Command and Args are the command that failed.
	Command string
	Args    []string
	// Status is its exit status.
	Status int
	// Message is what it printed on standard error.
	Message string
	// NotExist is true when go-iptables would classify Message as a missing chain or rule.
	NotExist bool
}

// Error implements error.
func (e *IPTablesError) Error() string {
	return fmt.Sprintf("running %s %s: exit status %d: %s", e.Command, strings.Join(e.Args, " "), e.Status, e.Message)
}

// IsNotExist reports whether the chain or rule the command named does not exist.
func (e *IPTablesError) IsNotExist() bool { return e.NotExist }

// ExitStatus returns the command's exit status.
func (e *IPTablesError) ExitStatus() int { return e.Status }

// NewIPTables implements dataplane.Config.NewIPTables: the client runs command against this kernel.
func (k *FakeKernel) NewIPTables(_ forwarding.Family, command string) (dataplane.IPTables, error) {
	c, ok := parseIPTablesCommand(command)
	if !ok || c.tool != "" {
		return nil, fmt.Errorf("the fake kernel has no command %s", command)
	}
	return &fakeIPTables{k: k, cmd: c}, nil
}

// fakeIPTables is a go-iptables client of one command of a FakeKernel.
type fakeIPTables struct {
	k   *FakeKernel
	cmd iptablesCommand
}

var _ dataplane.IPTables = &fakeIPTables{}

// run runs the command with args, as go-iptables does, with its -t and --wait.
func (f *fakeIPTables) run(table string, args ...string) ([]byte, error) {
	argv := append([]string{"-t", table}, args...)
	argv = append(argv, "--wait")
	f.k.mu.Lock()
	defer f.k.mu.Unlock()
	if err := f.k.begin(f.cmd.name, argv); err != nil {
		return nil, &IPTablesError{Command: f.cmd.name, Args: argv, Status: 4, Message: err.Error()}
	}
	out, err := f.k.iptables(f.k.ruleset(f.cmd), argv[:len(argv)-1])
	if err != nil {
		return nil, &IPTablesError{Command: f.cmd.name, Args: argv, Status: err.status, Message: err.msg, NotExist: err.notExist}
	}
	return out, nil
}

// List implements dataplane.IPTables.
func (f *fakeIPTables) List(table, chain string) ([]string, error) {
	out, err := f.run(table, "-S", chain)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"), nil
}

// Insert implements dataplane.IPTables.
func (f *fakeIPTables) Insert(table, chain string, pos int, rulespec ...string) error {
	_, err := f.run(table, append([]string{"-I", chain, fmt.Sprint(pos)}, rulespec...)...)
	return err
}

// Delete implements dataplane.IPTables.
func (f *fakeIPTables) Delete(table, chain string, rulespec ...string) error {
	_, err := f.run(table, append([]string{"-D", chain}, rulespec...)...)
	return err
}

// ClearAndDeleteChain implements dataplane.IPTables.
func (f *fakeIPTables) ClearAndDeleteChain(table, chain string) error {
	f.k.mu.Lock()
	t, err := f.k.ruleset(f.cmd).table(table)
	exists := err == nil && t.exists(chain)
	f.k.mu.Unlock()
	if !exists {
		return nil
	}
	if _, err := f.run(table, "-F", chain); err != nil {
		return err
	}
	_, err = f.run(table, "-X", chain)
	return err
}

package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzLoad: Load never panics; every refusal is made of *Error values naming
// the file; whatever is accepted resolves to a configuration the engine
// accepts, and prints and reloads to the same filled scenario.
func FuzzLoad(f *testing.F) {
	for _, n := range Names() {
		data, _ := Get(n)
		f.Add(data)
		lines := strings.Split(string(data), "\n")
		// Broken variants: truncated, a line dropped, a key misspelt, a
		// value of the wrong type.
		f.Add(data[:len(data)/2])
		if len(lines) > 25 {
			f.Add([]byte(strings.Join(append(lines[:24:24], lines[25:]...), "\n")))
		}
		f.Add([]byte(strings.Replace(string(data), "growth", "grwoth", 1)))
		f.Add([]byte(strings.Replace(string(data), "2000", "high", 1)))
		f.Add([]byte(strings.Replace(string(data), "phases:", "phases: 3\n  x:", 1)))
		f.Add([]byte(strings.Replace(string(data), "until: progression", "until: {after: 0}", 1)))
		f.Add([]byte(strings.Replace(string(data), "next:", "next: 9, x:", 1)))
	}
	for _, s := range []string{
		"", "~", "[]", "{}", "a: &x [*x]", "growth: {<<: *g}", "g: &g {birth: 1}\n",
		"drugs: [&d {name: a, target: off-axis, emax: 1, ec50: 1}, {<<: [*d, *d], name: b}]",
		"mutation: {catalog: [{name: R, class: ta-loss, ec50_fold: {rezatapopt: .inf}}]}",
		"treatment: {phases: [{interval: 1e400}]}", "seed: 99999999999999999999999",
		"treatment: {exposure: pk, segment: 0.5, phases: [{name: a, doses: {rezatapopt: 2000}, cycle: {on: 21, off: 7}, until: {after: 30}, next: a}]}",
		"treatment: {phases: [{until: {ctdna: {class: pocket, vaf: 0.01}}, next: \"0\"}, {until: progression, next: stop}]}",
		"treatment: {phases: [{until: {burden_below: 0.5}, next: 1}, {until: {burden_above: 1}, next: 0}]}",
		"treatment: {phases: [{until: never}, {until: {}}, {until: [a]}, {until: after}]}",
		"observe: {ctdna: {every: off, depth: 1e9, min_alt: 1e9, lod: 0, record_min_vaf: 1}}",
		"drugs: [{name: rezatapopt, pk: {ka: 1, half_life: 1, scale: 2}}]",
		"? [a]\n: 1\n", "name: !!str 12\n", "description: |\n  text\n  more\n",
		"founder: {cells: -0}", "founder: {cells: 9.3e18}", "replicates: 0x10",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("fuzz.yaml", data)
		if err != nil {
			errs := Errors(err)
			if len(errs) == 0 {
				t.Fatalf("error is not *Error: %v", err)
			}
			for _, e := range errs {
				if e.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("bad error %+v", e)
				}
			}
			return
		}
		filled, err := Fill(s)
		if err != nil {
			t.Fatalf("loaded but Fill fails: %v", err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatalf("loaded but Resolve fails: %v", err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("loaded but the engine refuses: %v", err)
		}
		out, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Load("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("printed scenario does not load: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, filled) {
			t.Fatalf("round trip differs:\n%s", out)
		}
	})
}

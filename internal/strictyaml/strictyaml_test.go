package strictyaml

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
)

type inner struct {
	Count int     `yaml:"count"`
	Rate  float64 `yaml:"rate"`
}

type word string

type doc struct {
	Name  string          `yaml:"name"`
	Inner *inner          `yaml:"inner"`
	List  []inner         `yaml:"list"`
	Word  word            `yaml:"word"`
	Raw   Flow            `yaml:"raw"`
	Doses map[string]bool `yaml:"doses"`
}

// hookWord accepts only yes-word and no-word.
func hookWord(d *Decoder, n ast.Node, v reflect.Value, path string) bool {
	if s, ok := n.(*ast.StringNode); ok && (s.Value == "yes-word" || s.Value == "no-word") {
		v.SetString(s.Value)
	} else {
		d.Fail(n, path, "expected yes-word or no-word, got %s", Describe(n))
	}
	return true
}

var testConfig = &Config{Kind: "a test file", Hooks: map[reflect.Type]Hook{reflect.TypeFor[word](): hookWord}}

func decodeDoc(t *testing.T, text string) (*doc, error) {
	t.Helper()
	d := New("t.yaml", []byte(text), testConfig)
	body, err := d.Parse()
	if err != nil {
		return nil, err
	}
	var out doc
	d.Decode(body, reflect.ValueOf(&out).Elem(), "", true)
	return &out, Join(d.Errs())
}

func TestDecodeAcceptsAliasesMergeKeysAndHooks(t *testing.T) {
	out, err := decodeDoc(t, "name: a\ninner: &i {count: 1e3, rate: 0.5}\nlist: [*i, {<<: *i, rate: 2}]\nword: yes-word\nraw: {a: &x [1, 'two'], b: *x}\n")
	if err != nil {
		t.Fatal(err)
	}
	want := doc{Name: "a", Inner: &inner{1000, 0.5}, List: []inner{{1000, 0.5}, {1000, 2}}, Word: "yes-word", Raw: `{a: [1, "two"], b: [1, "two"]}`}
	if !reflect.DeepEqual(*out, want) {
		t.Errorf("got %+v, want %+v", *out, want)
	}
}

func TestDecodeReportsEveryProblem(t *testing.T) {
	_, err := decodeDoc(t, "name: a\ninner: {count: 1.5, rat: 1}\nword: maybe\nlist: [{count: x}]\ndoses: {a: 3}\n")
	if err == nil {
		t.Fatal("accepted")
	}
	want := []string{
		"t.yaml:2:16: inner.count: expected a whole number, got 1.5",
		`t.yaml:2:21: inner.rat: unknown key "rat"; allowed here: count, rate; did you mean "rate"?`,
		"t.yaml:3:7: word: expected yes-word or no-word, got string \"maybe\"",
		"t.yaml:4:16: list[0].count: expected a whole number, got string \"x\"",
		"t.yaml:5:12: doses.a: expected true or false, got 3",
	}
	es := Errors(err)
	if len(es) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(es), len(want), err)
	}
	for i, w := range want {
		if es[i].Header() != w {
			t.Errorf("error %d:\n got %s\nwant %s", i, es[i].Header(), w)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"duplicate key", "name: a\nname: b\n", `t.yaml:2:1: YAML syntax: mapping key "name" already defined`},
		{"deep nesting", "raw: " + strings.Repeat("[", 65) + strings.Repeat("]", 65), "t.yaml:1:70: [ and { nest more than 64 deep"},
		{"two documents", "name: a\n---\nname: b\n", "t.yaml:3:1: a test file holds one YAML document"},
		{"not UTF-8", "name: \xff\n", "t.yaml:1:7: the file is not valid UTF-8 text"},
		{"too large", strings.Repeat("#", MaxFileSize+1), "a test file may have at most"},
	}
	for _, c := range cases {
		_, err := decodeDoc(t, c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want %q, got %v", c.name, c.want, err)
		}
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// Each level doubles the nodes: 2^20 leaves, above MaxNodes.
	var b strings.Builder
	b.WriteString("a0: &a0 [1, 1]\n")
	for i := 1; i <= 20; i++ {
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [*a" + strconv.Itoa(i-1) + ", *a" + strconv.Itoa(i-1) + "]\n")
	}
	b.WriteString("raw: *a20\n")
	d := New("t.yaml", []byte(b.String()), testConfig)
	body, err := d.Parse()
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Raw Flow `yaml:"raw"`
	}
	ps, _ := d.Pairs(body, "")
	d.Decode(ps[len(ps)-1].Value, reflect.ValueOf(&v.Raw).Elem(), "raw", true)
	if err := Join(d.Errs()); err == nil || !strings.Contains(err.Error(), "expands too many aliases") {
		t.Errorf("want the node budget to stop the expansion, got %v", err)
	}
}

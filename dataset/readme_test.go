package dataset

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the column tables of ../README.md from the schema")

// columnsMarkdown is the README's table of a table's columns, from the
// schema: name, Arrow type, unit and meaning. The trajectories table is shown
// with the default model's drugs.
func columnsMarkdown(table string) string {
	s := Schema(table)
	if table == TableTrajectories {
		var drugs []string
		for _, d := range model.Default().Drugs {
			drugs = append(drugs, d.Name)
		}
		s = TrajectoriesSchema(drugs)
	}
	var b strings.Builder
	b.WriteString("| column | type | unit | meaning |\n|---|---|---|---|\n")
	for _, f := range s.Fields() {
		u, _ := f.Metadata.GetValue(MetaKeyUnit)
		d, _ := f.Metadata.GetValue(MetaKeyDescription)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, f.Type, u, d)
	}
	return b.String()
}

// The README's column tables are generated from the schema, between the
// markers <!-- columns:TABLE --> and <!-- /columns:TABLE -->, one pair for
// every table; `go test ./dataset -run TestREADMEColumns -update-readme`
// rewrites them.
func TestREADMEColumns(t *testing.T) {
	const path = "../README.md"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := src
	for _, table := range Tables {
		re := regexp.MustCompile(`(?s)(<!-- columns:` + table + ` -->\n).*?(<!-- /columns:` + table + ` -->)`)
		if n := len(re.FindAllIndex(out, -1)); n != 1 {
			t.Errorf("README: %d column blocks for table %s, want 1", n, table)
			continue
		}
		out = re.ReplaceAllFunc(out, func(m []byte) []byte {
			sub := re.FindSubmatch(m)
			return append(append(append([]byte{}, sub[1]...), columnsMarkdown(table)...), sub[2]...)
		})
	}
	if bytes.Equal(out, src) {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("README's column tables differ from the schema: go test ./dataset -run TestREADMEColumns -update-readme")
}

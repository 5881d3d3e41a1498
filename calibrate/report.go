package calibrate

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteText prints the comparison as a table: target, band, value, the
// count it rests on, pass; then a one-line verdict.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "virtual trial cohort: %d patients per arm (%s)", r.Patients, strings.Join(r.Arms, ", "))
	if len(r.Set) > 0 {
		fmt.Fprintf(w, ", --set %s", strings.Join(r.Set, " --set "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tband\tvalue\tn\tpass\twhat")
	for _, row := range r.Rows {
		v := "-"
		if !math.IsNaN(row.Value) {
			v = fmt.Sprintf(row.format, row.Value)
		}
		verdict := "ok"
		if !row.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", row.Target.Name, row.Target.Band(), v, row.N, verdict, row.What)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d of %d targets met\n", len(r.Rows)-r.Failed(), len(r.Rows))
	return err
}

// WriteJSON prints the report as one JSON object (a value that cannot be
// computed, such as the median of no responders, is null).
func (r *Report) WriteJSON(w io.Writer) error {
	type row struct {
		Name   string   `json:"name"`
		Min    *float64 `json:"min"`
		Max    *float64 `json:"max"`
		Value  *float64 `json:"value"`
		N      int      `json:"n"`
		Pass   bool     `json:"pass"`
		What   string   `json:"what"`
		Source string   `json:"source"`
	}
	out := struct {
		Patients int      `json:"patients_per_arm"`
		Arms     []string `json:"arms"`
		Set      []string `json:"set,omitempty"`
		Rows     []row    `json:"targets"`
		Passed   int      `json:"passed"`
		Failed   int      `json:"failed"`
	}{Patients: r.Patients, Arms: r.Arms, Set: r.Set, Passed: len(r.Rows) - r.Failed(), Failed: r.Failed()}
	for _, x := range r.Rows {
		var v *float64
		if !math.IsNaN(x.Value) && !math.IsInf(x.Value, 0) {
			v = &x.Value
		}
		out.Rows = append(out.Rows, row{x.Target.Name, x.Target.Min, x.Target.Max, v, x.N, x.Pass, x.What, x.Target.Source})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

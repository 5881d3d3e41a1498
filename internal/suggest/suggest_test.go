package suggest

import "testing"

func TestClosest(t *testing.T) {
	opts := []string{"run", "scenarios", "validate", "export", "sweep", "analyze", "plot", "version"}
	for _, c := range []struct{ in, want string }{
		{"frobnicate", ""}, {"analyse", "analyze"}, {"analy", "analyze"}, {"swep", "sweep"},
		{"RUN", "run"}, {"exprot", "export"}, {"x", ""}, {"", ""}, {"parket", ""},
	} {
		if got := Closest(c.in, opts); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Hint("parket", []string{"arrow", "parquet"}); got != " (did you mean parquet?)" {
		t.Errorf("Hint = %q", got)
	}
	if Distance("kitten", "sitting") != 3 {
		t.Error("Distance")
	}
}

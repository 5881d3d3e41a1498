package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/p53evo/p53evo/sim"
)

// TestFormats writes the same results in every format and codec: the rows
// read back are the same, the manifest says how the files were written,
// and the exports are identical.
func TestFormats(t *testing.T) {
	rs := manyResults(300)
	var exports []string
	for _, f := range Formats {
		for _, c := range Compressions {
			t.Run(string(f)+"-"+string(c), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				dir := filepath.Join(t.TempDir(), "run")
				writeAll(t, dir, rs, WithFormat(f), WithCompression(c), WithBatchRows(64), WithAllocator(mem))
				d, err := Open(dir, WithAllocator(mem))
				if err != nil {
					t.Fatal(err)
				}
				checkAll(t, d, rs)
				m := d.Manifest()
				if m.Format != f || m.Compression != c {
					t.Errorf("manifest: format %q compression %q", m.Format, m.Compression)
				}
				for _, fi := range m.Files {
					if fi.Path != fi.Table+f.Ext() {
						t.Errorf("file %s for table %s", fi.Path, fi.Table)
					}
				}
				for _, table := range Tables {
					tbl, err := d.Table(table)
					if err != nil {
						t.Fatal(err)
					}
					if !tbl.Schema().Equal(d.Schema(table)) || !tbl.Schema().Metadata().Equal(d.Schema(table).Metadata()) {
						t.Errorf("%s: schema read back\n%s\nwant\n%s", table, tbl.Schema(), d.Schema(table))
					}
					for i, fd := range tbl.Schema().Fields() {
						if !fd.Metadata.Equal(d.Schema(table).Field(i).Metadata) {
							t.Errorf("%s.%s: field metadata %v", table, fd.Name, fd.Metadata)
						}
					}
					tbl.Release()
				}
				var out bytes.Buffer
				for _, table := range Tables {
					if err := d.Export(table, FormatCSV, &out); err != nil {
						t.Fatal(err)
					}
				}
				exports = append(exports, out.String())
			})
		}
	}
	for i := 1; i < len(exports); i++ {
		if exports[i] != exports[0] {
			t.Errorf("export %d differs from export 0", i)
		}
	}
}

// TestParquetFile checks the Parquet files with arrow-go's own reader: row
// groups per batch, the codec, unsigned and nullable columns, and the
// table's metadata keys.
func TestParquetFile(t *testing.T) {
	dir := t.TempDir()
	writeAll(t, dir, manyResults(100), WithFormat(Parquet), WithCompression(LZ4), WithBatchRows(16))
	f, err := os.Open(filepath.Join(dir, "runs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	md := r.MetaData()
	if r.NumRowGroups() < 5 || md.NumRows != 100 {
		t.Errorf("%d row groups, %d rows", r.NumRowGroups(), md.NumRows)
	}
	sc := md.Schema
	stream := sc.Column(runStream)
	if stream.Name() != "stream" || stream.LogicalType().String() != "Int(bitWidth=64, isSigned=false)" {
		t.Errorf("stream column: %s %s", stream.Name(), stream.LogicalType())
	}
	if sc.Column(runTTP).MaxDefinitionLevel() != 1 || sc.Column(runReplicate).MaxDefinitionLevel() != 0 {
		t.Errorf("nullability: ttp %d, replicate %d", sc.Column(runTTP).MaxDefinitionLevel(), sc.Column(runReplicate).MaxDefinitionLevel())
	}
	cc, err := r.RowGroup(0).MetaData().ColumnChunk(0)
	if err != nil {
		t.Fatal(err)
	}
	if got := cc.Compression().String(); got != "LZ4_RAW" {
		t.Errorf("codec %s, want LZ4_RAW", got)
	}
	kv := md.KeyValueMetadata()
	if v := kv.FindValue(MetaKeyTable); v == nil || *v != TableRuns {
		t.Errorf("%s = %v", MetaKeyTable, v)
	}
	if kv.FindValue(arrowSchemaKey) == nil {
		t.Errorf("no %s", arrowSchemaKey)
	}
}

// TestParquetDeterministic: the same results give the same Parquet bytes.
func TestParquetDeterministic(t *testing.T) {
	rs := manyResults(500)
	a, b := t.TempDir(), t.TempDir()
	writeAll(t, a, rs, WithFormat(Parquet))
	writeAll(t, b, rs, WithFormat(Parquet), WithBatchRows(DefaultBatchRows))
	da := mustOpen(t, a)
	db := mustOpen(t, b)
	if !reflect.DeepEqual(da.Manifest().Files, db.Manifest().Files) {
		t.Errorf("file hashes differ:\n%v\n%v", da.Manifest().Files, db.Manifest().Files)
	}
}

func TestParseFormat(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"parquet", ""}, {"arrow", ""},
		{"parket", `dataset: unknown table format "parket": allowed arrow, parquet (did you mean parquet?)`},
		{"csv", `dataset: unknown table format "csv": allowed arrow, parquet`},
	} {
		_, err := ParseFormat(c.in)
		if got := errString(err); got != c.want {
			t.Errorf("ParseFormat(%q): %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"zstd", ""}, {"lz4", ""}, {"none", ""},
		{"zstandard", `dataset: unknown compression "zstandard": allowed zstd, lz4, none`},
		{"lz5", `dataset: unknown compression "lz5": allowed zstd, lz4, none (did you mean lz4?)`},
		{"", `dataset: unknown compression "": allowed zstd, lz4, none`},
	} {
		_, err := ParseCompression(c.in)
		if got := errString(err); got != c.want {
			t.Errorf("ParseCompression(%q): %q, want %q", c.in, got, c.want)
		}
	}
	if _, err := Create(t.TempDir(), testMeta, WithFormat("feather")); err == nil || !strings.Contains(err.Error(), "allowed arrow, parquet") {
		t.Errorf("Create with an unknown format: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestExportParts: a table of two datasets with extra columns, as text and
// as table files that read back with the extra columns in front.
func TestExportParts(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	rs := handResults()
	writeAll(t, a, rs)
	writeAll(t, b, rs[:2], WithFormat(Parquet))
	da := mustOpen(t, a)
	db := mustOpen(t, b)
	parts := []Part{
		{D: da, Extra: []Extra{{Name: "point", Value: "p000000000001"}, {Name: "growth.death", Value: 0.13}}},
		{D: db, Extra: []Extra{{Name: "point", Value: "p00000000000a"}, {Name: "growth.death", Value: 0.125}}},
	}
	var csvOut bytes.Buffer
	if err := ExportParts(&csvOut, TableRuns, FormatCSV, Zstd, parts); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(csvOut.String(), "\n"), "\n")
	if len(lines) != 1+4+2 || !strings.HasPrefix(lines[0], "point,growth.death,replicate,stream,") {
		t.Fatalf("CSV:\n%s", csvOut.String())
	}
	// uint64 quoted; the rest as encoding/csv would write it
	if want := `p000000000001,0.13,0,"18446744073709551615",3,progressed,`; !strings.HasPrefix(lines[1], want) {
		t.Errorf("line 1 %q, want prefix %q", lines[1], want)
	}
	if want := `p00000000000a,0.125,1,"42",1,cured,`; !strings.HasPrefix(lines[6], want) {
		t.Errorf("line 6 %q, want prefix %q", lines[6], want)
	}
	var jsonOut bytes.Buffer
	if err := ExportParts(&jsonOut, TableGenotypes, FormatJSON, Zstd, parts); err != nil {
		t.Fatal(err)
	}
	if want := `{"point":"p000000000001","growth.death":0.13,"replicate":0,"genotype":"Y220C","class":"sensitive","cells":1000000}`; !strings.HasPrefix(jsonOut.String(), want+"\n") {
		t.Errorf("JSON:\n%s\nwant first line %s", jsonOut.String(), want)
	}
	for _, f := range []string{FormatParquet, FormatArrow} {
		path := filepath.Join(t.TempDir(), "runs."+f)
		var out bytes.Buffer
		if err := ExportParts(&out, TableRuns, f, Uncompressed, parts); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		runs, err := ReadRunsFiles(path)
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, "runs ("+f+")", runs, wantRuns(append(append([]sim.Result{}, rs...), rs[:2]...)))
		tbl, err := ReadTable(memory.DefaultAllocator, TableRuns, path)
		if err != nil {
			t.Fatal(err)
		}
		if s := tbl.Schema(); s.Field(0).Name != "point" || s.Field(1).Name != "growth.death" || tbl.NumRows() != 6 {
			t.Errorf("%s: schema %s, %d rows", f, s, tbl.NumRows())
		}
		tbl.Release()
	}
	if err := ExportParts(&bytes.Buffer{}, TableRuns, "xlsx", Zstd, parts); err == nil || !strings.Contains(err.Error(), "formats: csv, json, parquet, arrow") {
		t.Errorf("unknown format: %v", err)
	}
}

package dataset

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"

	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// Merge writes one dataset into dir from the datasets units: each table
// the units' files concatenated in the order given (Concat, record batches
// of at least DefaultBatchRows rows), in m's format and codec, so the table
// files depend only on the units' rows and their boundaries. m is the
// merged dataset's manifest; Merge fills in its Files. The table files are
// written under temporary names and renamed into place, then the manifest
// is written atomically (last, as a run does). The result is opened and
// checked (SHA-256 of every file, the rows of every table equal to the
// units' sum) before Merge returns; if that fails the manifest is removed.
// Temporary files of an earlier, interrupted merge into dir are removed
// first. The units are left in place.
func Merge(dir string, units []*Dataset, m Manifest) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	if err := RemoveMergeTemps(dir); err != nil {
		return err
	}
	m.Files = nil
	for _, table := range Tables {
		var files []string
		for _, d := range units {
			files = append(files, d.Files(table)...)
		}
		fi, err := mergeTable(dir, table, files, m.Format, m.Compression)
		if err != nil {
			RemoveMergeTemps(dir)
			return fmt.Errorf("%s: %w", table, err)
		}
		m.Files = append(m.Files, fi)
	}
	for _, fi := range m.Files {
		if err := os.Rename(filepath.Join(dir, mergeTmpName(fi.Path)), filepath.Join(dir, fi.Path)); err != nil {
			return err
		}
	}
	if err := writeMergedManifest(dir, &m); err != nil {
		return err
	}
	// Check what was written before the caller removes the units.
	if err := checkMerged(dir, units); err != nil {
		os.Remove(filepath.Join(dir, ManifestName))
		return err
	}
	return nil
}

// writeMergedManifest writes dir's manifest through a temporary file and a
// rename, syncing the directory before and after.
func writeMergedManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return err
	}
	path := filepath.Join(dir, ManifestName)
	tmp, err := atomicfile.WriteTemp(path, append(b, '\n'))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return atomicfile.SyncDir(dir)
}

// checkMerged opens the merged dataset in dir (which verifies every file)
// and compares the rows of each table with the units'.
func checkMerged(dir string, units []*Dataset) error {
	d, err := Open(dir)
	if err != nil {
		return fmt.Errorf("merged dataset does not verify: %w", err)
	}
	for _, fi := range d.Manifest().Files {
		var rows int64
		for _, u := range units {
			for _, ufi := range u.Manifest().Files {
				if ufi.Table == fi.Table {
					rows += ufi.Rows
				}
			}
		}
		if rows != fi.Rows {
			return fmt.Errorf("merged %s has %d rows, the units %d", fi.Table, fi.Rows, rows)
		}
	}
	return nil
}

func mergeTmpName(file string) string { return "." + file + ".merge.tmp" }

// RemoveMergeTemps removes the temporary files an interrupted Merge left
// in dir.
func RemoveMergeTemps(dir string) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".merge.tmp") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// hashWriter hashes and counts what goes through it.
type hashWriter struct {
	w *bufio.Writer
	h hash.Hash
	n int64
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

// mergeTable concatenates a table's files into dir/.<table><ext>.merge.tmp.
func mergeTable(dir, table string, files []string, format Format, codec Compression) (FileInfo, error) {
	name := table + format.Ext()
	fi := FileInfo{Table: table, Path: name}
	out, err := os.Create(filepath.Join(dir, mergeTmpName(name)))
	if err != nil {
		return fi, err
	}
	defer out.Close()
	hw := &hashWriter{w: bufio.NewWriterSize(out, 1<<20), h: sha256.New()}
	if fi.Rows, err = Concat(hw, files, format, codec, DefaultBatchRows); err != nil {
		return fi, err
	}
	if err := hw.w.Flush(); err != nil {
		return fi, err
	}
	if err := out.Sync(); err != nil {
		return fi, err
	}
	fi.SHA256 = hex.EncodeToString(hw.h.Sum(nil))
	fi.Bytes = hw.n
	return fi, nil
}

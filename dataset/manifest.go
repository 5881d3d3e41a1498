package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/p53evo/p53evo/internal/regfile"
)

// ManifestName is the manifest's file name. It is written last: its presence
// means the dataset is complete.
const ManifestName = "manifest.json"

// Manifest describes a finished run and every file of its dataset.
type Manifest struct {
	SchemaVersion int    `json:"schema_version"`
	Version       string `json:"version"` // p53evo version
	Commit        string `json:"commit"`  // p53evo commit
	ScenarioName  string `json:"scenario_name,omitempty"`
	// Scenario is the resolved scenario: JSON as given, or, if the caller
	// passed text that is not JSON (YAML), that text as a JSON string.
	Scenario   json.RawMessage `json:"scenario"`
	Seed       uint64          `json:"seed"`
	Replicates Replicates      `json:"replicates"`
	// Drugs are the scenario's drug names in order: the trajectories table
	// has a column conc_<drug> for each.
	Drugs []string `json:"drugs"`
	// Format and Compression of the table files (every file of a dataset
	// has the same).
	Format      Format            `json:"format"`
	Compression Compression       `json:"compression"`
	Start       time.Time         `json:"start"` // RFC 3339, UTC
	End         time.Time         `json:"end"`
	Host        string            `json:"host"`
	Workers     int               `json:"workers"`
	Extra       map[string]string `json:"extra,omitempty"`
	Files       []FileInfo        `json:"files"`
}

// Replicates says which replicates the run was asked for and how many were
// written (fewer than Count if the run was interrupted and closed anyway).
type Replicates struct {
	First   int `json:"first"`
	Count   int `json:"count"`
	Written int `json:"written"`
}

// FileInfo describes one table file of the dataset.
type FileInfo struct {
	Table  string `json:"table"`
	Path   string `json:"path"` // relative to the dataset directory, slash-separated
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	Rows   int64  `json:"rows"`
}

// SchemaVersionError is Open's error for a dataset written with another
// schema version than this package reads.
type SchemaVersionError struct {
	Dir     string
	Version int // the dataset's
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("dataset %s: dataset schema %d, this p53evo reads schema %d; rerun the scenario", e.Dir, e.Version, SchemaVersion)
}

// ErrIncomplete is wrapped by Open's error when a directory has table
// files (or a writer's temporary files) but no manifest.
var ErrIncomplete = errors.New("incomplete dataset: no " + ManifestName + "; the run did not finish")

// ErrNotDataset is wrapped by Open's error when a directory holds no
// dataset file at all (an empty directory, say).
var ErrNotDataset = errors.New("not a dataset: no " + ManifestName + " and no table files (not written by 'p53evo run')")

// maxManifest bounds the manifest's size (a merged sweep point lists every
// unit; a megabyte holds thousands).
const maxManifest = 64 << 20

func readManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := regfile.ReadFile(filepath.Join(dir, ManifestName), maxManifest)
	if errors.Is(err, fs.ErrNotExist) {
		if st, serr := os.Stat(dir); serr != nil {
			return m, fmt.Errorf("%s: %w", dir, serr)
		} else if !st.IsDir() {
			return m, fmt.Errorf("%s: not a directory", dir)
		}
		if exists, _, _ := isDataset(dir); exists || hasTemp(dir) {
			return m, fmt.Errorf("%s: %w", dir, ErrIncomplete)
		}
		return m, fmt.Errorf("%s: %w", dir, ErrNotDataset)
	}
	if err != nil {
		return m, fmt.Errorf("%s: %w", dir, err)
	}
	// The version first: another version's manifest may not even decode.
	var v struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return m, fmt.Errorf("%s: %s: %w", dir, ManifestName, err)
	}
	if v.SchemaVersion == nil {
		return m, fmt.Errorf("%s: %s has no schema_version", dir, ManifestName)
	}
	if *v.SchemaVersion != SchemaVersion {
		return m, &SchemaVersionError{Dir: dir, Version: *v.SchemaVersion}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %s: %w", dir, ManifestName, err)
	}
	if err := checkDrugs(m.Drugs); err != nil {
		return m, fmt.Errorf("%s: %s: %w", dir, ManifestName, err)
	}
	for _, f := range m.Files {
		if Schema(f.Table) == nil {
			return m, fmt.Errorf("%s: %s lists %q with unknown table %q", dir, ManifestName, f.Path, f.Table)
		}
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return m, fmt.Errorf("%s: %s lists %q, which is not inside the dataset", dir, ManifestName, f.Path)
		}
	}
	for _, t := range Tables {
		if len(m.files(t)) == 0 {
			return m, fmt.Errorf("%s: %s lists no file for table %q", dir, ManifestName, t)
		}
	}
	return m, nil
}

func (m *Manifest) files(table string) []FileInfo {
	var fs []FileInfo
	for _, f := range m.Files {
		if f.Table == table {
			fs = append(fs, f)
		}
	}
	return fs
}

// scenarioJSON embeds s in the manifest: JSON as is, other text as a string.
func scenarioJSON(s json.RawMessage) (json.RawMessage, error) {
	if len(s) == 0 {
		return json.RawMessage("null"), nil
	}
	if json.Valid(s) {
		return s, nil
	}
	return json.Marshal(string(s))
}

// hasTemp reports whether dir holds a writer's temporary files.
func hasTemp(dir string) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ".tmp") {
			return true
		}
	}
	return false
}

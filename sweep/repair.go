package sweep

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/lockfile"
)

// QuarantineDir is where Run sets aside broken units before it redoes
// them: DIR/.quarantine/point=<id>/reps-<first>-<last>.<time>/, with a
// REASON.txt. Hidden, so that readers of the Hive partitions skip it.
const QuarantineDir = ".quarantine"

// ErrBusy is wrapped by Run's error when units of the shard were being
// written by another process, so that this run could not complete them.
var ErrBusy = errors.New("units being written by another process")

// unitState is what a unit's directory holds.
type unitState uint8

const (
	stateMissing  unitState = iota // no directory (nor a merged point)
	stateComplete                  // a verified dataset, or its point is merged
	stateBroken                    // a directory that is not the unit's complete dataset
)

// inspectUnit reports the state of unit u of point pt, and for a broken
// unit why. With deep it opens the unit's dataset, which checks every
// table's type, size and SHA-256 against the manifest; without, it checks
// the manifest and the files' sizes only. Either way the manifest's seed
// and replicate range must be the plan's, and its hashes those a shard
// manifest recorded for the unit (recorded may be nil).
func inspectUnit(ctx context.Context, dir string, pt planPoint, u Unit, recorded map[string]map[string]string, deep bool) (unitState, string) {
	if merged(dir, pt.ID) {
		return stateComplete, ""
	}
	udir := unitDir(dir, pt.ID, u)
	fi, err := os.Lstat(udir)
	if errors.Is(err, fs.ErrNotExist) {
		return stateMissing, ""
	}
	if err != nil {
		return stateBroken, err.Error()
	}
	if !fi.IsDir() {
		return stateBroken, "not a directory"
	}
	var m dataset.Manifest
	if deep {
		d, err := dataset.Open(udir, dataset.WithContext(ctx))
		if err != nil {
			return stateBroken, err.Error()
		}
		m = d.Manifest()
	} else {
		mp, err := readManifest(udir)
		if errors.Is(err, fs.ErrNotExist) {
			return stateBroken, "no " + dataset.ManifestName
		}
		if err != nil {
			return stateBroken, err.Error()
		}
		m = *mp
		for _, f := range m.Files {
			st, err := os.Stat(filepath.Join(udir, filepath.FromSlash(f.Path)))
			if err != nil {
				return stateBroken, err.Error()
			}
			if !st.Mode().IsRegular() || st.Size() != f.Bytes {
				return stateBroken, fmt.Sprintf("%s: %d bytes or not a regular file; the manifest records %d bytes", f.Path, st.Size(), f.Bytes)
			}
		}
	}
	if m.Seed != pt.Seed || m.Replicates.First != u.First || m.Replicates.Count != u.Count || m.Replicates.Written != u.Count {
		return stateBroken, fmt.Sprintf("manifest says seed %d, replicates %d+%d (%d written); the plan says seed %d, replicates %d+%d",
			m.Seed, m.Replicates.First, m.Replicates.Count, m.Replicates.Written, pt.Seed, u.First, u.Count)
	}
	if rec := recorded[unitKey(pt.ID, u.First)]; rec != nil {
		for _, f := range m.Files {
			if h := rec[f.Table]; h != "" && h != f.SHA256 {
				return stateBroken, fmt.Sprintf("%s table has SHA-256 %s but a shard manifest recorded %s when the unit was done", f.Table, short(f.SHA256), short(h))
			}
		}
	}
	return stateComplete, ""
}

// quarantine moves a broken unit's directory to QuarantineDir with a note
// of the reason, and returns where it went.
func quarantine(dir, id string, u Unit, reason string) (string, error) {
	qdir := filepath.Join(dir, QuarantineDir, "point="+id)
	if err := os.MkdirAll(qdir, 0o755); err != nil {
		return "", err
	}
	stamp := time.Now().UTC().Format("20060102T150405.000000000Z")
	dest := filepath.Join(qdir, unitName(u)+"."+stamp)
	if err := os.Rename(unitDir(dir, id, u), dest); err != nil {
		return "", err
	}
	note := fmt.Sprintf("set aside by p53evo sweep run at %s\nunit: point %s, replicates %d-%d\nreason: %s\n", stamp, id, u.First, u.First+u.Count-1, reason)
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		atomicfile.WriteFile(filepath.Join(dest, "REASON.txt"), []byte(note))
	}
	return dest, atomicfile.SyncDir(PointDir(dir, id))
}

// claimUnit takes unit u's lock (a lock file beside the unit's directory),
// so that one process at a time inspects, repairs and writes it. It wraps
// lockfile.ErrBusy when another process holds it.
func claimUnit(dir, id string, u Unit) (*lockfile.Lock, error) {
	if err := os.MkdirAll(PointDir(dir, id), 0o755); err != nil {
		return nil, err
	}
	return lockfile.TryLock(filepath.Join(PointDir(dir, id), "."+unitName(u)+".lock"), false)
}

// lockSweepDir takes the sweep directory's shared lock (dataset.LockName):
// any number of sweep processes share it, and `p53evo run` (which takes it
// exclusively) cannot write a dataset into the directory meanwhile.
func lockSweepDir(dir string) (*lockfile.Lock, error) {
	lk, err := lockfile.TryLock(filepath.Join(dir, dataset.LockName), true)
	if errors.Is(err, lockfile.ErrBusy) {
		return nil, fmt.Errorf("%s is being written by a process that is not a sweep (p53evo run?): %w", dir, err)
	}
	return lk, err
}

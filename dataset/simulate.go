package dataset

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/sim"
)

// ErrCreate is wrapped by Simulate's error when the dataset could not be
// started (the directory, the lock, the options), before anything ran.
var ErrCreate = errors.New("dataset not started")

// createError is Create's error as Simulate returns it: the same message,
// and errors.Is(err, ErrCreate) holds.
type createError struct{ err error }

func (e createError) Error() string        { return e.err.Error() }
func (e createError) Unwrap() error        { return e.err }
func (e createError) Is(target error) bool { return target == ErrCreate }

// SimMeta fills the parts of meta that come from the simulation: the
// resolved scenario (YAML text, stored as a JSON string) and the drug names.
func SimMeta(meta Meta, cfg *sim.Config, resolvedYAML []byte) Meta {
	meta.Scenario, _ = json.Marshal(string(resolvedYAML))
	meta.Drugs = make([]string, len(cfg.Model.Drugs))
	for i, d := range cfg.Model.Drugs {
		meta.Drugs[i] = d.Name
	}
	return meta
}

// Simulate runs replicates ro of cfg into a new dataset in dir: the one way
// from a simulation to a dataset, for single runs and sweep units alike. A
// failed or cancelled run aborts the dataset (nothing that looks complete is
// left; with WithForce the old dataset stays); a successful one is closed.
// An error before anything ran wraps ErrCreate (and ErrBusy when another
// process writes to dir).
func Simulate(ctx context.Context, dir string, meta Meta, cfg *sim.Config, ro sim.RunOptions, opts ...Option) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	w, err := Create(dir, meta, opts...)
	if err != nil {
		return createError{err}
	}
	err = sim.Run(ctx, cfg, ro, w)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // cancelled after the last replicate: still no dataset
	}
	if err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

package scenarios

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// The single-lesion reference arm (rezatapopt-continuous-lesion, the
// default scenario until the default became the virtual trial cohort,
// which p53evo calibrate checks) is calibrated so that its median
// time to progression lies in the clinically plausible 6-14 months (the
// ovarian PYNNACLE cohort: about 1.5 months to respond plus a median 7.6
// months of response) and most progressions are driven by
// transactivation-loss clones, the class that resists every reactivator.
//
// Every replicate progresses at the default settings, so the median is the
// sample median of TTP (a replicate that never progresses would count as
// +Inf). TTP falls on the 56-day scan grid: at the file's seed about 87% of
// the replicates progress at the scan on day 392 (12.9 months) and the rest
// one scan earlier, so the median is stable to the seed; the kill that the
// notes' parameter table suggests (0.03/day extra death instead of Bozic's
// 0.03/day net decline) moves it a scan later, to 14.7 months, and fails.
func TestDefaultCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 200 replicates of the single-lesion reference arm")
	}
	s := open(t, lesionName)
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	const month = 30.4375
	var ttp []float64
	var taLoss, responded int
	err = sim.Run(context.Background(), &cfg, sim.RunOptions{Count: n}, sim.SinkFunc(func(r *sim.Result) error {
		if math.IsNaN(r.TTP) {
			ttp = append(ttp, math.Inf(1))
		} else {
			ttp = append(ttp, r.TTP)
			if r.DominantAtProgression == model.ClassTALoss {
				taLoss++
			}
		}
		if r.BestResponse == sim.PR || r.BestResponse == sim.CR {
			responded++
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ttp)
	med := (ttp[n/2-1] + ttp[n/2]) / 2
	t.Logf("median TTP %.1f months; driven by ta-loss %d of %d; PR or CR %d", med/month, taLoss, n, responded)
	if med < 6*month || med > 14*month {
		t.Errorf("median time to progression %.1f months, want 6-14", med/month)
	}
	if taLoss <= n/2 {
		t.Errorf("progressions driven by ta-loss: %d of %d, want most", taLoss, n)
	}
	if responded < n/2 {
		t.Errorf("responses (PR or CR): %d of %d; the reference arm models responding tumours", responded, n)
	}
}

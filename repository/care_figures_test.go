package repository_test

import (
	"reflect"
	"testing"

	"guanai/repository"
)

func TestPublishedCellsWithholdWhatRestsOnTooFew(t *testing.T) {
	median := 900.0
	for _, c := range []struct {
		name     string
		in, want repository.CareCell
	}{
		{"enough of everything",
			repository.CareCell{Requests: 8, AcceptMedian: &median, Matched: 6, Decided: 7, Services: 5, Minutes: 300},
			repository.CareCell{Requests: 8, AcceptMedian: &median, Matched: 6, Decided: 7, Services: 5, Minutes: 300}},
		{"nothing at all is shown as nothing",
			repository.CareCell{}, repository.CareCell{}},
		{"four requests: none of their figures",
			repository.CareCell{Requests: 4, AcceptMedian: &median, Matched: 4, Decided: 4, Services: 9, Minutes: 540},
			repository.CareCell{FewRequests: true, FewMatched: false, Services: 9, Minutes: 540}},
		{"enough requests, a median over three acceptances",
			repository.CareCell{Requests: 9, AcceptMedian: &median, Matched: 3, Decided: 5},
			repository.CareCell{Requests: 9, FewMatched: true, Matched: 3, Decided: 5}},
		{"enough requests, most still being dispatched: no rate",
			repository.CareCell{Requests: 9, Matched: 2, Decided: 2, AcceptMedian: &median},
			repository.CareCell{Requests: 9, FewMatched: true, FewDecided: true}},
		{"two services: neither they nor their hours",
			repository.CareCell{Requests: 6, Matched: 5, Decided: 6, AcceptMedian: &median, Services: 2, Minutes: 120},
			repository.CareCell{Requests: 6, Matched: 5, Decided: 6, AcceptMedian: &median, FewServices: true}},
	} {
		if got := repository.Withheld(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

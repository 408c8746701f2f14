package domain

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Program kinds: the kind decides the workflow (DESIGN §1) and is not edited — a program's requests, vouchers or
// grants would not fit another.
const (
	ProgramService = "service"
	ProgramBenefit = "benefit"
	ProgramGrant   = "grant"
)

// The limits of a program's settings. migrations/00011_care.sql holds the dispatch figures to the same.
const (
	ProgramNameMaxLen        = 50
	ProgramDescriptionMaxLen = 500
	MaxOffersPerRound        = 50
	MaxOfferMinutes          = 24 * 60
	MaxDailyOffers           = 100
)

// ProgramForm is an administrator's edit of a program, as typed. Offers and Minutes are by urgency.
type ProgramForm struct {
	NameZh, NameEn               string
	DescriptionZh, DescriptionEn string
	Active                       bool
	Qualification                string // "" when any verified volunteer may help
	Sensitive                    bool
	Offers                       map[string]string // urgency -> offers per round
	Minutes                      map[string]string // urgency -> how many minutes an offer stays open
	DailyCap                     string
	Benefit                      BenefitForm       // a benefit program's quota and period
	GrantCeiling                 string            // a grant program's largest grant ("" for none)
	ClaimCeiling                 string            // a service program's largest claim its staff confirm ("" for none)
	Assignment                   map[string]string // bulk assignment's weights and plan hours (AssignmentFields)
	// CeilingOmitted: the form had no ceiling field at all (not an empty one): the stored ceiling is kept.
	CeilingOmitted bool
}

// ProgramSettings are a program's checked settings, ready to store.
type ProgramSettings struct {
	NameZh, NameEn               string
	DescriptionZh, DescriptionEn string
	Active                       bool
	Qualification                string
	Sensitive                    bool
	Dispatch                     DispatchSettings
	Benefit                      *BenefitSettings // a benefit program's; nil for the others
	// Ceiling is the grant ceiling of a grant program, the claim ceiling of a service program (0: none); KeepCeiling
	// says to leave the stored one as it is.
	Ceiling     Money
	KeepCeiling bool
	Assignment  *AssignmentSettings // nil: keep what is stored
}

// Minutes is how long an offer of an urgency stays open, in whole minutes (as stored and typed).
func (d DispatchSettings) Minutes(urgency string) int { return int(d.Lifetime[urgency] / time.Minute) }

// Check turns the form into a program's settings for a program of the kind given, or says at each field what is
// wrong. Only a service program dispatches to volunteers, so only it may need a qualification and only its form
// has dispatch settings: for the others Dispatch is left empty (and what they have stored is kept).
func (f ProgramForm) Check(kind string) (ProgramSettings, FieldErrors) {
	fe := FieldErrors{}
	s := ProgramSettings{Active: f.Active, Sensitive: f.Sensitive}
	var key string
	if s.NameZh, key = cleanText(f.NameZh, ProgramNameMaxLen); key != "" {
		fe.Add("name_zh", key)
	}
	if s.NameEn, key = cleanText(f.NameEn, ProgramNameMaxLen); key != "" {
		fe.Add("name_en", key)
	}
	s.DescriptionZh = programDescription(fe, "description_zh", f.DescriptionZh)
	s.DescriptionEn = programDescription(fe, "description_en", f.DescriptionEn)
	switch s.Qualification = strings.TrimSpace(f.Qualification); {
	case s.Qualification == "":
	case kind != ProgramService:
		fe.Add("qualification", "programs.error.qualification_service")
	case !IsQualification(s.Qualification):
		fe.Add("qualification", "error.choose_one")
	}
	switch s.KeepCeiling = f.CeilingOmitted && kind != ProgramBenefit; {
	case kind == ProgramBenefit:
		b := f.Benefit.Check(fe)
		s.Benefit = &b
	case s.KeepCeiling:
	case kind == ProgramGrant:
		s.Ceiling = ceilingField(fe, "grant_ceiling", f.GrantCeiling)
	case kind == ProgramService:
		s.Ceiling = ceilingField(fe, "claim_ceiling", f.ClaimCeiling)
	}
	if kind != ProgramService {
		return s, fe
	}
	s.Dispatch = DispatchSettings{Offers: map[string]int{}, Lifetime: map[string]time.Duration{}}
	for _, u := range Urgencies {
		s.Dispatch.Offers[u] = programFigure(fe, "offers_"+u, f.Offers[u], MaxOffersPerRound, "programs.error.offers")
		s.Dispatch.Lifetime[u] = time.Duration(programFigure(fe, "minutes_"+u, f.Minutes[u], MaxOfferMinutes, "programs.error.minutes")) * time.Minute
	}
	s.Dispatch.DailyCap = programFigure(fe, "daily_offer_cap", f.DailyCap, MaxDailyOffers, "programs.error.daily_cap")
	s.Assignment = checkAssignmentSettings(fe, f.Assignment)
	return s, fe
}

// programDescription is a description as typed: it may be empty, and run over several lines.
func programDescription(fe FieldErrors, field, s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case utf8.RuneCountInString(s) > ProgramDescriptionMaxLen:
		fe.Add(field, "error.too_long")
	case !PlainText(strings.NewReplacer("\n", "", "\t", "").Replace(s)):
		fe.Add(field, "error.invalid_characters")
	}
	return s
}

// programFigure reads a typed whole number from 1 to most (full-width digits too), noting under field what is
// wrong: key names the range.
func programFigure(fe FieldErrors, field, typed string, most int, key string) int {
	t := strings.TrimSpace(ToHalfWidth(typed))
	if t == "" {
		fe.Add(field, "error.required")
		return 0
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 1 || n > most {
		fe.Add(field, key)
		return 0
	}
	return n
}

// ceilingField reads an optional ceiling: empty is none.
func ceilingField(fe FieldErrors, field, typed string) Money {
	if strings.TrimSpace(typed) == "" {
		return 0
	}
	return moneyField(fe, field, typed)
}

package domain

import (
	"strconv"
	"strings"
	"time"
)

// The settings an administrator edits on one page: the fundraising goal, the star levels' thresholds, the
// dispatch settings a new program starts with, and how long after check-out a service counts by itself.

// MaxAutoConfirmHours is the longest the automatic confirmation may wait: 30 days.
const MaxAutoConfirmHours = 30 * 24

// MaxStarHours is the largest threshold a star level may have.
const MaxStarHours = 100000

// Settings are the checked settings, ready to store. StarHours nil means the configuration's default
// (GUANAI_STAR_HOURS).
type Settings struct {
	Goal        Money
	StarHours   []int
	Dispatch    DispatchSettings
	AutoConfirm time.Duration
}

// SettingsForm is the settings page as typed.
type SettingsForm struct {
	Goal             string
	StarHours        string            // "100, 300, 600, 1000, 1500"; empty for the default
	Offers           map[string]string // urgency -> offers per round
	Minutes          map[string]string // urgency -> minutes an offer stays open
	DailyCap         string
	AutoConfirmHours string
}

// Check turns the form into settings, or says at each field what is wrong.
func (f SettingsForm) Check() (Settings, FieldErrors) {
	fe := FieldErrors{}
	var s Settings
	goal, err := ParseMoney(f.Goal)
	if me, ok := err.(*MoneyError); ok {
		fe.Add("goal", me.Key)
	} else if err != nil {
		fe.Add("goal", "error.amount_invalid")
	}
	s.Goal = goal
	var key string
	if s.StarHours, key = ParseStarHours(f.StarHours); key != "" {
		fe.Add("star_hours", key)
	}
	s.Dispatch = DispatchSettings{Offers: map[string]int{}, Lifetime: map[string]time.Duration{}}
	for _, u := range Urgencies {
		s.Dispatch.Offers[u] = programFigure(fe, "offers_"+u, f.Offers[u], MaxOffersPerRound, "programs.error.offers")
		s.Dispatch.Lifetime[u] = time.Duration(programFigure(fe, "minutes_"+u, f.Minutes[u], MaxOfferMinutes, "programs.error.minutes")) * time.Minute
	}
	s.Dispatch.DailyCap = programFigure(fe, "daily_offer_cap", f.DailyCap, MaxDailyOffers, "programs.error.daily_cap")
	s.AutoConfirm = time.Duration(programFigure(fe, "auto_confirm_hours", f.AutoConfirmHours, MaxAutoConfirmHours, "settings.error.auto_confirm")) * time.Hour
	return s, fe
}

// ParseStarHours reads the star levels' thresholds in hours: one to five whole numbers from 1 to MaxStarHours,
// each above the one before, separated by commas or spaces (full-width too). Empty is nil: the default. key is
// the message when the text is not that.
func ParseStarHours(typed string) (hours []int, key string) {
	s := strings.TrimSpace(ToHalfWidth(typed))
	if s == "" {
		return nil, ""
	}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '、' || r == '，' }) {
		h, err := strconv.Atoi(f)
		if err != nil || h < 1 || h > MaxStarHours {
			return nil, "settings.error.star_hours"
		}
		if len(hours) > 0 && h <= hours[len(hours)-1] {
			return nil, "settings.error.star_hours_rising"
		}
		hours = append(hours, h)
	}
	if len(hours) > 5 {
		return nil, "settings.error.star_hours"
	}
	return hours, ""
}

// FormatStarHours writes thresholds as the settings page shows them: "100, 300, 600, 1000, 1500".
func FormatStarHours(hours []int) string {
	parts := make([]string, len(hours))
	for i, h := range hours {
		parts[i] = strconv.Itoa(h)
	}
	return strings.Join(parts, ", ")
}

package repository

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// The administrator's settings (/admin/settings): the fundraising goal (fund_settings), and care_settings — the
// star levels' thresholds, the dispatch settings a new program starts with (a trigger on programs reads them), and
// the delay of the automatic confirmation. Pages and transactions read them through Settings, a cache: no page
// adds a statement for them.

// settingsFresh is how long a process trusts its cached settings. A save empties the cache of the process that
// saved at once; another instance of the app sees the change within this time.
const settingsFresh = time.Minute

type settingsCache struct {
	mu       sync.Mutex
	v        *domain.Settings
	loadedAt time.Time // monotonic, the cache's own: not a decision of the rules
}

// settingsRow is the one row both tables give.
type settingsRow struct {
	Goal             int64
	StarHours        *string // "100,300,600,1000,1500"; NULL for the configuration's default
	OffersEmergency  int
	MinutesEmergency int
	OffersUrgent     int
	MinutesUrgent    int
	OffersNormal     int
	MinutesNormal    int
	DailyOfferCap    int
	AutoConfirmHours int
}

func (r settingsRow) settings() domain.Settings {
	s := domain.Settings{Goal: domain.Money(r.Goal), AutoConfirm: time.Duration(r.AutoConfirmHours) * time.Hour,
		Dispatch: domain.DispatchSettings{
			Offers: map[string]int{domain.UrgencyEmergency: r.OffersEmergency, domain.UrgencyUrgent: r.OffersUrgent,
				domain.UrgencyNormal: r.OffersNormal},
			Lifetime: map[string]time.Duration{domain.UrgencyEmergency: time.Duration(r.MinutesEmergency) * time.Minute,
				domain.UrgencyUrgent: time.Duration(r.MinutesUrgent) * time.Minute, domain.UrgencyNormal: time.Duration(r.MinutesNormal) * time.Minute},
			DailyCap: r.DailyOfferCap}}
	if r.StarHours != nil && *r.StarHours != "" {
		for _, f := range strings.Split(*r.StarHours, ",") {
			h, _ := strconv.Atoi(f)
			s.StarHours = append(s.StarHours, h)
		}
	}
	return s
}

const settingsQuery = `SELECT f.fundraising_goal AS goal, array_to_string(c.star_hours, ',') AS star_hours,
		c.offers_emergency, c.minutes_emergency, c.offers_urgent, c.minutes_urgent, c.offers_normal, c.minutes_normal,
		c.daily_offer_cap, c.auto_confirm_hours
	FROM fund_settings f, care_settings c WHERE f.id = 1 AND c.id = 1`

// Settings are the settings in force. StarHours is nil while the administrator has not set them: the caller's
// default (GUANAI_STAR_HOURS) applies.
func (s *Store) Settings(ctx context.Context) (domain.Settings, error) {
	c := s.settings
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.v != nil && time.Since(c.loadedAt) < settingsFresh {
		return cloneSettings(*c.v), nil
	}
	// The read is the cache's, at most one a minute, not the page's that happens to ask: it runs on a context of its
	// own (so a page's statement count does not depend on whether it was the one to refill the cache).
	lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var r settingsRow
	if err := s.db.WithContext(lctx).Raw(settingsQuery).Scan(&r).Error; err != nil {
		return domain.Settings{}, err
	}
	v := r.settings()
	c.v, c.loadedAt = &v, time.Now()
	return cloneSettings(v), nil
}

// AutoConfirmAfter is how long after check-out a service counts by itself, as set now.
func (s *Store) AutoConfirmAfter(ctx context.Context) (time.Duration, error) {
	v, err := s.Settings(ctx)
	return v.AutoConfirm, err
}

func (s *Store) forgetSettings() {
	s.settings.mu.Lock()
	s.settings.v = nil
	s.settings.mu.Unlock()
}

func cloneSettings(v domain.Settings) domain.Settings {
	v.StarHours = slices.Clone(v.StarHours)
	v.Dispatch.Offers, v.Dispatch.Lifetime = maps.Clone(v.Dispatch.Offers), maps.Clone(v.Dispatch.Lifetime)
	return v
}

// UpdateSettings saves the settings page. The audit event holds each setting that changed, before and after;
// the cache is emptied once the transaction has committed.
func (s *Store) UpdateSettings(ctx context.Context, actor Actor, f domain.SettingsForm) error {
	v, fe := f.Check()
	if len(fe) > 0 {
		return fe
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// fund_settings first, then care_settings: the order every writer of both takes.
		var old settingsRow
		if err := tx.Raw(settingsQuery + ` FOR UPDATE OF f, c`).Scan(&old).Error; err != nil {
			return err
		}
		stars := domain.FormatStarHours(v.StarHours)
		next := settingsRow{Goal: int64(v.Goal), StarHours: &stars,
			OffersEmergency: v.Dispatch.Offers[domain.UrgencyEmergency], MinutesEmergency: v.Dispatch.Minutes(domain.UrgencyEmergency),
			OffersUrgent: v.Dispatch.Offers[domain.UrgencyUrgent], MinutesUrgent: v.Dispatch.Minutes(domain.UrgencyUrgent),
			OffersNormal: v.Dispatch.Offers[domain.UrgencyNormal], MinutesNormal: v.Dispatch.Minutes(domain.UrgencyNormal),
			DailyOfferCap: v.Dispatch.DailyCap, AutoConfirmHours: int(v.AutoConfirm / time.Hour)}
		before, after := changedProgramSettings(old.columns(), next.columns())
		if len(after) == 0 {
			return nil
		}
		if _, ok := after["fundraising_goal"]; ok {
			if err := tx.Exec(`UPDATE fund_settings SET fundraising_goal = ? WHERE id = 1`, next.Goal).Error; err != nil {
				return err
			}
		}
		err := tx.Exec(`UPDATE care_settings SET star_hours = string_to_array(NULLIF(?, ''), ',')::integer[],
				offers_emergency = ?, minutes_emergency = ?, offers_urgent = ?, minutes_urgent = ?, offers_normal = ?,
				minutes_normal = ?, daily_offer_cap = ?, auto_confirm_hours = ?, updated_at = ? WHERE id = 1`,
			strings.ReplaceAll(stars, " ", ""), next.OffersEmergency, next.MinutesEmergency, next.OffersUrgent, next.MinutesUrgent,
			next.OffersNormal, next.MinutesNormal, next.DailyOfferCap, next.AutoConfirmHours, now(tx)).Error
		if err != nil {
			return err
		}
		return audit(tx, actor, "settings.update", "settings", 1, before, after)
	})
	if err == nil {
		s.forgetSettings()
	}
	return err
}

// columns are the settings by the names the audit log tells them: the goal as money, the thresholds as typed ("" is
// the default).
func (r settingsRow) columns() map[string]any {
	stars := ""
	if r.StarHours != nil {
		stars = strings.ReplaceAll(strings.ReplaceAll(*r.StarHours, " ", ""), ",", ", ")
	}
	return map[string]any{"fundraising_goal": domain.Money(r.Goal).String(), "star_hours": stars,
		"offers_emergency": r.OffersEmergency, "minutes_emergency": r.MinutesEmergency, "offers_urgent": r.OffersUrgent,
		"minutes_urgent": r.MinutesUrgent, "offers_normal": r.OffersNormal, "minutes_normal": r.MinutesNormal,
		"daily_offer_cap": r.DailyOfferCap, "auto_confirm_hours": r.AutoConfirmHours}
}

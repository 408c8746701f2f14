package domain

import (
	_ "embed"
	"encoding/json"
)

// Reference data (districts, hospitals, categories, programs, qualifications, channels) is the project's own copy
// of the city's lists, so the app builds and seeds without anything beside it.
//
//go:embed reference.json
var referenceJSON []byte

// Named is a code with its names in both languages.
type Named struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// Name returns the name in the language (zh-CN unless "en").
func (n Named) Name(lang string) string {
	if lang == "en" {
		return n.En
	}
	return n.Zh
}

// Hospital is a real hospital of the city.
type Hospital struct {
	Zh       string `json:"zh"`
	En       string `json:"en"`
	District string `json:"district"`
	Category string `json:"category"`
}

// District is one of the city's districts, with an approximate centre.
type District struct {
	Named
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// ReferenceData is the whole of reference.json.
type ReferenceData struct {
	Districts               []District `json:"districts"`
	Hospitals               []Hospital `json:"hospitals"`
	FrontlineCategories     []Named    `json:"frontline_categories"`
	VolunteerQualifications []Named    `json:"volunteer_qualifications"`
	DonationChannels        []Named    `json:"donation_channels"`
	StarLevelsHours         []int      `json:"star_levels_hours"`
	Names                   NameParts  `json:"names"`
}

// NameParts are what generated people and organisations are named from (seeds only).
type NameParts struct {
	Surnames    []string `json:"surnames"`
	Given       []string `json:"given"`
	OrgPrefixes []string `json:"org_prefixes"`
	OrgWords    []string `json:"org_words"`
	OrgKinds    []string `json:"org_kinds"`
}

// Reference is parsed once at start; a broken file is a build mistake, so it panics.
var Reference = func() ReferenceData {
	var r ReferenceData
	if err := json.Unmarshal(referenceJSON, &r); err != nil {
		panic("domain: reference.json: " + err.Error())
	}
	return r
}()

// IsDistrict reports whether code names one of the city's districts.
func IsDistrict(code string) bool {
	for _, d := range Reference.Districts {
		if d.Code == code {
			return true
		}
	}
	return false
}

// IsFrontlineCategory reports whether code is a known frontline category.
func IsFrontlineCategory(code string) bool { return hasCode(Reference.FrontlineCategories, code) }

// IsQualification reports whether code is a known volunteer qualification.
func IsQualification(code string) bool { return hasCode(Reference.VolunteerQualifications, code) }

func hasCode(list []Named, code string) bool {
	for _, n := range list {
		if n.Code == code {
			return true
		}
	}
	return false
}

// HospitalNames returns the Chinese names of the known hospitals, for suggestions in forms.
func HospitalNames() []string {
	names := make([]string, len(Reference.Hospitals))
	for i, h := range Reference.Hospitals {
		names[i] = h.Zh
	}
	return names
}

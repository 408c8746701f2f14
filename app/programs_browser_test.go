package app

import "testing"

// The programs' pages and the volunteer's own profile on phones, in both languages.

func TestBrowserProgramPagesOnPhones(t *testing.T) {
	tryOnPhones(t, "13800000001", []phonePage{{"/admin/programs/1/edit", 0}, {"/admin/programs", 0}})
}

func TestBrowserVolunteerProfileOnPhones(t *testing.T) {
	tryOnPhones(t, "13700000001", []phonePage{{"/volunteer", 0}, {"/volunteer/profile", 0}})
}

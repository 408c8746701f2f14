package domain

import (
	"strconv"
	"strings"
)

// A service program's settings of bulk assignment: the weights of the cost terms and the hours a scheduled request
// waits for the coordinator's plan (PlanRelease), edited with the program's other settings.

// AssignmentSettings are a program's checked settings of bulk assignment.
type AssignmentSettings struct {
	Weights   AssignmentWeights
	PlanHours int
}

// MaxPlanHours bounds the plan hours: a week.
const MaxPlanHours = 7 * 24

// AssignmentFields are the form's fields of the settings, as ProgramForm.Assignment holds them.
var AssignmentFields = []string{"assign_distance_weight", "assign_load_weight", "assign_continuity_weight",
	"assign_fairness_weight", "plan_hours"}

// checkAssignmentSettings reads the settings, noting under each field what is wrong. A form that carries none of
// them (one made before they existed) keeps what is stored: nil.
func checkAssignmentSettings(fe FieldErrors, typed map[string]string) *AssignmentSettings {
	given := false
	for _, f := range AssignmentFields {
		given = given || strings.TrimSpace(typed[f]) != ""
	}
	if !given {
		return nil
	}
	figure := func(field string, most int, key string) int {
		t := strings.TrimSpace(ToHalfWidth(typed[field]))
		if t == "" {
			fe.Add(field, "error.required")
			return 0
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > most {
			fe.Add(field, key)
			return 0
		}
		return n
	}
	return &AssignmentSettings{
		Weights: AssignmentWeights{
			Distance:   figure("assign_distance_weight", MaxAssignmentWeight, "programs.error.weight"),
			Load:       figure("assign_load_weight", MaxAssignmentWeight, "programs.error.weight"),
			Continuity: figure("assign_continuity_weight", MaxAssignmentWeight, "programs.error.weight"),
			Fairness:   figure("assign_fairness_weight", MaxAssignmentWeight, "programs.error.weight"),
		},
		PlanHours: figure("plan_hours", MaxPlanHours, "programs.error.plan_hours"),
	}
}

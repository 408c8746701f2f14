package repository

// Withheld is a published cell as it leaves the repository: with what rests on too few blanked.
func Withheld(c CareCell) CareCell {
	c.withhold()
	return c
}

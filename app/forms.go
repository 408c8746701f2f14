package app

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// validate checks the simple rules written as struct tags on form structs (required, max length); rules that
// need reference data or several fields live in domain.
var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return strings.Split(f.Tag.Get("form"), ",")[0] })
	// plain: no control characters, which PostgreSQL cannot store (NUL) and pages cannot show.
	if err := v.RegisterValidation("plain", func(fl validator.FieldLevel) bool { return domain.PlainText(fl.Field().String()) }); err != nil {
		panic(err)
	}
	return v
}()

// tagMessages maps a validator tag to the message key shown beside the field.
var tagMessages = map[string]string{
	"required": "error.required",
	"max":      "error.too_long",
	"min":      "error.too_short",
	"eqfield":  "error.password_mismatch",
	"oneof":    "error.choose_one",
	"plain":    "error.invalid_characters",
}

// checkForm binds the request's form into f (a struct with `form` tags), trims it, and runs the tag rules.
func checkForm(c echo.Context, f any) (domain.FieldErrors, error) {
	if err := (&echo.DefaultBinder{}).BindBody(c, f); err != nil {
		return nil, echo.ErrBadRequest
	}
	fe := domain.FieldErrors{}
	err := validate.Struct(f)
	var ves validator.ValidationErrors
	if errors.As(err, &ves) {
		for _, ve := range ves {
			key, ok := tagMessages[ve.Tag()]
			if !ok {
				key = "error.invalid"
			}
			fe.Add(ve.Field(), key)
		}
	} else if err != nil {
		return nil, err
	}
	return fe, nil
}

// amountField parses a typed amount, noting what is wrong with it under field.
func amountField(fe domain.FieldErrors, field, typed string) domain.Money {
	m, err := domain.ParseMoney(typed)
	var me *domain.MoneyError
	if errors.As(err, &me) {
		fe.Add(field, me.Key)
	}
	return m
}

// idField parses a chosen id (a pool, a donor), noting an empty or bad choice under field.
func idField(fe domain.FieldErrors, field, typed string) int64 {
	id, err := strconv.ParseInt(typed, 10, 64)
	if err != nil || id <= 0 {
		fe.Add(field, "error.choose_one")
	}
	return id
}
